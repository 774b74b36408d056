"""Round-robin bookkeeping of tools/bench.py: variants, spreads over rounds, per-round ratios,
and the printed tables.

Pure Python (no flags, no machine learning imports), so tests can check it
on synthetic timings.
"""

import json
import statistics

BACKENDS = ("tensorflow", "jax", "torch")
TORCH_VARIANTS = ("torch", "torch_fused")


def variants_of(backend, xla, fastgrad, spe_list, torch_passive=False):
    """The variant names timed for one backend, in their base order."""
    if backend == "torch":
        passive = [f"{v}_passive" for v in TORCH_VARIANTS] if torch_passive else []
        return list(TORCH_VARIANTS) + passive
    names = ["kerasgan", "hand"]
    if backend == "tensorflow" and xla:
        names += ["kerasgan_xla", "hand_xla"]
    if backend == "jax" and fastgrad:
        names.append("hand_fastgrad")
    names += [f"kerasgan_spe{n}" for n in spe_list]
    return names


def kind_of(variant):
    """The variant's kind: `kerasgan`, `hand` or `torch`."""
    if variant.startswith("kerasgan"):
        return "kerasgan"
    return "torch" if variant.startswith("torch") else "hand"


def spread(values):
    """Median, min, max and quartiles (inclusive method) of a list of numbers."""
    values = sorted(values)
    if not values:
        return {"n": 0}
    q1 = q3 = values[0]
    if len(values) > 1:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"n": len(values), "median": statistics.median(values), "min": values[0],
            "max": values[-1], "q1": q1, "q3": q3}


def summarize(rows):
    """Per-variant spread over rounds and per-round ratios, from the measured rows.

    `rows`: dicts with at least `round`, `preset`, `backend`, `variant` and
    `steps_per_s` (rows with `skipped` or `error` are ignored). Returns
    `{"variants": [...], "ratios": [...]}`; a ratio's `per_round` holds
    `{"round", "value", "numerator", "denominator"}` (the variants used in
    that round), its spread is over those values.
    """
    timed = [r for r in rows if "steps_per_s" in r and not r.get("skipped") and not r.get("error")]
    speed = {}  # (preset, backend, variant) -> {round: steps/s}
    for r in timed:
        key = (r["preset"], r["backend"], r["variant"])
        speed.setdefault(key, {})[r["round"]] = r["steps_per_s"]
    variants = []
    for (preset, backend, variant), by_round in speed.items():
        variants.append({
            "preset": preset, "backend": backend, "variant": variant, "kind": kind_of(variant),
            "steps_per_s": spread(list(by_round.values())),
            "per_round": {str(k): v for k, v in sorted(by_round.items())},
        })

    def best(preset, backends, kinds, round_):
        """(name, steps/s) of the fastest matching variant in that round, or None."""
        found = [(f"{b}:{v}", s[round_]) for (p, b, v), s in speed.items()
                 if p == preset and b in backends and kind_of(v) in kinds and round_ in s
                 and (kind_of(v) != "kerasgan" or v == "kerasgan")]
        return max(found, key=lambda item: item[1]) if found else None

    ratios = []
    presets = list(dict.fromkeys(r["preset"] for r in timed))
    rounds = sorted({r["round"] for r in timed})
    definitions = [
        ("fit/best_hand[tensorflow]", ("tensorflow",), ("kerasgan",), ("tensorflow",), ("hand",)),
        ("fit/best_hand[jax]", ("jax",), ("kerasgan",), ("jax",), ("hand",)),
        ("best_kerasgan/best_torch", ("tensorflow", "jax"), ("kerasgan",), ("torch",), ("torch",)),
        ("jax_fit/tf_fit", ("jax",), ("kerasgan",), ("tensorflow",), ("kerasgan",)),
    ]
    for preset in presets:
        for name, num_b, num_k, den_b, den_k in definitions:
            per_round = []
            for k in rounds:
                num, den = best(preset, num_b, num_k, k), best(preset, den_b, den_k, k)
                if num and den:
                    per_round.append({"round": k, "value": num[1] / den[1],
                                      "numerator": num[0], "denominator": den[0]})
            if per_round:
                ratios.append({"preset": preset, "ratio": name,
                               **spread([p["value"] for p in per_round]), "per_round": per_round})
    return {"variants": variants, "ratios": ratios}


def rotated(names, round_):
    """`names` rotated left by `round_` (round-robin order of one round)."""
    if not names:
        return []
    k = round_ % len(names)
    return names[k:] + names[:k]


def fmt_spread(s, digits=2):
    """`median [min-max]` of a `spread()` summary."""
    if not s.get("n"):
        return ""
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}-{s['max']:.{digits}f}]"


def table(results):
    """The printed tables of a bench result: rows per variant, ratios per round, the pipeline."""
    rows = []
    machines = {json.dumps({k: m[k] for k in ("cpu_model", "vector_extensions", "cores_available")},
                           sort_keys=True)
                for m in (r["machine"] for r in results["rows"] if "machine" in r)}
    for m in sorted(machines):
        m = json.loads(m)
        rows.append(f"CPU: {m['cpu_model']}, {m['cores_available']} cores; vector extensions: "
                    f"{' '.join(m['vector_extensions'])}")
    if results["rows"] and "machine" in results["rows"][0]:
        versions = results["rows"][0]["machine"]["versions"]
        rows.append("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v))
    rows.append(f"rounds: {results['rounds']}; figures: median [min-max] over rounds")
    head = (f"{'preset':<13} {'backend':<10} {'variant':<20} {'batch':>5} {'steps/s':>22} "
            f"{'img/s':>8} {'GFLOP/s':>8} {'1st step s':>10} {'RSS MB':>7}")
    rows += ["", head, "-" * len(head)]
    by_key = {}
    for r in results["rows"]:
        by_key.setdefault((r["preset"], r["backend"], r["variant"]), []).append(r)
    for v in results["summary"]["variants"]:
        measured = by_key[(v["preset"], v["backend"], v["variant"])]
        first = statistics.median(r["first_step_s"] for r in measured if "first_step_s" in r)
        rss = max(r["rss_mb_after_first_step"] for r in measured if "rss_mb_after_first_step" in r)
        batch = measured[0]["step_batch"]
        gflop = measured[0].get("gflop_per_step", float("nan"))
        rows.append(f"{v['preset']:<13} {v['backend']:<10} {v['variant']:<20} {batch:>5} "
                    f"{fmt_spread(v['steps_per_s']):>22} "
                    f"{v['steps_per_s']['median'] * batch:>8.0f} "
                    f"{v['steps_per_s']['median'] * gflop:>8.1f} {first:>10.2f} {rss:>7.0f}")
    impl = {(r["preset"], r["variant"]): r["optimizer_implementation"] for r in results["rows"]
            if "optimizer_implementation" in r}
    for (preset, variant), value in impl.items():
        rows.append(f"{preset:<13} {variant}: PyTorch optimizer implementation {value}")
    rows += ["", f"{'preset':<13} {'ratio (per round)':<27} {'median [min-max]':>22} per round"]
    for q in results["summary"]["ratios"]:
        values = " ".join(f"{p['value']:.3f}" for p in q["per_round"])
        rows.append(f"{q['preset']:<13} {q['ratio']:<27} {fmt_spread(q, 3):>22} {values}")
    for error in results.get("errors", []):
        rows.append(f"ERROR: {error}")
    for skipped in results.get("skipped", []):
        rows.append(f"skipped: {skipped}")
    if results.get("pipeline"):
        rows.append("")
        rows.append(f"{'input pipeline':<24} {'batch':>5} {'img/s':>9} {'train img/s (max)':>18} "
                    f"{'headroom':>9}")
        for p in results["pipeline"]:
            consumed = max((r["images_per_s"] for r in results["rows"]
                            if r["preset"] == p["preset"] and "images_per_s" in r), default=0.0)
            p["max_training_images_per_s"] = consumed
            p["headroom"] = p["images_per_s"] / consumed if consumed else None
            head = f"{p['headroom']:.1f}x" if consumed else ""
            rows.append(f"{p['preset']:<24} {p['batch']:>5} {p['images_per_s']:>9.0f} "
                        f"{consumed:>18.0f} {head:>9}")
    return "\n".join(rows)
