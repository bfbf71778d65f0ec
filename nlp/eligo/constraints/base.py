"""The shape every constraint component shares.

A constraint component reads the criterion spans (``doc.spans["criteria"]``,
set by ``eligo_criteria``), runs one extractor over each criterion's reading
view, and adds a span to ``doc.spans["eligo"]`` for each constraint found, its
record holding the fields of :class:`eligo.document.Constraint` (see
:mod:`eligo.pipeline.spans`). A component does not decide negation: ``eligo_context``
sets ``negated`` (and ``assertion``) from ``rules/context_rules.json``. Its
rule files travel with ``nlp.to_disk``: the raw
JSON is kept in ``rules_data`` and written beside the component (see
:mod:`eligo.pipeline.rulecomponent`).
"""

from __future__ import annotations

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
