"""Pilot (seed 100, not reused): entropy / FD of a preset on held-out MNIST vs steps, at width h.

KERAS_BACKEND=tensorflow .venv/bin/python studies/results/entropy_table/pilot/pilot.py 16 wgan 1000,2000,3000
(prints one JSON line per check; grids and a JSON summary beside this file). Stopped on 2026-12-01
after the 2,000-step check: `wgan_h16_seed100.jsonl`.
"""
import json, os, sys, time
import kerasgan
h = int(sys.argv[1]); preset = sys.argv[2]; checkpoints = [int(s) for s in sys.argv[3].split(",")]
ov = {"hidden": h}
config = {**kerasgan.zoo.spec(preset).config, **ov}
gan = kerasgan.zoo.get(preset, seed=100, **ov)
split = int(config.get("d_steps", 1)) if config.get("real_batches", "reuse") == "split" else 1
ds = kerasgan.data.load("mnist", image_shape=gan.image_shape, value_range=tuple(config["value_range"]),
                        batch_size=int(config["batch_size"]) * split, split="test", seed=100, limit=5000, repeat=True)
done, t0, out = 0, time.time(), []
for c in checkpoints:
    gan.fit(ds, epochs=1, steps_per_epoch=c - done, verbose=0); done = c
    train_s = time.time() - t0
    r = kerasgan.metrics.evaluate(gan, "mnist", num_samples=1000)
    row = {"steps": c, "train_seconds": round(train_s), "entropy_mean": r["entropy_mean"], "entropy_std": r["entropy_std"],
           "fd": r["fd"], "classes": r["classes_covered"], "real_entropy": r["real_vs_real"]["entropy_mean"]}
    print(json.dumps(row), flush=True); out.append(row)
    kerasgan.plotting.save_image_grid(gan.generate(64, seed=0), os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{preset}_h{h}_{c}.png"), title=f"{preset} h{h} {c} steps")
    t0 = time.time() - train_s
json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{preset}_h{h}.json"), "w"), indent=1)
