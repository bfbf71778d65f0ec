"""The shape every constraint component shares.

A constraint component reads ``doc._.criteria`` (set by ``eligo_criteria``),
runs one extractor over each criterion's reading view, and appends plain dicts
(the fields of :class:`eligo.document.Constraint`) to the criterion's
``"constraints"`` list. Its rule files travel with ``nlp.to_disk``: the raw
JSON is kept in ``rules_data`` and written beside the component.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import srsly
from spacy.tokens import Doc
from spacy.util import ensure_path

from ..extensions import register_extensions
from ..resources import read_rule_json
from ..segment.view import reading_view


class CriterionRuleComponent:
    """Base class: subclasses set ``RULE_FILES`` and implement ``build``/``extract``."""

    RULE_FILES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str) -> None:
        register_extensions()
        self.name = name
        self.rules_data: dict[str, Any] = {
            f: read_rule_json(f) for f in self.RULE_FILES
        }
        self.build(self.rules_data)

    def build(self, rules_data: dict[str, Any]) -> None:
        """Compile the rules (validated) from their raw JSON."""
        raise NotImplementedError

    def extract(
        self, view: str, criterion: dict[str, Any], doc: Doc
    ) -> list[dict[str, Any]]:
        """Constraint dicts for one criterion."""
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        if doc._.criteria is None:
            raise ValueError(
                f"{self.name} needs eligo_criteria before it in the pipeline"
            )
        view = reading_view(doc.text)
        for criterion in doc._.criteria:
            found = self.extract(view, criterion, doc)
            if found:
                criterion.setdefault("constraints", []).extend(found)
        return doc

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.json_dumps(self.rules_data).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> Any:
        self._load(srsly.json_loads(data.decode("utf-8")))
        return self

    def to_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        for file_name, data in self.rules_data.items():
            srsly.write_json(path / file_name, data)

    def from_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> Any:
        path = ensure_path(path)
        self._load({f: srsly.read_json(path / f) for f in self.RULE_FILES})
        return self

    def _load(self, data: dict[str, Any]) -> None:
        self.rules_data = data
        self.build(data)


def negated_before(view: str, crit_start: int, start: int) -> bool:
    """Whether a negation cue governs the text just before ``start``.

    A criterion that opens with "No", "Not", "Never", "Without" or "None", or a
    "no"/"not"/"without" among the three words before the constraint.
    """
    import re

    head = view[crit_start:start]
    if re.match(
        r"^[\W_]*(?:no|not|never|without|none|absence\s+of|free\s+of)\b", head, re.I
    ):
        return True
    words = re.findall(r"[A-Za-z']+", head)[-3:]
    return any(w.lower() in {"no", "not", "without", "never", "nor"} for w in words)
