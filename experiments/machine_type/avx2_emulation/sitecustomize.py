"""Loaded by every Python process of an emulated run (on PYTHONPATH): kerasgan's
`cpu_has_avx512()` answers False, so `jit_compile="auto"` and the JAX convolution paths choose
as they do on a CPU without AVX-512."""

import importlib.abc
import importlib.machinery
import sys


class _AnswerNoAvx512(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "kerasgan.utils":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:
            return None
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            module.cpu_has_avx512 = lambda: False

        spec.loader.exec_module = exec_and_patch
        return spec


sys.meta_path.insert(0, _AnswerNoAvx512())
