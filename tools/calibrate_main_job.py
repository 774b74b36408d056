"""Trains dcgan on Fashion-MNIST and writes a grid every 100 steps (chooses the quickstart step budget).

Run: KERAS_BACKEND=tensorflow .venv/bin/python tools/calibrate_main_job.py
"""
import time, kerasgan, keras
ds = kerasgan.data.load("fashion_mnist", preset="dcgan", seed=0, repeat=True)
gan = kerasgan.zoo.get("dcgan", seed=0)
class T(keras.callbacks.Callback):
    def on_train_begin(self, logs=None): self.t = time.time()
    def on_epoch_end(self, e, logs=None): print(f"epoch {e+1} step {int(self.model.optimizer.iterations)} elapsed {time.time()-self.t:.0f}s {logs}", flush=True)
gan.fit(ds, epochs=15, steps_per_epoch=100, verbose=0, callbacks=[T(), kerasgan.callbacks.SampleGrid("runs/calibration/samples", 64, seed=0)])
