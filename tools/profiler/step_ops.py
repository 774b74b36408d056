"""--what=step_ops: where a whole fit() step spends its time, per layer and role.

Per layer of the generator and the discriminator and per role (forward, input gradient, kernel
gradient, other ops of the layer), plus the optimizer, the loss and the input pipeline;
TensorFlow and JAX (or --backend) in their own processes, --rounds rounds, median per cell.
TensorFlow: its graph (`jit_compile=False`, whatever the CPU's "auto" picks: ops inside XLA's
clusters carry no layer names), tf.profiler's per-op statistics, ops placed by their name
scopes. JAX: jax.profiler's
XLA:CPU op events, placed by the op_name metadata of the compiled module (dumped with
--xla_dump_to); where XLA's rewrites dropped a convolution's name, it takes that of the
unaccounted source convolution with the same output, and XLA's nameless layout copies count as
"layout copies" of the convolution they feed. Op time is summed over threads, so it exceeds the
wall time where ops overlap; the table also gives each backend's untraced ms per step and its
cores busy (process CPU time / wall).
    python -m tools.profiler --what=step_ops --preset=dcgan --rounds=2
"""

import collections
import glob
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

from tools.profiler.common import (FLAGS, compiled_preset, opt, output_path, run_child,
                                   traced_fit, write_json)

_ROLES = ("forward", "input gradient", "kernel gradient", "gradients", "layout copies", "other")
_LAYOUT_COPY = "layout_copy"  # op_name suffix of XLA's copies placed on the convolution they feed
_OUTSIDE = ("(optimizer)", "(loss, metrics and the rest)", "(input pipeline)",
            "(no source op: XLA's layout copies)", "(finite-step check)")


def network_layers(gan):
    """`{net name: {layer name: layer}}` of the generator and discriminator, in call order."""
    return {net.name: {layer.name: layer for layer in net.layers}
            for net in (gan.generator, gan.discriminator)}


def _named(token, names):
    """The name in `names` that `token` is (or is with a `_<n>` uniquifying suffix), else None."""
    if token in names:
        return token
    match = re.fullmatch(r"(.+)_\d+", token)
    return match.group(1) if match and match.group(1) in names else None


def layer_of(path, layers):
    """`(net, layer)` whose scope an op name path lies in, or `(None, None)`.

    Works for TensorFlow op names (`StatefulPartitionedCall/generator_1/up_1_1/conv_transpose`)
    and JAX's (`jit(train_step)/transpose(jvp(generator))/up_1/conv_general_dilated`)."""
    tokens = [t for t in re.split(r"[/()]", path) if t]
    for i, token in enumerate(tokens):
        net = _named(token, layers)
        if net is None:
            continue
        for later in tokens[i + 1:]:
            layer = _named(later, layers[net])
            if layer is not None:
                return net, layer
        return net, None
    return None, None


def _outside(path):
    if not path:
        return _OUTSIDE[3]
    lowered = path.lower()
    if "finite_step_check" in lowered:
        return _OUTSIDE[4]
    if any(w in lowered for w in ("optimizer", "adam", "rmsprop", "sgd", "assignvariable")):
        return _OUTSIDE[0]
    return _OUTSIDE[1]


def _is_transposed(layer):
    return "Transpose" in type(layer).__name__


def tf_op_role(op_type, path, layer):
    """forward / input gradient / kernel gradient / gradients / other, for a TF op of `layer`."""
    kind = re.sub(r"^_(MklNative|Mkl)", "", op_type)
    kind = re.sub(r"^(Fused)?Conv2D.*Fused.*|^FusedConv2D$", "Conv2D", kind)
    kind = re.sub(r"^Conv2DBackpropFilterWithBias$", "Conv2DBackpropFilter", kind)  # + bias grad
    if kind in ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"):
        if kind == "Conv2DBackpropFilter":
            return "kernel gradient"
        forward = "Conv2DBackpropInput" if _is_transposed(layer) else "Conv2D"
        return "forward" if kind == forward else "input gradient"
    if kind in ("MatMul", "BatchMatMulV2", "BatchMatMulV3", "Einsum", "_FusedMatMul"):
        return "gradients" if "gradient" in path.lower() else "forward"
    return "other"


def jax_op_role(path, shape, layer, batch):
    """The role of an XLA instruction (its op_name metadata and output shape) within `layer`."""
    last = [t for t in re.split(r"[/()]", path) if t][-1] if path else ""
    if last == _LAYOUT_COPY:
        return "layout copies"
    if last not in ("conv_general_dilated", "dot_general"):
        return "other"
    if "transpose(" not in path:
        return "forward"
    kernel = getattr(layer, "kernel", None)
    if kernel is None or shape is None:
        return "input gradient"
    if sorted(shape) == sorted(kernel.shape):
        return "kernel gradient"
    # XLA may flatten or permute a gradient: tell them apart by size, the input's first.
    if math.prod(shape) == batch * math.prod(layer.input.shape[1:]):
        return "input gradient"
    return "kernel gradient" if math.prod(shape) == math.prod(kernel.shape) else "input gradient"


def parse_hlo(text):
    """`{instruction: {"dims", "op_name", "opcode", "computes"}}` of an HLO module's text.

    `computes` says whether the instruction is, or is a fusion that calls, a convolution or a
    dot; `dims` is the output's dimensions (None for a tuple)."""
    out, bodies, computation = {}, collections.defaultdict(set), None
    pattern = re.compile(r"^\s*(?:ROOT\s+)?%?([\w.\-]+)\s*=\s*(\S+)\s+([\w\-]+)\(")
    for line in text.splitlines():
        header = re.match(r"^(?:ENTRY\s+)?%?([\w.\-]+)\s.*\{\s*$", line)
        if header and "=" not in line.split("(")[0]:
            computation = header.group(1)
            continue
        match = pattern.match(line)
        if not match:
            continue
        name, shape, opcode = match.groups()
        bodies[computation].add(opcode)
        op_name = re.search(r"metadata=\{[^}]*op_name=\"([^\"]*)\"", line)
        calls = re.search(r"calls=%?([\w.\-]+)", line)
        args = line[match.end():].split(")", 1)[0]
        dims = re.fullmatch(r"[a-z0-9]+\[([\d,]*)\](?:\{[^}]*\})?", shape)
        out[name] = {"dims": [int(d) for d in dims.group(1).split(",") if d] if dims else None,
                     "op_name": op_name.group(1) if op_name else "", "opcode": opcode,
                     "calls": calls.group(1) if calls and opcode == "fusion" else None,
                     "operands": re.findall(r"%([\w.\-]+)", args), "computation": computation}
    fused = {info["calls"] for info in out.values() if info["calls"]}
    for info in out.values():
        called = bodies.get(info.pop("calls"), set()) if info["opcode"] == "fusion" else set()
        info["computes"] = bool({info["opcode"], *called} & {"convolution", "dot"})
        info["fused"] = info.pop("computation") in fused  # inside a fusion: not its own kernel
    return out


def hlo_op_names(optimized, original=""):
    """`{instruction: (dims, op_name)}` of an optimized HLO module's text.

    XLA's rewrites drop the source op's name from some convolutions and dots (kerasgan's
    transposed-convolution kernel gradient, for one); each such instruction takes the name of a
    convolution or dot of the original module (`original`, the text before optimizations) with
    the same output dimensions, in any order, that no named instruction accounts for. Nameless
    copies and transposes that feed a convolution or dot (XLA's layout assignment) take its name
    with a `/layout_copy` suffix."""
    opt = parse_hlo(optimized)
    unclaimed = [(info["op_name"], sorted(info["dims"] or []))
                 for info in parse_hlo(original).values()
                 if info["computes"] and info["op_name"] and not info["fused"]]
    named = {n: i for n, i in opt.items() if i["computes"] and i["op_name"] and not i["fused"]}
    for info in named.values():
        key = (info["op_name"], sorted(info["dims"] or []))
        if key in unclaimed:
            unclaimed.remove(key)
    out = {}
    for name, info in opt.items():
        op_name = info["op_name"]
        if not op_name and info["computes"] and not info["fused"]:
            for key in unclaimed:
                if key[1] == sorted(info["dims"] or []):
                    op_name = key[0]
                    unclaimed.remove(key)
                    break
        out[name] = (info["dims"], op_name)
    users = collections.defaultdict(list)
    for name, info in opt.items():
        for operand in info["operands"]:
            users[operand].append(name)
    for name, info in opt.items():
        if out[name][1] or info["computes"] or info["fused"]:
            continue
        frontier, seen = list(users[name]), set()
        while frontier:  # breadth first through nameless copies, to the first convolution/dot
            user = frontier.pop(0)
            if user in seen or user not in opt:
                continue
            seen.add(user)
            if opt[user]["computes"] and out[user][1]:
                out[name] = (info["dims"], f"{out[user][1]}/{_LAYOUT_COPY}")
                break
            if not out[user][1]:
                frontier.extend(users[user])
    return out


def untraced_step(gan, ds, spe, steps):
    """(ms per step, cores busy) of fit() without tracing; cores busy = process CPU time / wall."""
    import keras

    marks = []

    def clocks():
        usage = os.times()
        return time.perf_counter(), usage.user + usage.system

    class Marks(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            marks.append(clocks())

    executions = max(1, -(-steps // spe))
    gan.fit(ds, epochs=1, steps_per_epoch=spe * (1 + executions), verbose=0, callbacks=[Marks()])
    (wall0, cpu0), (wall1, cpu1) = marks[0], marks[-1]
    return 1e3 * (wall1 - wall0) / (executions * spe), (cpu1 - cpu0) / (wall1 - wall0)


def child(backend):
    """Traces a fit() step; returns ms per step summed per (net, layer, role)."""
    import kerasgan

    gan, ds, batch, spe, steps = compiled_preset(
        kerasgan, **({"jit_compile": False} if backend == "tensorflow" else {}))
    layers = network_layers(gan)
    untraced, cores_busy = untraced_step(gan, ds, spe, steps)
    cells = collections.defaultdict(float)  # "net|layer|role" -> ms per step

    def add(path, role_of):
        net, name = layer_of(path, layers)
        if name is None:
            return f"||{_outside(path)}" if net is None else f"{net}||other"
        return f"{net}|{name}|{role_of(layers[net][name])}"

    if backend == "jax":
        trace, traced = traced_fit(gan, ds, steps, "jax", "trace_viewer@")
        modules = {}
        dump = os.environ["KERASGAN_HLO_DUMP"]
        for path in sorted(glob.glob(os.path.join(dump, "*.cpu_after_optimizations.txt"))):
            # module_NNNN.<name>.cpu_after_optimizations.txt; the last compile of a name wins
            before = path.replace(".cpu_after_optimizations.txt", ".before_optimizations.txt")
            with open(path, encoding="utf-8") as f, open(before, encoding="utf-8") as g:
                modules[os.path.basename(path).split(".")[1]] = hlo_op_names(f.read(), g.read())
        for e in trace["traceEvents"]:
            args = e.get("args") or {}
            if e.get("ph") != "X" or "hlo_op" not in args:
                continue
            shape, op_name = modules.get(args.get("hlo_module"), {}).get(args["hlo_op"], (None, ""))
            key = add(op_name, lambda layer: jax_op_role(op_name, shape, layer, batch))
            cells[key] += float(e.get("dur", 0)) / 1e3 / steps
    else:
        table, traced = traced_fit(gan, ds, steps, "tensorflow", "framework_op_stats")
        table = table[0] if isinstance(table, list) else table
        cols = [c["id"] for c in table["cols"]]
        for row in table["rows"]:
            r = dict(zip(cols, [c.get("v") for c in row["c"]]))
            op_type, path = r["type"], r["operation"]
            if op_type == "IDLE":
                continue
            if op_type == "Dataset" or path.startswith("Iterator::"):
                key = f"||{_OUTSIDE[2]}"
            else:
                key = add(path, lambda layer: tf_op_role(op_type, path, layer))
            cells[key] += float(r["total_self_time"]) / 1e3 / steps
    order = [f"{net}|{name}" for net, names in layers.items() for name in names]
    return {"batch": batch, "steps": steps, "jit_compile": gan.jit_compile,
            "untraced_ms_per_step": untraced,
            "cores_busy_untraced": cores_busy,
            "traced_ms_per_step": traced, "cells": dict(cells), "layer_order": order}


def main():
    """Runs both backends (or --backend) round-robin; prints and writes the table."""
    backends = [FLAGS.backend] if FLAGS.backend else ["tensorflow", "jax"]
    runs = {b: [] for b in backends}
    for _ in range(FLAGS.rounds):
        for backend in backends:
            env = {**os.environ, "KERAS_BACKEND": backend}
            if backend == "jax":
                dump = tempfile.mkdtemp(prefix="kerasgan-hlo-")
                env["KERASGAN_HLO_DUMP"] = dump
                env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "")
                                    + " --xla_cpu_enable_xprof_traceme=true"
                                    f" --xla_dump_to={dump} --xla_dump_hlo_as_text"
                                    " --xla_dump_hlo_pass_re=^$").strip()
            args = ["--what=step_ops", f"--child={backend}", f"--preset={FLAGS.preset}",
                    f"--steps={opt('steps')}"]
            if FLAGS.batch_size:
                args.append(f"--batch_size={FLAGS.batch_size}")
            try:
                runs[backend].append(run_child(args, env))
            finally:
                if backend == "jax":
                    shutil.rmtree(dump, ignore_errors=True)
            print(f"[profile] {backend} round done", flush=True)
    result = summarize_step_ops(runs)
    print_step_ops(result)
    result.update(command=sys.argv, runs=runs, load_average_end=os.getloadavg())
    write_json(result, output_path())


def summarize_step_ops(runs):
    """Median over rounds of each cell, and totals, per backend."""
    backends = list(runs)
    keys = sorted({k for b in backends for r in runs[b] for k in r["cells"]})
    order = runs[backends[0]][0]["layer_order"]

    def sort_key(key):
        net, name, role = key.split("|")
        layer = f"{net}|{name}"
        rank = order.index(layer) if layer in order else len(order) + (0 if net else 1)
        return (rank, _ROLES.index(role) if role in _ROLES else 0, role)

    keys.sort(key=sort_key)
    median = {b: {k: statistics.median(r["cells"].get(k, 0.0) for r in runs[b]) for k in keys}
              for b in backends}
    return {
        "preset": FLAGS.preset,
        "batch": runs[backends[0]][0]["batch"],
        "cells_ms_per_step": median,
        "order": keys,
        "traced_op_ms_per_step": {b: sum(median[b].values()) for b in backends},
        "traced_wall_ms_per_step": {b: statistics.median(r["traced_ms_per_step"] for r in runs[b])
                                    for b in backends},
        "untraced_ms_per_step": {b: statistics.median(r["untraced_ms_per_step"] for r in runs[b])
                                 for b in backends},
        "cores_busy_untraced": {b: statistics.median(r["cores_busy_untraced"] for r in runs[b])
                                for b in backends},
    }


def print_step_ops(result):
    backends = list(result["cells_ms_per_step"])
    cells = result["cells_ms_per_step"]
    print(f"\n{result['preset']}, batch {result['batch']}: op time per traced step, ms (summed "
          "over threads), by layer and role")
    head = "".join(f"{b:>12}" for b in backends)
    diff = len(backends) == 2
    print(f"{'network/layer':<30}{'role':<17}{head}" + (f"{'difference':>12}" if diff else ""))
    for key in result["order"]:
        net, name, role = key.split("|")
        vals = [cells[b][key] for b in backends]
        if max(vals) < 0.05:
            continue
        label = f"{net}/{name}" if name else (net or role)
        role = "" if not net else role
        print(f"{label:<30}{role:<17}" + "".join(f"{v:>12.1f}" for v in vals)
              + (f"{vals[1] - vals[0]:>12.1f}" if diff else ""))
    for title, field in (("sum of op time", "traced_op_ms_per_step"),
                         ("wall, traced", "traced_wall_ms_per_step"),
                         ("wall, untraced", "untraced_ms_per_step")):
        vals = [result[field][b] for b in backends]
        print(f"{title:<47}" + "".join(f"{v:>12.1f}" for v in vals)
              + (f"{vals[1] - vals[0]:>12.1f}" if diff else ""))
    print(f"{'cores busy, untraced (CPU time / wall)':<47}"
          + "".join(f"{result['cores_busy_untraced'][b]:>12.2f}" for b in backends))


# -------------------------------------------------------------------- --what=conv_transpose
