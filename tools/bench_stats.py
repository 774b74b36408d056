"""Round-robin bookkeeping of tools/bench.py: variants, spreads over rounds, per-round ratios.

Pure Python (no flags, no machine learning imports), so tests can check it
on synthetic timings.
"""

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
