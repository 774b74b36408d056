"""`python -m tools.profiler --what=<mode>`: see the package docstring and each mode's module."""

import json
import os

from absl import app

from tools import outputs, profiler
from tools.profiler import common, conv_transpose, convs, jax_ops, step, step_ops

_MODES = {"step": step, "convs": convs, "step_ops": step_ops, "jax_ops": jax_ops,
          "conv_transpose": conv_transpose}
# `--help` prints the main module's docstring: the overview, then each mode's.
__doc__ = "\n".join([profiler.__doc__] + [module.__doc__ for module in _MODES.values()])


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    mode = _MODES[common.FLAGS.what]
    if common.FLAGS.child:
        child = getattr(mode, "child", None)
        if child is None:
            raise app.UsageError(f"--child is internal to --what=step, convs and step_ops. "
                                 f"Received: --what={common.FLAGS.what}")
        spec = json.loads(common.FLAGS.child) if mode is step else common.FLAGS.child
        print("RESULT " + json.dumps(child(spec)), flush=True)
        return
    outputs.refuse_existing(common.output_path(), common.FLAGS.overwrite)
    mode.main()


if __name__ == "__main__":
    common.define_flags()
    app.run(main)
