# A/B of the TF dcgan fit() step with G's first layer (1x1 noise, 'valid' transposed convolution)
# as one einsum, patched into Keras' TF conv_transpose in this process (not in kerasgan).
# Alternate processes: KERAS_BACKEND=tensorflow python experiments/tf_kernels/ab_tf_projection.py off|proj
# Log (2026-12-01): experiments/tf_kernels/ab_tf_projection_zen4.txt
# A/B: TF dcgan fit() step with the 1x1-input "valid" conv_transpose (G project) as one einsum.
import statistics, sys, time, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.getcwd())
import numpy as np, tensorflow as tf
from keras.src.backend.tensorflow import nn as knn
mode = sys.argv[1]
orig = knn.conv_transpose
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None, dilation_rate=1):
    if (len(inputs.shape) == 4 and inputs.shape[1] == 1 and inputs.shape[2] == 1 and padding == "valid"
            and output_padding is None and data_format in (None, "channels_last") and dilation_rate in (1, (1, 1))):
        return tf.einsum("bc,ijoc->bijo", inputs[:, 0, 0, :], kernel)
    return orig(inputs, kernel, strides, padding, output_padding, data_format, dilation_rate)
if mode == "proj":
    knn.conv_transpose = conv_transpose
import kerasgan
gan = kerasgan.zoo.get("dcgan", seed=0)
x = np.random.default_rng(0).uniform(-1, 1, (128 * 8, 28, 28, 1)).astype("float32")
ds = tf.data.Dataset.from_tensor_slices(x).batch(128, drop_remainder=True).repeat()
gan.fit(ds, epochs=1, steps_per_epoch=4, verbose=0)
rates = []
for _ in range(8):
    t = time.perf_counter(); gan.fit(ds, epochs=1, steps_per_epoch=10, verbose=0); rates.append(10 / (time.perf_counter() - t))
print("dcgan", mode, "chunks", " ".join(f"{r:.2f}" for r in rates), f"median {statistics.median(rates):.3f}", flush=True)
