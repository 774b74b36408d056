"""The machine a benchmark ran on, and its process's memory: recorded with every bench row.

`machine_info()` gives the CPU model, its vector extensions (from /proc/cpuinfo's flags), the
core counts, the library versions and the speed-related environment variables.
"""

import importlib.metadata
import os
import platform
import re
import resource
import subprocess

# Environment variables that change speed; recorded with every row.
_SPEED_ENV = ("XLA_FLAGS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME",
              "TF_ENABLE_ONEDNN_OPTS", "TF_XLA_FLAGS", "OMP_NUM_THREADS",
              "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
              "KERAS_BACKEND", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")
_LIBRARIES = ("keras", "tensorflow", "jax", "jaxlib", "torch", "numpy")
# /proc/cpuinfo flags that name vector (SIMD/matrix) extensions.
_VECTOR_FLAG = re.compile(
    r"^(sse\d?|sse4_\d|sse4a|ssse3|avx\w*|amx\w*|fma\d?|f16c|xop|asimd\w*|sve\d?|sme\d?)$")


def load_average():
    """The 1, 5 and 15 minute load averages."""
    return list(os.getloadavg())


def rss_mb():
    """This process's resident memory, MiB."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb():
    """This process's peak resident memory, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _lscpu():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines()
                                              if ":" in line)}


def cores():
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def machine_info():
    """CPU model, vector extensions, core counts, library versions: recorded with every row."""
    cpuinfo = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if ":" in line:
                    key, value = (part.strip() for part in line.split(":", 1))
                    cpuinfo.setdefault(key, value)  # the first processor's values
    except OSError:
        pass
    lscpu = _lscpu()
    flags_ = (cpuinfo.get("flags") or cpuinfo.get("Features") or lscpu.get("Flags", "")).split()
    versions = {}
    for name in _LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    versions["python"] = platform.python_version()
    return {
        "cpu_model": lscpu.get("Model name") or cpuinfo.get("model name") or platform.processor(),
        "cpu_vendor": lscpu.get("Vendor ID") or cpuinfo.get("vendor_id"),
        "vector_extensions": sorted(f for f in flags_ if _VECTOR_FLAG.match(f)),
        "cpu_count": os.cpu_count(),
        "cores_available": cores(),
        "threads_per_core": lscpu.get("Thread(s) per core"),
        "cores_per_socket": lscpu.get("Core(s) per socket"),
        "sockets": lscpu.get("Socket(s)"),
        "hypervisor": lscpu.get("Hypervisor vendor"),
        "platform": platform.platform(),
        "versions": versions,
        "env": {k: os.environ[k] for k in _SPEED_ENV if k in os.environ},
    }
