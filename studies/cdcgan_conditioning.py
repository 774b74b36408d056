"""cdcgan variants on Fashion-MNIST: judge accuracy by requested class after each chunk of steps.

The runs behind BUILD_NOTES.md, "Presets" (2026-12-01).

usage: python -m studies.cdcgan_conditioning NAME CHUNK CHUNKS key=value ...
  g=cbn|concat|both  emb_std=float  emb_dim=int  d=projection|acgan|concat  sn=0|1
  loss=hinge|bce  aux=float  lr=float  batch=int  pool=sum|mean|flatten (D features; default sum,
  the pooling of every run recorded here)
"""
import json
import os
import sys
import time

import keras
import numpy as np
from keras import layers

import kerasgan
import kerasgan.zoo.conditional_presets  # noqa: F401
from kerasgan import metrics
from kerasgan.networks import conditional as C
from kerasgan.networks.dcgan import dcgan_stages
from kerasgan.networks.catalog import register_generator

emb_std, emb_dim = 1.0, 10  # set by main() from the command line


def exp_gen(num_classes, latent_dim=100, image_shape=(28, 28, 1), base_filters=64, mode="both",
            output_activation="tanh", **kw):
    start, stages = dcgan_stages(image_shape)
    noise = keras.Input((latent_dim,), name="noise")
    labels = C.labels_input()
    x = noise
    if mode in ("concat", "both"):
        emb = layers.Embedding(num_classes, emb_dim,
                               embeddings_initializer=keras.initializers.RandomNormal(0, emb_std),
                               name="label_embedding")(labels)
        x = layers.Concatenate()([noise, emb])
    x = layers.Reshape((1, 1, int(x.shape[-1])))(x)

    def norm(x, i):
        if mode in ("cbn", "both"):
            return C.ConditionalBatchNormalization(num_classes, name=f"cbn_{i}")([x, labels])
        return layers.BatchNormalization(gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02))(x)

    filters = base_filters * 2 ** (stages - 1)
    x = layers.Conv2DTranspose(filters, start, padding="valid", use_bias=False,
                               kernel_initializer=C._conv_init())(x)
    x = layers.ReLU()(norm(x, 0))
    for i in range(1, stages):
        filters //= 2
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=C._conv_init())(x)
        x = layers.ReLU()(norm(x, i))
    x = layers.Conv2DTranspose(int(image_shape[-1]), 4, strides=2, padding="same", use_bias=False,
                               kernel_initializer=C._conv_init())(x)
    out = layers.Activation(output_activation, dtype="float32")(x)
    return keras.Model([noise, labels], out, name="generator")


def main(argv):
    global emb_std, emb_dim
    name, chunk, chunks = argv[1], int(argv[2]), int(argv[3])
    opts = dict(a.split("=", 1) for a in argv[4:])
    g_mode = opts.get("g", "both")
    emb_std = float(opts.get("emb_std", 1.0))
    emb_dim = int(opts.get("emb_dim", 10))
    d_mode = opts.get("d", "projection")
    sn = opts.get("sn", "1") == "1"
    loss = opts.get("loss", "hinge")
    aux = float(opts.get("aux", 1.0))
    lr = float(opts.get("lr", 2e-4))
    batch = int(opts.get("batch", 64))
    register_generator("exp_cgen", exp_gen)
    gan_cond = {"projection": "projection", "acgan": "acgan", "concat": "concat"}[d_mode]
    gan = kerasgan.zoo.get(
        "cdcgan", seed=0,
        generator={"name": "exp_cgen", "num_classes": 10, "base_filters": 64, "mode": g_mode},
        discriminator={"name": "conditional_dcgan", "num_classes": 10, "base_filters": 64,
                       "conditioning": d_mode, "spectral_norm": sn,
                       "pooling": opts.get("pool", "sum")},
        conditioning=gan_cond, loss=loss, aux_loss_weight=aux, learning_rate=lr, batch_size=batch,
    )
    ds = kerasgan.data.load("fashion_mnist", preset="cdcgan", batch_size=batch, repeat=True, seed=0)
    clf = metrics.load_classifier("fashion_mnist")
    labels = np.repeat(np.arange(10), 50)
    os.makedirs("studies/results/cdcgan_conditioning", exist_ok=True)
    t = time.time()
    rows = []
    for c in range(chunks):
        gan.fit(ds, steps_per_epoch=chunk, epochs=1, verbose=0)
        images = gan.generate(500, labels=labels, seed=0)
        probs, _ = clf.predict(images)
        pred = probs.argmax(1)
        acc = float((pred == labels).mean())
        per = [float((pred[labels == k] == k).mean()) for k in range(10)]
        row = dict(step=(c + 1) * chunk, s=round(time.time() - t), acc=acc,
                   conf=float(probs.max(1).mean()), per=per)
        rows.append(row)
        from kerasgan.plotting import save_image_grid
        save_image_grid(images[::5][:100], f"studies/results/cdcgan_conditioning/{name}_{row['step']}.png", title=f"{name} {row['step']}", columns=10)
        print(name, json.dumps(row), flush=True)
    np.save(f"studies/results/cdcgan_conditioning/{name}_images.npy", images)
    json.dump(dict(opts=opts, rows=rows), open(f"studies/results/cdcgan_conditioning/{name}.json", "w"))


if __name__ == "__main__":
    main(sys.argv)
