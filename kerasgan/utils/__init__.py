"""Small helpers shared across kerasgan."""

import functools


@functools.lru_cache(maxsize=None)
def cpu_has_avx512():
    """Whether this machine's CPU has AVX-512 (Linux `/proc/cpuinfo`, read once; False where unreadable)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return any(line.startswith("flags") and "avx512f" in line.split() for line in f)
    except OSError:
        return False
