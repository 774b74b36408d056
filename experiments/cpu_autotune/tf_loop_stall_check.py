# The plain-TF control of experiments/cpu_autotune/fit_stall_check.py: chunks of 10 calls of a tf.function of matmuls.
# python experiments/cpu_autotune/tf_loop_stall_check.py
# Does a plain TF loop (no Keras fit) show the 2.55-s chunks? Times chunks of matmul work ~1.3 s.
import time, os, statistics
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf
a = tf.random.normal((1024, 1024)); 
@tf.function
def work(a):
    for _ in range(40):
        a = tf.tanh(a @ a / 32.0)
    return a
work(a).numpy()
rates = []
for _ in range(16):
    t = time.perf_counter()
    for _ in range(10):
        work(a).numpy()
    rates.append(time.perf_counter() - t)
print("chunk seconds", " ".join(f"{r:.3f}" for r in rates))
