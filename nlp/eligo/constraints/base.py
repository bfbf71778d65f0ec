"""The shape every constraint component shares.

A constraint component reads the criterion spans (``doc.spans["criteria"]``,
set by ``eligo_criteria``), runs one extractor over each criterion's reading
view, and adds a span to ``doc.spans["eligo"]`` for each constraint found, its
record holding the fields of :class:`eligo.document.Constraint` (see
:mod:`eligo.pipeline.spans`). Its rule files travel with ``nlp.to_disk``: the raw
JSON is kept in ``rules_data`` and written beside the component (see
:mod:`eligo.pipeline.rulecomponent`).
"""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Doc

from ..pipeline.extensions import doc_view
from ..pipeline.rulecomponent import RuleDataComponent
from ..pipeline.spans import add_constraints, criteria, record


class CriterionRuleComponent(RuleDataComponent):
    """Base class: subclasses set ``RULE_FILES`` and implement ``build``/``extract``."""

    def extract(
        self, view: str, criterion: dict[str, Any], doc: Doc
    ) -> list[dict[str, Any]]:
        """Constraint dicts for one criterion."""
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        view = doc_view(doc)
        for span in criteria(doc, self.name):
            found = self.extract(view, record(span), doc)
            if found:
                add_constraints(span, found)
        return doc


_OPENS_NEGATED = re.compile(
    r"[\W_]*(?:no|not|never|without|none|absence\s+of|free\s+of)\b", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z']+")
_WORD_CHAR = re.compile(r"[A-Za-z']")
_NEGATION_WORDS = frozenset({"no", "not", "without", "never", "nor"})


def negated_before(view: str, crit_start: int, start: int) -> bool:
    """Whether a negation cue governs the text just before ``start``.

    A criterion that opens with "No", "Not", "Never", "Without" or "None", or a
    "no"/"not"/"without" among the three words before the constraint.
    """
    if _OPENS_NEGATED.match(view, crit_start, start):
        return True
    # The last three words: read from a window before ``start`` that begins
    # between words (never inside one), the whole head only when the window
    # holds fewer than three (a criterion with many constraints stays linear).
    lo = max(crit_start, start - 120)
    while lo > crit_start and _WORD_CHAR.match(view, lo - 1):
        lo -= 1
    words = _WORD.findall(view, lo, start)
    if len(words) < 3 and lo > crit_start:
        words = _WORD.findall(view, crit_start, start)
    return any(w.lower() in _NEGATION_WORDS for w in words[-3:])
