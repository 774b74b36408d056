r"""Does the L1 GAN need an unbounded discriminator? `l1` (sigmoid D) vs `l1_unbounded`.

Both presets on Fashion-MNIST for the same budget. The claim under test: with a sigmoid on the
discriminator's output the L1 GAN fails; without it, it trains. Reports FID (classifier
features, with the real-vs-real floor), entropy, classifier score and mode coverage per
variant over several seeds, and the two sample grids side by side.

Full budget: KERAS_BACKEND=tensorflow .venv/bin/python -m studies.l1_unbounded --steps=400
Quick:       KERAS_BACKEND=tensorflow .venv/bin/python -m studies.l1_unbounded --quick

`--verdict` applies the pre-registered rule of `studies/results/l1_vs_unbounded/PROTOCOL.md` to
the two presets' zoo result files (`zoo/<preset>/results/<--result_name>.json`, written by
`python -m tools.zoo_results`) and writes `FINDINGS.md` beside the protocol.
"""

import os
import statistics

from absl import app, flags

from studies import common as sc

FLAGS = flags.FLAGS

VARIANTS = [("l1 (sigmoid D)", "l1", {}), ("l1_unbounded", "l1_unbounded", {})]


def define_flags():
    sc.define_common_flags(flags, default_steps=400)
    flags.DEFINE_string("dataset", "fashion_mnist", "Dataset.")
    flags.DEFINE_bool("verdict", False, "Judge the protocol's runs from the zoo result files.")
    flags.DEFINE_string("result_name", "epoch1", "--verdict: the zoo result name of both arms.")


def verdict(sigmoid_reports, unbounded_reports, both_collapsed="inconclusive"):
    """A protocol's rule on two arms' judge reports (dicts with `fd` and `classes_covered`).

    `both_collapsed`: the verdict when both arms cover at most 3 classes on average;
    "does not hold" under the one-epoch protocol (`PROTOCOL.md`), "inconclusive" under the
    two-epoch one (`PROTOCOL_epoch2.md`), where an unbounded arm that collapses while the
    sigmoid arm covers 5 or more classes is also "does not hold".
    """
    fd_s = [r["fd"] for r in sigmoid_reports]
    fd_u = [r["fd"] for r in unbounded_reports]
    classes_s = statistics.mean(r["classes_covered"] for r in sigmoid_reports)
    classes_u = statistics.mean(r["classes_covered"] for r in unbounded_reports)
    if max(fd_u) < min(fd_s) and classes_u >= 5:
        return "holds"
    if max(fd_s) < min(fd_u):
        return "does not hold"
    if classes_s <= 3 and classes_u <= 3:
        return both_collapsed
    if both_collapsed == "inconclusive" and classes_s >= 5 and classes_u <= 3:
        return "does not hold"
    return "inconclusive"


# Result name -> (protocol file, findings file, verdict when both arms collapse).
PROTOCOLS = {"epoch1": ("PROTOCOL.md", "FINDINGS.md", "does not hold")}


def protocol_files(name):
    """(protocol, findings, both_collapsed) of a result name; later protocols are `PROTOCOL_<name>.md`."""
    return PROTOCOLS.get(name, (f"PROTOCOL_{name}.md", f"FINDINGS_{name}.md", "inconclusive"))


def findings(name, repo=sc.REPO):
    """Reads both arms' result files; returns (verdict, FINDINGS.md text)."""
    arms = sc.load_result_files(
        ("l1", "l1_unbounded"), name, repo=repo,
        command=lambda preset: (f"python -m tools.zoo_results --preset={preset} "
                                f"--flagfile_for_trainer=zoo/{preset}/train.flags --seeds=0,1,2 "
                                f"--name={name} --trainer_flag=--epochs=1"))
    reports = {p: [run["report"] for run in r["runs"]] for p, r in arms.items()}
    protocol, _, both_collapsed = protocol_files(name)
    result = verdict(reports["l1"], reports["l1_unbounded"], both_collapsed)
    lines = [
        f"# Findings: l1 (sigmoid D) vs l1_unbounded (protocol: {protocol})", "",
        f"Verdict on \"removing D's sigmoid rescues the L1 GAN\": **{result}** "
        f"(at {arms['l1']['runs'][0]['steps']:,} steps).", "",
        "| arm | seeds | steps | FD per seed | FD mean | recall | coverage | classes covered |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for preset, r in arms.items():
        reps = reports[preset]

        def mean(key, fmt="{:.2f}"):
            v = [x[key] for x in reps]
            return f"{fmt.format(statistics.mean(v))} [{fmt.format(min(v))}-{fmt.format(max(v))}]"

        lines.append(
            f"| `{preset}` | {len(reps)} | {r['runs'][0]['steps']:,} | "
            f"{', '.join(f'{x:.1f}' for x in (q['fd'] for q in reps))} | {mean('fd', '{:.1f}')} | "
            f"{mean('recall')} | {mean('coverage')} | {mean('classes_covered', '{:.1f}')} |")
    lines += ["", "Commands (result files `zoo/<arm>/results/" + name + ".json`, machine in each):", ""]
    lines += [f"- `python -m tools.zoo_results {r['arguments']}`" for r in arms.values()]
    return result, "\n".join(lines) + "\n"


def main(argv):
    del argv
    if FLAGS.verdict:
        result, text = findings(FLAGS.result_name)
        out = os.path.join(sc.RESULTS, "l1_vs_unbounded", protocol_files(FLAGS.result_name)[1])
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        print(text)
        return
    sc.variant_main("l1_vs_unbounded", "l1 vs l1_unbounded (`python -m studies.l1_unbounded`)",
                    VARIANTS, ("l1", "l1_unbounded"), FLAGS)


if __name__ == "__main__":
    define_flags()
    app.run(main)
