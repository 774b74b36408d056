"""JAX: a stride-2 k4 convolution as XLA computes it vs as patches (im2col) times a matmul.

Usage: JAX_PLATFORMS=cpu python experiments/jax_convs/jax_im2col_microbench.py [celeba]
Log: experiments/jax_convs/jax_im2col_microbench_zen4.txt
"""
import os, time, sys
os.environ.setdefault("XLA_FLAGS", "")
import jax, jax.numpy as jnp
from jax import lax
import numpy as np

def conv_xla(x, k):  # NHWC, HWIO, stride 2, same
    return lax.conv_general_dilated(x, k, (2, 2), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))

def _taps(x, k):
    """The kernel's taps of a stride-2 "same" convolution: kh*kw strided slices of the padded input."""
    kh, kw, ci, co = k.shape
    n, h, w, c = x.shape
    oh, ow = -(-h // 2), -(-w // 2)
    # same padding for stride 2: total pad = max((out-1)*s + k - in, 0)
    ph = max((oh - 1) * 2 + kh - h, 0); pw = max((ow - 1) * 2 + kw - w, 0)
    xp = jnp.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    return [xp[:, i:i + 2 * oh:2, j:j + 2 * ow:2, :] for i in range(kh) for j in range(kw)]

def conv_im2col(x, k):
    kh, kw, ci, co = k.shape
    p = jnp.concatenate(_taps(x, k), axis=-1)  # n, oh, ow, kh*kw*ci  (order i, j, c)
    return jnp.einsum("nhwp,po->nhwo", p, k.reshape(kh * kw * ci, co))

def conv_im2col_stack(x, k):
    kh, kw, ci, co = k.shape
    p = jnp.stack(_taps(x, k), axis=3)  # n, oh, ow, kk, ci
    return jnp.einsum("nhwkc,kco->nhwo", p, k.reshape(kh * kw, ci, co))

def bench(f, *a, reps=20):
    f = jax.jit(f)
    r = f(*a); jax.block_until_ready(r)
    for _ in range(3): jax.block_until_ready(f(*a))
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); jax.block_until_ready(f(*a)); ts.append(time.perf_counter() - t)
    return 1000 * np.median(ts)

rng = np.random.default_rng(0)
cases = {"D down_1 14->7 64->128": ((128, 14, 14, 64), (4, 4, 64, 128)),
         "D down_0 28->14 1->64": ((128, 28, 28, 1), (4, 4, 1, 64))}
if len(sys.argv) > 1 and sys.argv[1] == "celeba":
    cases = {"celeba D down_1 32->16 64->128": ((128, 32, 32, 64), (4, 4, 64, 128)),
             "celeba D down_2 16->8 128->256": ((128, 16, 16, 128), (4, 4, 128, 256))}
for name, (xs, ks) in cases.items():
    x = jnp.asarray(rng.standard_normal(xs, dtype=np.float32))
    k = jnp.asarray(rng.standard_normal(ks, dtype=np.float32) * 0.05)
    y0 = conv_xla(x, k); y1 = conv_im2col(x, k); y2 = conv_im2col_stack(x, k)
    print(name, "maxdiff", float(jnp.max(jnp.abs(y0 - y1))), float(jnp.max(jnp.abs(y0 - y2))))
    g = jnp.asarray(rng.standard_normal(y0.shape, dtype=np.float32))
    for fn_name, fn in [("xla", conv_xla), ("im2col", conv_im2col), ("im2col_stack", conv_im2col_stack)]:
        fwd = bench(fn, x, k)
        vjp_in = bench(lambda x, k, g: jax.vjp(lambda x: fn(x, k), x)[1](g)[0], x, k, g)
        vjp_k = bench(lambda x, k, g: jax.vjp(lambda k: fn(x, k), k)[1](g)[0], x, k, g)
        print(f"  {fn_name:14s} fwd {fwd:6.2f}  dx {vjp_in:6.2f}  dk {vjp_k:6.2f} ms", flush=True)
