"""Profiling: what a training step costs, and where the time goes. One entry point, five modes.

    python -m tools.profiler --what=step ...            steps/s of a preset's fit() under variants
    python -m tools.profiler --what=convs ...           each convolution: forward and both gradients,
                                                       JAX vs TF vs TF+XLA vs PyTorch
    python -m tools.profiler --what=step_ops ...        a traced fit() step per layer and role
                                                       (forward, input/kernel gradient), TF vs JAX
    python -m tools.profiler --what=jax_ops ...         XLA op time per kind in a JAX fit() step
    python -m tools.profiler --what=conv_transpose ...  kerasgan's JAX transposed-convolution
                                                       gradient vs JAX's default, and TF

One module per mode (`step`, `convs`, `step_ops`, `jax_ops`, `conv_transpose`), each with a
`main()` and, where variants run in their own processes, a `child()`; `common` holds the flags
and what the modes share. Each mode prints a table and writes JSON to --output (default: under
experiments/profiles/, named after the mode and preset, with _b<batch> for a --batch_size;
--output= writes none). Variants and backends run in their own processes, round-robin, so that
machine drift spreads over all of them.
"""

from tools.profiler.convs import _torch_times, conv_layers, layer_call, torch_conv
from tools.profiler.step_ops import (hlo_op_names, jax_op_role, layer_of, network_layers,
                                     parse_hlo, summarize_step_ops, tf_op_role)

__all__ = ["conv_layers", "hlo_op_names", "jax_op_role", "layer_call", "layer_of",
           "network_layers", "parse_hlo", "summarize_step_ops", "tf_op_role", "torch_conv",
           "_torch_times"]
