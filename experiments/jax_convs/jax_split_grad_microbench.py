"""JAX: a strided convolution's kernel gradient over the whole batch vs as a sum over batch parts.

The sum over parts changes only the order of the float additions; the script prints the relative
difference to the one-piece gradient beside each time (ms, median of 20 calls, batch 128).

Usage: JAX_PLATFORMS=cpu python experiments/jax_convs/jax_split_grad_microbench.py [name filter ...]
Log: experiments/jax_convs/jax_split_grad_microbench_zen4.txt
"""
import sys

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax_conv_layout_microbench import bench  # this directory is on sys.path when run as a script

DN = ("NHWC", "HWIO", "NHWC")


def conv(x, k):
    return lax.conv_general_dilated(x, k, (2, 2), ((1, 1), (1, 1)), dimension_numbers=DN)


def dk_whole(x, k, g):
    return jax.vjp(lambda k: conv(x, k), k)[1](g)[0]


def dk_split(parts):
    def f(x, k, g):
        xs, gs = jnp.split(x, parts), jnp.split(g, parts)
        return sum(dk_whole(a, k, b) for a, b in zip(xs, gs))
    return f


def main():
    rng = np.random.default_rng(0)
    cases = {"dcgan D down_0 28->14 1->64": ((128, 28, 28, 1), (4, 4, 1, 64)),
             "dcgan D down_1 14->7 64->128": ((128, 14, 14, 64), (4, 4, 64, 128)),
             "celeba D down_0 64->32 3->64": ((128, 64, 64, 3), (4, 4, 3, 64)),
             "celeba D down_1 32->16 64->128": ((128, 32, 32, 64), (4, 4, 64, 128)),
             "celeba D down_2 16->8 128->256": ((128, 16, 16, 128), (4, 4, 128, 256)),
             "celeba D down_3 8->4 256->512": ((128, 8, 8, 256), (4, 4, 256, 512))}
    if len(sys.argv) > 1:
        cases = {k: v for k, v in cases.items() if any(a in k for a in sys.argv[1:])}
    for name, (xs, ks) in cases.items():
        x = jnp.asarray(rng.standard_normal(xs, dtype=np.float32))
        k = jnp.asarray(rng.standard_normal(ks, dtype=np.float32) * 0.05)
        g = jnp.asarray(rng.standard_normal(conv(x, k).shape, dtype=np.float32))
        ref = dk_whole(x, k, g)
        for label, fn in (("whole batch", dk_whole), ("2 parts", dk_split(2)),
                          ("4 parts", dk_split(4)), ("8 parts", dk_split(8)),
                          ("16 parts", dk_split(16))):
            diff = float(jnp.max(jnp.abs(fn(x, k, g) - ref)) / jnp.max(jnp.abs(ref)))
            print(f"{name:32s} {label:12s} {bench(fn, x, k, g):7.2f} ms  (rel. diff {diff:.1e})",
                  flush=True)


if __name__ == "__main__":
    main()
