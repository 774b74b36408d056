"""JAX: dcgan's two costly convolutions under each data/kernel layout, for one XLA_FLAGS setting.

Usage: JAX_PLATFORMS=cpu [XLA_FLAGS=...] python experiments/jax_convs/jax_conv_layout_microbench.py [celeba] [nhwc]
("nhwc": Keras' layout only, to compare XLA_FLAGS settings.)
Prints ms per call (median of 20) for the forward, input gradient and kernel gradient of
D down_1 (stride-2 k4 convolution) and G up_1 (stride-2 k4 transposed convolution, as XLA's
input-dilated convolution) in NHWC/HWIO (Keras' layout), NCHW/OIHW, NHWC/OIHW and NCHW/HWIO.
Log: experiments/jax_convs/jax_conv_layout_microbench_zen4.txt
"""
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

LAYOUTS = [("NHWC", "HWIO"), ("NCHW", "OIHW"), ("NHWC", "OIHW"), ("NCHW", "HWIO")]


def to_layout(x, k, data, kern):
    """x NHWC, k HWIO -> the given layouts (done outside the timed function)."""
    if data == "NCHW":
        x = jnp.transpose(x, (0, 3, 1, 2))
    if kern == "OIHW":
        k = jnp.transpose(k, (3, 2, 0, 1))
    return x, k


def conv(data, kern, transposed):
    dn = (data, kern, data)
    if not transposed:
        return lambda x, k: lax.conv_general_dilated(x, k, (2, 2), ((1, 1), (1, 1)), dimension_numbers=dn)
    # a stride-2 "same" k4 transposed convolution: input dilated by 2, padded k-1-p = 2 each side
    # (Keras' conv_transpose for k=4, s=2, same); the kernel is used as is (spatially flipped
    # or not changes the values, not the cost).
    return lambda x, k: lax.conv_general_dilated(
        x, k, (1, 1), ((2, 2), (2, 2)), lhs_dilation=(2, 2), dimension_numbers=dn)


def bench(f, *a, reps=20):
    f = jax.jit(f)
    jax.block_until_ready(f(*a))
    for _ in range(3):
        jax.block_until_ready(f(*a))
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        jax.block_until_ready(f(*a))
        ts.append(time.perf_counter() - t)
    return 1000 * np.median(ts)


def main():
    rng = np.random.default_rng(0)
    cases = {"D down_1 14->7 64->128": ((128, 14, 14, 64), (4, 4, 64, 128), False),
             "G up_1 7->14 128->64": ((128, 7, 7, 128), (4, 4, 128, 64), True)}
    layouts = LAYOUTS[:1] if "nhwc" in sys.argv[1:] else LAYOUTS
    if "celeba" in sys.argv[1:]:
        cases = {"celeba G up_3 16->32 128->64": ((128, 16, 16, 128), (4, 4, 128, 64), True),
                 "celeba D down_1 32->16 64->128": ((128, 32, 32, 64), (4, 4, 64, 128), False)}
    total = {}
    for name, (xs, ks, transposed) in cases.items():
        x0 = jnp.asarray(rng.standard_normal(xs, dtype=np.float32))
        k0 = jnp.asarray(rng.standard_normal(ks, dtype=np.float32) * 0.05)
        ref = None
        for data, kern in layouts:
            fn = conv(data, kern, transposed)
            x, k = to_layout(x0, k0, data, kern)
            y = fn(x, k)
            y_nhwc = jnp.transpose(y, (0, 2, 3, 1)) if data == "NCHW" else y
            if ref is None:
                ref = y_nhwc
            diff = float(jnp.max(jnp.abs(y_nhwc - ref)))
            g = jnp.asarray(rng.standard_normal(y.shape, dtype=np.float32))
            fwd = bench(fn, x, k)
            dx = bench(lambda x, k, g: jax.vjp(lambda x: fn(x, k), x)[1](g)[0], x, k, g)
            dk = bench(lambda x, k, g: jax.vjp(lambda k: fn(x, k), k)[1](g)[0], x, k, g)
            total[(data, kern)] = total.get((data, kern), 0.0) + fwd + dx + dk
            print(f"{name:32s} {data}/{kern}  fwd {fwd:6.2f}  dx {dx:6.2f}  dk {dk:6.2f} ms"
                  f"  (max diff to NHWC/HWIO {diff:.1e})", flush=True)
    for (data, kern), t in total.items():
        print(f"sum {data}/{kern}: {t:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
