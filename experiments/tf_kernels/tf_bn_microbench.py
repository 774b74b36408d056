"""TensorFlow: Keras BatchNormalization (training) vs tf.compat.v1.nn.fused_batch_norm, forward + backward.

Usage: KERAS_BACKEND=tensorflow python experiments/tf_kernels/tf_bn_microbench.py
Log: experiments/tf_kernels/tf_bn_microbench_zen4.txt
"""
import time, numpy as np, os
os.environ["KERAS_BACKEND"]="tensorflow"
import tensorflow as tf, keras
x = tf.constant(np.random.default_rng(0).standard_normal((128,14,14,64)).astype("float32"))
bn = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5); bn.build(x.shape)
g = tf.constant(np.random.default_rng(1).standard_normal((128,14,14,64)).astype("float32"))
@tf.function
def keras_bn(x):
    with tf.GradientTape() as t:
        t.watch(x); y = bn(x, training=True); l = tf.reduce_sum(y * g)
    return t.gradient(l, [x] + bn.trainable_variables)
scale = tf.Variable(tf.ones(64)); offset = tf.Variable(tf.zeros(64))
@tf.function
def fused_bn(x):
    with tf.GradientTape() as t:
        t.watch(x); y, m, v = tf.compat.v1.nn.fused_batch_norm(x, scale, offset, epsilon=1e-5, is_training=True); l = tf.reduce_sum(y * g)
    return t.gradient(l, [x, scale, offset])
for name, f in [("keras", keras_bn), ("fused", fused_bn)] * 2:
    f(x); ts=[]
    for _ in range(30):
        t0=time.perf_counter(); r=f(x); _=r[0].numpy(); ts.append(time.perf_counter()-t0)
    print(name, "fwd+bwd ms", round(1000*np.median(ts),2))
