"""The wgan_gp critic's three inner convolutions alone (5x5, stride 2, "same", batch 128) under
TensorFlow: forward, and one gradient-penalty-like step (a gradient of the input gradient); then
the last one (4x4 -> 2x2) as Conv2D against one matmul over its stacked patches (PatchConv2D's
form). ms per call, mean of 20 calls after one warm-up, two passes.

    python experiments/patch_conv/layer_microbench.py
"""

import time

import tensorflow as tf

B = 128


def _timed(fn, x):
    fn(x)
    start = time.perf_counter()
    for _ in range(20):
        out = fn(x)
    _ = (out[0] if isinstance(out, list) else out).numpy()
    return (time.perf_counter() - start) / 20 * 1e3


def _fns(conv, kernel, bias):
    @tf.function
    def forward(x):
        return conv(x)

    @tf.function
    def penalty_step(x):
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = tf.reduce_sum(tf.nn.leaky_relu(conv(x)))
            g = inner.gradient(y, x)
            norm = tf.sqrt(tf.reduce_sum(g * g, [1, 2, 3]))
            loss = tf.reduce_mean(tf.square(norm - 1)) + tf.reduce_mean(conv(x))
        return outer.gradient(loss, [kernel, bias])

    return forward, penalty_step


def layer(h, cin, cout, form="conv2d"):
    x = tf.random.normal((B, h, h, cin))
    kernel = tf.Variable(tf.random.normal((5, 5, cin, cout)) * 0.01)
    bias = tf.Variable(tf.zeros(cout))

    def conv2d(x):
        return tf.nn.bias_add(tf.nn.conv2d(x, kernel, 2, "SAME"), bias)

    def patches(x):  # 4x4 -> 2x2 only: pad (1, 2) as "same" does, one window per output position
        xp = tf.pad(x, [[0, 0], [1, 2], [1, 2], [0, 0]])
        p = tf.stack([xp[:, 2 * i:2 * i + 5, 2 * j:2 * j + 5, :] for i in range(2)
                      for j in range(2)], 1)
        y = tf.matmul(tf.reshape(p, (B * 4, -1)), tf.reshape(kernel, (-1, cout)))
        return tf.nn.bias_add(tf.reshape(y, (B, 2, 2, cout)), bias)

    conv = conv2d if form == "conv2d" else patches
    forward, step = _fns(conv, kernel, bias)
    fwd_ms, step_ms = _timed(forward, x), _timed(step, x)
    gflop = B * (h // 2) ** 2 * cout * 25 * cin * 2 / 1e9
    print(f"{form:8s} {h}x{h}x{cin} -> {h // 2}x{h // 2}x{cout}: forward {fwd_ms:.1f} ms "
          f"({gflop / fwd_ms * 1e3:.0f} GFLOP/s), penalty step {step_ms:.1f} ms", flush=True)


if __name__ == "__main__":
    for _ in range(2):
        layer(16, 64, 128)
        layer(8, 128, 256)
        layer(4, 256, 512)
        layer(4, 256, 512, form="patches")
