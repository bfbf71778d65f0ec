"""The wheel ships every package of the source tree.

setuptools is given an explicit package list (``[tool.setuptools] packages``);
a new folder under ``nlp/eligo`` (or ``nlp/eligo_train``, the training
code) that is not listed installs nowhere and
fails only on a clean, non-editable install (as CI does).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["setuptools"]


def _source_packages() -> set[str]:
    found = set()
    for top in ("eligo", "eligo_train"):
        base = ROOT / "nlp" / top
        found.add(top)
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            if rel.parts and "__pycache__" not in rel.parts:
                found.add(".".join((top, *rel.parts)))
    return found


def test_every_source_package_is_listed() -> None:
    listed = set(_config()["packages"])
    missing = _source_packages() - listed
    assert not missing, f"add to [tool.setuptools] packages: {sorted(missing)}"


def test_every_listed_package_exists() -> None:
    config = _config()
    dirs = config["package-dir"]
    for name in config["packages"]:
        root = name
        while root not in dirs:
            root = root.rpartition(".")[0]
        rest = name[len(root) :].lstrip(".").split(".") if name != root else []
        path = ROOT / dirs[root] / Path(*[p for p in rest if p])
        assert path.is_dir(), f"{name}: {path} is not a folder"
