# Microbenchmark behind the reverted TF phase form (measured 2026-12-01): TensorFlow's conv2d_transpose vs the
# phase (sub-pixel) form for three strided layers, batch 128, graph mode, median of 15 calls after 2.
# Needs only TensorFlow: python experiments/tf_kernels/tf_phase_microbench.py
import os, time, statistics, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np, tensorflow as tf

def phase_conv_transpose(x, k, s):
    """Keras 'same' conv_transpose, NHWC, kernel (kh, kw, out, in), stride s (square)."""
    kh, kw, cout, cin = k.shape
    A = -(-kh // s)
    kpad = tf.pad(k, [[0, A * s - kh], [0, A * s - kw], [0, 0], [0, 0]])
    # (A, s, A, s, out, in): tap a*s + r
    kr = tf.reshape(kpad, [A, s, A, s, cout, cin])
    kr = tf.reverse(kr, [0, 2])                       # b = A-1-a
    kr = tf.transpose(kr, [0, 2, 5, 1, 3, 4])          # (b_h, b_w, in, r_h, r_w, out)
    kr = tf.reshape(kr, [A, A, cin, s * s * cout])
    n_h, n_w = x.shape[1], x.shape[2]
    xp = tf.pad(x, [[0, 0], [A - 1, A - 1], [A - 1, A - 1], [0, 0]])
    z = tf.nn.conv2d(xp, kr, 1, "VALID")
    z = tf.nn.depth_to_space(z, s)
    pb = max(kh - s, 0) // 2
    return z[:, pb:pb + n_h * s, pb:pb + n_w * s, :]

if __name__ == "__main__":
    def med(fn, r=15):
        fn(); fn()
        t = []
        for _ in range(r):
            a = time.perf_counter(); fn(); t.append(1e3 * (time.perf_counter() - a))
        return statistics.median(t)

    rng = np.random.default_rng(0)
    for (n, cin, cout, kk) in [(14, 64, 1, 5), (7, 128, 64, 5), (32, 64, 3, 5)]:
        x = tf.constant(rng.standard_normal((128, n, n, cin)).astype("float32"))
        k = tf.constant(rng.standard_normal((kk, kk, cout, cin)).astype("float32"))
        ref = tf.function(lambda x, k: tf.nn.conv2d_transpose(x, k, [128, 2 * n, 2 * n, cout], 2, "SAME"))
        ph = tf.function(lambda x, k: phase_conv_transpose(x, k, 2))
        err = float(tf.reduce_max(tf.abs(ref(x, k) - ph(x, k))))
        print(f"n={n} {cin}->{cout} k{kk}: maxerr {err:.2e}  tf {med(lambda: ref(x,k).numpy()):.2f} ms  phase {med(lambda: ph(x,k).numpy()):.2f} ms", flush=True)
