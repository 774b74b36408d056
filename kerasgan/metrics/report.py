"""`EvaluationReport`: what `kerasgan.metrics.evaluate` returns, a dict with a text summary."""

import json

# The metrics each judge's entry of `report["judges"]` holds (and its `real_vs_real`).
JUDGE_KEYS = ("fd", "fd_real_floor", "kid", "kid_se", "precision", "recall", "density", "coverage",
              "classes_covered", "num_classes", "low_confidence_fraction", "entropy_mean",
              "classifier_score")


class EvaluationReport(dict):
    """The result of `kerasgan.metrics.evaluate`: a JSON-serialisable dict with a text summary.

    Keys: the metrics of the generated images (`fd`, `fd_real_floor`, `kid`,
    `kid_se`, `kid_std`, `precision`, `recall`, `density`, `coverage`,
    `classes_covered`, `num_classes`, `low_confidence_fraction`,
    `class_histogram`, `confident_class_histogram`, `coverage_kl`,
    `entropy_mean`, `entropy_std`, `classifier_score`, ...), `real_vs_real`
    (the same metrics of a disjoint real sample: the best to expect) and
    `protocol` (sample sizes, reference split and seed, thresholds, the judge's
    file, sha256 and accuracy): all measured by the first judge. `judges` maps
    every judge's name (the first judge first) to its file, sha256, accuracy
    and the `JUDGE_KEYS` metrics, plus its `real_vs_real`; `fd_second_judge` is
    the FD measured by the second judge (present when there is one, as for
    Fashion-MNIST).
    """

    def to_json(self, **kwargs):
        """The report as a JSON string."""
        return json.dumps(self, **{"indent": 2, **kwargs})

    def summary(self):
        """A few lines of text: every metric with the real-vs-real value beside it."""
        p, r = self["protocol"], self.get("real_vs_real", {})
        judge = p["judge"]

        def both(key, fmt):
            value = fmt.format(self[key]) if self.get(key) is not None else "n/a"
            return value + (f"   (real vs real: {fmt.format(r[key])})" if r.get(key) is not None else "")

        lines = [
            f"{p['dataset']}: {p['num_generated']:,} generated vs {p['num_real']:,} real images "
            f"({p['reference_split']} split, reference seed {p['reference_seed']}; generation seed "
            f"{p['generation_seed']})",
            f"judge: {judge['file']} sha256 {str(judge['sha256'])[:16]}..." + (
                f" (accuracy {judge['test_accuracy']} on {judge['test_examples']:,} "
                f"{judge['test_split']} images)" if judge.get("test_examples") else ""),
            f"FD                {both('fd', '{:.2f}')}  [real floor with {p['floor_num_samples']:,} "
            f"vs {p['floor_num_samples']:,}]",
            f"KID               {self['kid']:.4f} +- {self['kid_se']:.4f} (SE)   (real vs real: "
            f"{r.get('kid', float('nan')):.4f})  [{p['kid_subsets']} subsets of {p['kid_subset_size']:,}]",
            f"precision/recall  {self.get('precision', float('nan')):.3f} / "
            f"{self.get('recall', float('nan')):.3f}   (real vs real: {r.get('precision', float('nan')):.3f}"
            f" / {r.get('recall', float('nan')):.3f})  [k={p['precision_recall_k']}]",
            f"density/coverage  {self.get('density', float('nan')):.3f} / "
            f"{self.get('coverage', float('nan')):.3f}   (real vs real: {r.get('density', float('nan')):.3f}"
            f" / {r.get('coverage', float('nan')):.3f})  [k={p['density_coverage_k']}]",
            f"classes covered   {self['classes_covered']}/{self['num_classes']}   (a class needs "
            f">= {p['min_fraction']:.0%} of samples with max softmax >= {p['min_confidence']}; "
            f"{self['low_confidence_fraction']:.1%} of samples below it)",
            "class histogram   " + " ".join(f"{v:.3f}" for v in self["class_histogram"]),
            f"entropy           {self['entropy_mean']:.3f} +- {self['entropy_std']:.3f}   (real: "
            f"{r.get('entropy_mean', float('nan')):.3f} +- {r.get('entropy_std', float('nan')):.3f})",
            f"classifier score  {both('classifier_score', '{:.2f}')}",
        ]
        for i, (name, j) in enumerate(list(self.get("judges", {}).items())[1:], start=2):
            jr = j.get("real_vs_real", {})

            def real(*keys, fmt, jr=jr):
                if any(jr.get(k) is None for k in keys):
                    return ""
                return "   (real vs real: " + " / ".join(fmt.format(jr[k]) for k in keys) + ")"

            nan = float("nan")
            lines += [
                f"{'second judge' if i == 2 else f'judge {i}'}: {name}, {j['file']} sha256 "
                f"{str(j['sha256'])[:16]}..." + (
                    f" (accuracy {j['test_accuracy']} on {j['test_examples']:,} {j['test_split']} "
                    "images)" if j.get("test_examples") else ""),
                f"  FD              {j['fd']:.2f}{real('fd', fmt='{:.2f}')}",
                f"  KID             {j['kid']:.4f} +- {j['kid_se']:.4f} (SE)"
                f"{real('kid', fmt='{:.4f}')}",
                f"  precision/rec.  {j.get('precision', nan):.3f} / {j.get('recall', nan):.3f}"
                f"{real('precision', 'recall', fmt='{:.3f}')}",
                f"  classes covered {j['classes_covered']}/{j['num_classes']}",
            ]
        if self.get("conditional_accuracy") is not None:
            lines.append(
                f"class accuracy    {self['conditional_accuracy']:.3f} (judge's class == the "
                "requested class); per class: " + " ".join(
                    "n/a" if v is None else f"{v:.2f}" for v in self["per_class_accuracy"]))
        return "\n".join(lines)

    def __str__(self):
        return self.summary()
