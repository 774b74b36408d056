"""A pytest plugin (`-p cpu_per_test`, its directory on PYTHONPATH): each test's CPU seconds,
its own and its child processes', and its wall seconds, appended to $TEST_CPU_DIR/<backend>.tsv."""

import os
import resource
import time

import pytest

_FILE = []


def _cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not _FILE:
        backend = os.environ.get("KERAS_BACKEND", "unknown")
        _FILE.append(open(os.path.join(os.environ["TEST_CPU_DIR"], f"{backend}.tsv"), "a"))
    own, children = _cpu()
    started = time.perf_counter()
    yield
    own_after, children_after = _cpu()
    _FILE[0].write(f"{item.nodeid}\t{own_after - own:.2f}\t{children_after - children:.2f}\t"
                   f"{time.perf_counter() - started:.2f}\n")
    _FILE[0].flush()
