"""Base class of every rule-driven spaCy component in eligo.

A component keeps the raw JSON of its rule files in ``rules_data`` (file name
-> parsed JSON), read from the package by default, and compiles them in
``build``. Serialisation writes that JSON beside the component, so a pipeline
saved with ``nlp.to_disk`` carries its rules and needs nothing else to load.
The standard ``json`` module is used, not srsly: ujson rounds tiny floats
(1e-12) to 0.
"""

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from spacy.util import ensure_path

from .extensions import register_extensions
from .resources import read_rule_json


class RuleDataComponent:
    """Subclasses set ``RULE_FILES`` and implement ``build`` and ``__call__``."""

    RULE_FILES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str) -> None:
        register_extensions()
        self.name = name
        self.rules_data: dict[str, Any] = {
            f: read_rule_json(f) for f in self.RULE_FILES
        }
        self.build(self.rules_data)

    def build(self, rules_data: dict[str, Any]) -> None:
        """Validate and compile the rules from their raw JSON."""
        raise NotImplementedError

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(self.rules_data, ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> Any:
        self._load(json.loads(data.decode("utf-8")))
        return self

    def to_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        for file_name, data in self.rules_data.items():
            (path / file_name).write_text(
                json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
            )

    def from_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> Any:
        path = ensure_path(path)
        self._load(
            {
                f: json.loads((path / f).read_text(encoding="utf-8"))
                for f in self.RULE_FILES
            }
        )
        return self

    def _load(self, data: dict[str, Any]) -> None:
        self.rules_data = data
        self.build(data)
