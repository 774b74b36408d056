# JAX mnist_mlp fit() in 200-step calls, per process (measured 2026-12-01). Usage: KERAS_BACKEND=jax KERASGAN_NO_DOWNLOAD=1 python experiments/matmul/mlp_jax_chunks.py default|spe1
# Log: experiments/matmul/mlp_jax_chunks_zen4.txt
import os, sys, time, statistics
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.getcwd())
import kerasgan, keras
mode = sys.argv[1] if len(sys.argv) > 1 else "default"
gan = kerasgan.zoo.get("mnist_mlp", seed=0, **({"steps_per_execution": 1} if mode == "spe1" else {}))
ds = kerasgan.data.load("fashion_mnist", preset="mnist_mlp", repeat=True, download=False)
gan.fit(ds, epochs=1, steps_per_epoch=40, verbose=0)
rates = []
for _ in range(6):
    t = time.perf_counter(); gan.fit(ds, epochs=1, steps_per_epoch=200, verbose=0)
    keras.ops.convert_to_numpy(gan.generator.trainable_variables[0]); rates.append(200 / (time.perf_counter() - t))
print(mode, "chunks", " ".join(f"{r:.1f}" for r in rates), f"median {statistics.median(rates):.1f}", flush=True)
