"""One dcgan-sized matmul (6272x1024 @ 1024x128, D down_1 as im2col) in JAX, TF, NumPy and PyTorch.

Usage: python experiments/matmul/gemm_microbench.py jax|tf|np|torch
Log: experiments/matmul/gemm_microbench_zen4.txt
"""
import time, numpy as np, sys
M, K, N = 6272, 1024, 128
a = np.random.rand(M, K).astype(np.float32); b = np.random.rand(K, N).astype(np.float32)
def t(f, reps=20):
    f(); f(); ts = []
    for _ in range(reps):
        s = time.perf_counter(); f(); ts.append(time.perf_counter() - s)
    return 1000 * np.median(ts)
which = sys.argv[1]
if which == "jax":
    import jax, jax.numpy as jnp
    A, B = jnp.asarray(a), jnp.asarray(b); f = jax.jit(jnp.dot)
    print("jax", t(lambda: f(A, B).block_until_ready()))
elif which == "tf":
    import tensorflow as tf
    A, B = tf.constant(a), tf.constant(b); f = tf.function(tf.matmul)
    print("tf", t(lambda: f(A, B).numpy()))
elif which == "np":
    print("np", t(lambda: a @ b))
elif which == "torch":
    import torch
    A, B = torch.from_numpy(a), torch.from_numpy(b)
    print("torch", t(lambda: A @ B))
print("GFLOP", 2 * M * K * N / 1e9)
