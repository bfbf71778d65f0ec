"""How the packages import each other, read from the source with ``ast``.

Every import counts: at module level, inside functions (lazy imports) and
under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
from pathlib import Path

NLP = Path(__file__).resolve().parents[1] / "nlp"


def _modules(top: str) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package ``__init__``) of one source package."""
    out = {}
    for path in sorted((NLP / top).rglob("*.py")):
        parts = list(path.relative_to(NLP).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        out[".".join(parts)] = (path, is_package)
    return out


def _imported(name: str, path: Path, is_package: bool) -> set[str]:
    """Absolute names a module imports (``from a import b`` gives ``a.b``)."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


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
