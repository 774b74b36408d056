"""Where a result came from: code commit, tree state, package versions, backend, machine.

Every result file kerasgan's tools write carries `collect(...)`'s dict, so a number can be traced
to the code, configuration and machine that produced it.

Example:
>>> record = {"fd": 21.3, "provenance": kerasgan.utils.provenance.collect(config=cfg, steps=1500)}
"""

import datetime
import importlib.metadata
import os
import platform
import subprocess

# The fields `collect` always fills (a test checks result files against this list).
FIELDS = ("commit", "tree_clean", "packages", "backend", "machine", "date_utc", "command",
          "config", "steps", "train_seconds", "wall_seconds", "judge_sha256")
_PACKAGES = ("keras", "tensorflow", "jax", "jaxlib", "torch", "numpy", "kerasgan")
_VECTOR = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "amx_bf16")


def _git(args, cwd):
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def code_state(repo=None, exclude=None):
    """`{"commit", "tree_clean"}` of the git checkout at `repo` (None, None outside git).

    `exclude`: a directory whose tracked files do not count (a run kept in the repository
    changes its own checkpoint and logs, not the code).
    """
    repo = repo or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    commit = _git(["rev-parse", "HEAD"], repo)
    pathspec = []
    if exclude is not None:
        inside = os.path.relpath(os.path.realpath(exclude), os.path.realpath(repo))
        if inside != os.curdir and not inside.startswith(os.pardir):  # the root: the code too
            pathspec = ["--", ".", f":(exclude){inside}"]
    status = _git(["status", "--porcelain", "--untracked-files=no", *pathspec], repo)
    return {"commit": commit, "tree_clean": None if status is None else status == ""}


def package_versions():
    """Installed versions of the packages a result depends on (None where absent)."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    versions["python"] = platform.python_version()
    return versions


def machine():
    """CPU model, vector extensions, cores and load average of this machine."""
    model, cpu_flags, family = platform.processor() or "unknown", set(), {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name") and model in ("unknown", "x86_64", ""):
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not cpu_flags:
                    cpu_flags = set(line.split(":", 1)[1].split())
                elif line.split(":")[0].strip() in ("cpu family", "model") and ":" in line:
                    # "AMD EPYC" names several generations; family and model tell them apart.
                    family.setdefault(line.split(":")[0].strip().replace(" ", "_"),
                                      line.split(":", 1)[1].strip())
    except OSError:
        pass
    try:
        load = [round(v, 2) for v in os.getloadavg()]
    except OSError:
        load = None
    return {"cpu": model, **family, "vector_extensions": [v for v in _VECTOR if v in cpu_flags],
            "cores": os.cpu_count(), "load_average": load, "platform": platform.platform()}


def origin(repo=None, exclude=None):
    """Commit, tree state, package versions, machine and date (UTC): the part of `collect` that
    does not depend on the run (`repo`, `exclude`: as in `code_state`)."""
    return {**code_state(repo, exclude), "packages": package_versions(), "machine": machine(),
            "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def collect(config=None, steps=None, command=None, train_seconds=None, wall_seconds=None,
            judge_sha256=None, repo=None, exclude=None):
    """The provenance dict of a result (see `FIELDS`).

    Args:
        config: The full resolved configuration (preset, overrides, flags).
        steps: Training steps actually run.
        command: The command that produced the result.
        train_seconds, wall_seconds: Training time and total time.
        judge_sha256: sha256 of the judge's weights (a list for several judges).
        repo: The checkout whose commit is recorded (default: kerasgan's own).
        exclude: The run's own directory when it lies in that checkout: its tracked checkpoint
            and logs do not make the tree unclean (`code_state`).
    """
    import keras

    return {**origin(repo, exclude), "backend": keras.backend.backend(),
            "command": command, "config": config, "steps": steps,
            "train_seconds": train_seconds, "wall_seconds": wall_seconds,
            "judge_sha256": judge_sha256}
