"""kerasgan's modules import each other without a circle, and each layer only imports below it.

Every `import` statement counts, at module level or inside a function: a function-level import
that closes a circle still ties the modules together. `from package import name` is an edge to
the submodule `package.name` when there is one, else to the package itself. Importing a
submodule also runs its package's `__init__.py`; those implicit edges are left out, as every
module of a package that re-exports its parts would otherwise sit in a circle with it.

Run `python tests/test_import_graph.py` to print the graph's circles.
"""

import ast
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "kerasgan"

# The GAN and its parts (a module, or a package and everything in it).
_GAN = ("kerasgan.gan", "kerasgan.gan_optimizer", "kerasgan.ema", "kerasgan.step",
        "kerasgan.saving")
# (importer, imported): a layer that must not reach the other, even lazily.
FORBIDDEN = (
    ("kerasgan.data", "kerasgan.zoo"),
    *((part, layer) for part in _GAN for layer in ("kerasgan.data", "kerasgan.zoo")),
)


def module_files(root=ROOT, package=PACKAGE):
    """`{module name: file path}` of every `.py` file under `root/package`."""
    found = {}
    for folder, dirs, files in os.walk(os.path.join(root, package)):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(path, root)[: -len(".py")].split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_of(module, path, modules):
    """`{imported module: first line}` for the package's modules that `module` imports."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    is_package = path.endswith("__init__.py")
    out = {}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                targets.append(sub if sub in modules else source)
        for target in targets:
            # `import a.b.c` binds `a` but runs `a.b.c`: the edge goes to the deepest known module.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module:
                out.setdefault(target, node.lineno)
    return out


def import_graph(root=ROOT, package=PACKAGE):
    """`{module: {imported module: line}}` over the package's modules."""
    modules = module_files(root, package)
    return {m: imports_of(m, p, modules) for m, p in modules.items()}


def cycles(graph):
    """The graph's circles, one per strongly connected component of two or more modules.

    Each is a closed path `[a, b, ..., a]` through the component (found by a search from its
    first module in sorted order), so a message shows how the modules reach each other.
    """
    index, low, on_stack, stack, components = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in sorted(graph):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return [_closed_path(graph, component) for component in sorted(components)]


def _closed_path(graph, component):
    """A shortest path from the component's first module back to itself, inside the component."""
    start, members = component[0], set(component)
    parents, frontier = {start: None}, [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph.get(v, ())):
                if w == start:
                    path = [v]
                    while parents[path[-1]] is not None:
                        path.append(parents[path[-1]])
                    return [start] + path[::-1][1:] + [start] if len(path) > 1 else [start, v, start]
                if w in members and w not in parents:
                    parents[w] = v
                    nxt.append(w)
        frontier = nxt
    return component


def forbidden_edges(graph, rules=FORBIDDEN):
    """`(importer, imported, line)` of each import that crosses a `rules` boundary."""
    def under(name, prefix):
        return name == prefix or name.startswith(prefix + ".")

    return sorted((a, b, line) for a, targets in graph.items() for b, line in targets.items()
                  for src, dst in rules if under(a, src) and under(b, dst))


def test_the_package_has_no_import_circle():
    found = cycles(import_graph())
    assert not found, "Import circles in kerasgan:\n" + "\n".join(" -> ".join(c) for c in found)


def test_layers_import_only_below_them():
    bad = forbidden_edges(import_graph())
    assert not bad, "Imports across a layer boundary:\n" + "\n".join(
        f"{a} imports {b} (line {line})" for a, b, line in bad)


def test_the_graph_sees_function_level_imports_and_package_imports(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub import inner\n")
    (pkg / "sub" / "inner.py").write_text("from pkg import top\n")
    (pkg / "top.py").write_text("def f():\n    from pkg import sub\n    return sub\n")
    (pkg / "other.py").write_text("import pkg.top\nfrom . import top as t\n")
    graph = import_graph(str(tmp_path), "pkg")
    assert graph["pkg.top"] == {"pkg.sub": 2}
    assert graph["pkg.sub"] == {"pkg.sub.inner": 1}
    assert graph["pkg.other"] == {"pkg.top": 1}
    assert cycles(graph) == [["pkg.sub", "pkg.sub.inner", "pkg.top", "pkg.sub"]]
    assert forbidden_edges(graph, (("pkg.top", "pkg.sub"),)) == [("pkg.top", "pkg.sub", 2)]
    (pkg / "top.py").write_text("def f():\n    return 1\n")
    assert cycles(import_graph(str(tmp_path), "pkg")) == []


if __name__ == "__main__":
    graph = import_graph()
    for circle in cycles(graph):
        print(" -> ".join(circle))
    for a, b, line in forbidden_edges(graph):
        print(f"across a layer: {a} imports {b} (line {line})")
