# Is the stall of fit() calls kerasgan's? A plain Keras conv model's fit() in chunks of 8 steps: tf.data input
# (default options, autotune off, a one-thread private pool) or numpy input.
# python experiments/cpu_autotune/fit_stall_check.py tfdata|numpy|tfdata_noauto|tfdata_priv1 [chunks, default 16]
import time, os, sys, statistics
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np, tensorflow as tf, keras
mode = sys.argv[1]
m = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(64, 5, 2, "same", activation="relu"),
                      keras.layers.Conv2D(128, 5, 2, "same", activation="relu"), keras.layers.Flatten(), keras.layers.Dense(1)])
m.compile("adam", "mse", jit_compile=False)
x = np.random.default_rng(0).uniform(-1, 1, (1024, 28, 28, 1)).astype("float32"); y = np.zeros((1024, 1), "float32")
if mode.startswith("tfdata"):
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(128, drop_remainder=True).repeat()
    opts = tf.data.Options()
    if mode == "tfdata_noauto":
        opts.autotune.enabled = False
    if mode == "tfdata_priv1":
        opts.threading.private_threadpool_size = 1
    ds = ds.with_options(opts)
    fit = lambda n: m.fit(ds, epochs=1, steps_per_epoch=n, verbose=0)
else:
    fit = lambda n: m.fit(x[:128 * n], y[:128 * n], batch_size=128, epochs=1, verbose=0)
fit(4)
r = []
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 16):
    t = time.perf_counter(); fit(8); r.append(time.perf_counter() - t)
print(mode, "chunk s", " ".join(f"{v:.3f}" for v in r))
