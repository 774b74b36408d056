"""The sittings of a training run: which machine and code trained which of its steps.

A long run is trained in several sittings (a crash, a stop, another machine); `sittings.json` in
its work directory lists them, each with the steps its checkpoints hold, so that a result file can
say where every step was trained. A sitting's `last_step` and `train_seconds` advance with each
checkpoint it saves: steps trained after a sitting's last checkpoint were lost with it and are
trained again (and counted) by the next sitting. `train_seconds` is wall-clock time from the
sitting's start to its last checkpoint: start-up and any time the process was paused count.
"""

import json
import os
import time

from kerasgan.utils.io import atomic_write_text

FILENAME = "sittings.json"


class SittingLog:
    """Appends this process's sitting to `<workdir>/sittings.json` at its first checkpoint of a
    new step, and updates it at each save; a process that trains no step (a finished run judged
    again) leaves the file as it was.

    Args:
        workdir: The run's work directory.
        backend: The Keras backend of this sitting.
        first_step: The training step the sitting starts from (the checkpoint's, or 0).
    """

    def __init__(self, workdir, backend, first_step):
        from kerasgan.utils import provenance

        self.path = os.path.join(workdir, FILENAME)
        self.sittings = read(workdir)
        # A fresh run (first_step 0) starts a fresh list; a resumed one keeps the earlier sittings.
        self.sittings = [s for s in self.sittings if first_step and s["last_step"] <= first_step]
        recorded = max((s["last_step"] for s in self.sittings), default=0)
        if first_step > recorded:
            # Steps of a checkpoint written before this record was kept: say so, not who.
            self.sittings.append({"first_step": recorded, "last_step": int(first_step),
                                  "unrecorded": True})
        self._start = time.monotonic()
        self.entry = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "saved": None, "first_step": int(first_step), "last_step": int(first_step),
            "train_seconds": 0.0, "backend": backend, "machine": provenance.machine(),
            "code": provenance.code_state(exclude=workdir),
            "versions": provenance.package_versions(),
        }
        self._listed = False  # in `self.sittings` from the first checkpoint of a new step on

    def saved(self, step):
        """Records that a checkpoint of `step` training steps was written."""
        if not self._listed:
            if int(step) <= self.entry["first_step"]:
                return
            self.sittings.append(self.entry)
            self._listed = True
        self.entry.update(saved=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                          last_step=int(step),
                          train_seconds=round(time.monotonic() - self._start, 1))
        self._write()

    def _write(self):
        atomic_write_text(self.path, json.dumps(self.sittings, indent=2))


def read(workdir):
    """The sittings recorded in `workdir` (an empty list when there are none)."""
    path = os.path.join(workdir, FILENAME)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return json.load(f)
