"""``eligo_codes``: ICD-10-CM codes on Condition entities, only where certain.

Runs after ``eligo_concepts``; for every ``Condition`` entity of every
criterion it asks :class:`eligo.normalise.icd10.IcdLinker` for the code of the
mention's text and, when the linker is certain (similarity at or above the
calibrated threshold, one unambiguous code), sets the entity dict's ``"code"``
(``{"system", "code", "display", "score"}``). Offsets and every other field
are left as they are. Not in the default pipeline: ``build_pipeline(codes=
True)``, ``Parser(codes=True)`` or ``eligo parse --codes`` add it.

The linker is loaded on the first Doc, not when the component is made: the
default index (the whole code set) is built into the cache the first time
(about 1.5 minutes, see :mod:`eligo.normalise.icd10`).
"""

# No ``from __future__ import annotations``: spaCy validates the factory's
# signature with pydantic, which needs real annotations.
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..normalise import icd10
from ..pipeline.extensions import doc_view, register_extensions
from ..pipeline.spans import criteria, entity_fields

#: The entity label that gets codes.
CODED_LABEL = "Condition"


class CodeLinker:
    """Sets ``"code"`` on the Condition entities of each criterion."""

    def __init__(self, name: str, index: str, threshold: float) -> None:
        self.name = name
        self.index = index
        self.threshold = threshold
        self._linker: icd10.IcdLinker | None = None

    @property
    def linker(self) -> icd10.IcdLinker:
        """The linker: the index at ``index``, or the cached default one."""
        if self._linker is None:
            linker = (
                icd10.IcdLinker(Path(self.index))
                if self.index
                else icd10.default_linker()
            )
            linker.threshold = self.threshold
            self._linker = linker
        return self._linker

    def __call__(self, doc: Doc) -> Doc:
        self._process([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        """Process documents ``batch_size`` at a time, their mentions together."""
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._process(batch)
                batch = []
        if batch:
            yield from self._process(batch)

    def _process(self, docs: list[Doc]) -> list[Doc]:
        entities: list[dict[str, Any]] = []
        texts: list[str] = []
        for doc in docs:
            view = doc_view(doc)
            for entity in condition_entities(doc):
                entities.append(entity)
                texts.append(view[entity["start"] : entity["end"]])
        if texts:
            for entity, match in zip(entities, self.linker.link(texts), strict=True):
                if match is not None:
                    entity["code"] = match.as_dict()
        return docs


def condition_entities(doc: Doc) -> list[dict[str, Any]]:
    """The Condition entity dicts of every criterion of ``doc``."""
    return [
        entity
        for crit in criteria(doc, "eligo_codes")
        for entity in entity_fields(crit)
        if entity.get("label") == CODED_LABEL
    ]


@Language.factory(
    "eligo_codes",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={"index": "", "threshold": icd10.THRESHOLD},
)
def make_code_linker(
    nlp: Language, name: str, index: str, threshold: float
) -> CodeLinker:
    """Create the ``eligo_codes`` component.

    Args:
        index: A directory written by :func:`eligo.normalise.icd10.build_index`;
            empty for the whole code set, built into the cache on first use.
        threshold: Lowest similarity that gives a code (the calibrated
            :data:`eligo.normalise.icd10.THRESHOLD` by default).
    """
    register_extensions()
    return CodeLinker(name, index, threshold)
