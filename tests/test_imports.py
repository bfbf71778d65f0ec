"""How the packages import each other, read from the source with ``ast``.

Every import counts: at module level, inside functions (lazy imports) and
under ``if TYPE_CHECKING:``. ``from a import b`` is an import of the module
``a.b`` when there is one, else of ``a``; that importing ``a.b`` first runs the
package ``a`` is not counted (a package that re-exports its modules would
otherwise be in a circle with each of them).
"""

from __future__ import annotations

import ast
from pathlib import Path

NLP = Path(__file__).resolve().parents[1] / "nlp"


def _modules(top: str, root: Path = NLP) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package ``__init__``) of one source package."""
    out = {}
    for path in sorted((root / top).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        out[".".join(parts)] = (path, is_package)
    return out


def _imported(name: str, path: Path, is_package: bool) -> set[str]:
    """Absolute names a module imports: ``import a.b`` gives ``a.b``, and
    ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be a module)."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(module := _absolute(package, node))
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _absolute(package: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _graph(top: str, root: Path = NLP) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    modules = _modules(top, root)
    graph = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = alias.name
                    while target and target not in modules:
                        target = target.rpartition(".")[0]
                    targets.add(target)
            elif isinstance(node, ast.ImportFrom):
                module = _absolute(package, node)
                for alias in node.names:
                    child = f"{module}.{alias.name}"
                    targets.add(child if child in modules else module)
        graph[name] = {t for t in targets if t in modules} - {name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
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
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


#: Circles left on purpose, each with the reason (none now: the one between
#: ``eligo.parse`` and the Dask engine went when parse.py became a package,
#: its process pool in ``eligo.parse.pool``).
KNOWN_CIRCLES: list[list[str]] = []


def _import_edges(graph: dict[str, set[str]], circle: list[str]) -> list[str]:
    return [f"{a} -> {b}" for a in circle for b in sorted(graph[a] & set(circle))]


def test_no_import_circles() -> None:
    for top in ("eligo", "eligo_train"):
        graph = _graph(top)
        new = [c for c in _circles(graph) if c not in KNOWN_CIRCLES]
        assert not new, "import circles: " + "; ".join(
            ", ".join(_import_edges(graph, c)) for c in new
        )


def test_known_circles_are_still_circles() -> None:
    """A circle that is gone comes off :data:`KNOWN_CIRCLES`."""
    circles = _circles(_graph("eligo"))
    assert all(c in circles for c in KNOWN_CIRCLES), circles


def test_the_circle_check_sees_lazy_and_type_checking_imports(tmp_path) -> None:
    a = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .b import B\n"
    b = "def f():\n    from .a import A\n"
    (tmp_path / "pkg").mkdir()
    for name, text in {"__init__": "", "a": a, "b": b}.items():
        (tmp_path / "pkg" / f"{name}.py").write_text(text)
    assert _circles(_graph("pkg", tmp_path)) == [["pkg.a", "pkg.b"]]


def test_the_runtime_never_imports_the_training_code() -> None:
    offenders = sorted(
        name
        for name, (path, is_package) in _modules("eligo").items()
        if any(
            i == "eligo_train" or i.startswith("eligo_train.")
            for i in _imported(name, path, is_package)
        )
    )
    assert not offenders, f"eligo modules importing eligo_train: {offenders}"
