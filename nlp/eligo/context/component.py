"""``eligo_context``: negation and assertion of entities and constraints.

For every criterion span the component runs ConText
(:mod:`eligo.context.algorithm`) over the criterion's reading view and sets, on
the record (``span._.fields``) of each of its entity spans and of each
constraint span whose ``type`` the rule file lists in
``target_constraint_types``:

- ``negated``: bool (for constraints, a negation already found by the
  constraint component is kept);
- ``assertion``: "present", "negated", "historical", "hypothetical" or "family";
- ``trigger``: ``{"text", "start", "end"}`` of the cue, or ``None``.

Offsets index the doc's text. The section (inclusion/exclusion) is left alone:
textual negation and section polarity are separate facts.
"""

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.docindex import doc_text
from ..pipeline.extensions import doc_view
from ..pipeline.rulecomponent import RuleDataComponent
from ..pipeline.spans import criteria, record
from .algorithm import Assertion, ConTextEngine
from .rules import CONTEXT_RULES_FILE, load_context_rules

# A colon, then at most a bullet or number before the first sub-item.
_COLON_THEN_MARKER = re.compile(r":\s*(?:\S{1,4}\s*)?$")


class ContextComponent(RuleDataComponent):
    """spaCy component: ConText assertions on each criterion's targets."""

    RULE_FILES = (CONTEXT_RULES_FILE,)

    def build(self, rules_data: dict[str, Any]) -> None:
        rules = load_context_rules(rules_data[CONTEXT_RULES_FILE])
        self.engine = ConTextEngine(
            rules.context_rules,
            dependent_words=rules.dependent_words,
            ignored_types=rules.ignored_types,
        )
        self.constraint_types = frozenset(rules.target_constraint_types)

    def __call__(self, doc: Doc) -> Doc:
        view: str | None = None
        text: str | None = None
        for span in criteria(doc, self.name):
            criterion = record(span)
            entities = criterion["entities"]
            constraints = [
                c
                for c in criterion.get("constraints") or []
                if c.get("type") in self.constraint_types
            ]
            if not entities and not constraints:
                continue
            if view is None:
                view = doc_view(doc)
                text = doc_text(doc)
            assert text is not None
            targets = [(e["start"], e["end"], e.get("label", "")) for e in entities]
            targets += [(c["start"], c["end"], c["type"]) for c in constraints]
            results = self.engine.assert_targets(
                view,
                criterion["start"],
                criterion["end"],
                targets,
                open_end=_lead_in_end(view, criterion),
                heading=tuple(criterion["heading"])
                if criterion.get("heading")
                else None,
            )
            for entity, result in zip(entities, results, strict=False):
                _set(entity, result, text, keep_negated=False)
            for constraint, result in zip(
                constraints, results[len(entities) :], strict=True
            ):
                _set(constraint, result, text, keep_negated=True)
        return doc


def _lead_in_end(view: str, criterion: dict[str, Any]) -> int | None:
    """Start of the first sub-item when the text before it ends with a colon."""
    items = criterion.get("items") or []
    if not items:
        return None
    first = min(s for s, _ in items)
    if _COLON_THEN_MARKER.search(view, criterion["start"], first):
        return int(first)
    return None


def _set(
    target: dict[str, Any], result: Assertion, text: str, *, keep_negated: bool
) -> None:
    negated = result.negated or (keep_negated and bool(target.get("negated")))
    target["negated"] = negated
    assertion = result.assertion
    if negated and assertion != "negated":
        assertion = "negated"
    target["assertion"] = assertion
    cue = result.trigger
    target["trigger"] = (
        {"text": text[cue.start : cue.end], "start": cue.start, "end": cue.end}
        if cue is not None
        else None
    )


@Language.factory(
    "eligo_context",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={},
)
def make_context_component(nlp: Language, name: str) -> ContextComponent:
    """Factory of :class:`ContextComponent`."""
    return ContextComponent(name)
