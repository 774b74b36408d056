"""`python -m kerasgan.train`: the trainer's command line."""

from absl import app

from kerasgan.train import main

if __name__ == "__main__":
    app.run(main)
