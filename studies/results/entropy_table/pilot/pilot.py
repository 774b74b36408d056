"""Pilot (seed 100, not reused): entropy / FD of wgan on held-out MNIST vs steps, h given."""
import json, sys, time
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
    kerasgan.plotting.save_image_grid(gan.generate(64, seed=0), f"/work/exp/pilot_entropy/{preset}_h{h}_{c}.png", title=f"{preset} h{h} {c} steps")
    t0 = time.time() - train_s
json.dump(out, open(f"/work/exp/pilot_entropy/{preset}_h{h}.json", "w"), indent=1)
