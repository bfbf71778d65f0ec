"""``eligo_context``: negation and assertion of entities and constraints.

For every criterion span the component runs ConText
(:mod:`eligo.context.algorithm`) over the criterion's reading view and sets, on
the record (``span._.fields``) of each of its entity spans and of each
constraint span whose ``type`` the rule file lists in
``target_constraint_types``:

- ``negated``: bool;
- ``assertion``: "present", "negated", "historical", "hypothetical" or "family";
- ``trigger``: ``{"text", "start", "end"}`` of the cue, or ``None``.

A constraint whose ``type`` the file lists in ``negation_constraint_types``
(time windows and durations) gets ``negated`` only: a window bounds an event,
and when the event happened is the window itself. This component alone decides
negation; the constraint components leave it unset.

Offsets index the doc's text. The section (inclusion/exclusion) is left alone:
textual negation and section polarity are separate facts.
"""

import re
from collections.abc import Sequence
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.docindex import doc_text
from ..pipeline.extensions import doc_view
from ..pipeline.rulecomponent import RuleDataComponent
from ..pipeline.spans import criteria, record
from .algorithm import Assertion, ConTextEngine, CueScan, CueScanner
from .rules import CONTEXT_RULES_FILE, ContextRule, load_context_rules

# A colon, then at most a bullet or number before the first sub-item.
_COLON_THEN_MARKER = re.compile(r":\s*(?:\S{1,4}\s*)?$")


class ContextComponent(RuleDataComponent):
    """spaCy component: ConText assertions on each criterion's targets."""

    RULE_FILES = (CONTEXT_RULES_FILE,)

    def build(self, rules_data: dict[str, Any]) -> None:
        rules = load_context_rules(rules_data[CONTEXT_RULES_FILE])
        self.constraint_types = frozenset(rules.target_constraint_types)
        self.negation_types = frozenset(rules.negation_constraint_types)
        self.engine = ConTextEngine(
            [r for r in rules.context_rules if not self._names_window(r)],
            dependent_words=rules.dependent_words,
            ignored_types=rules.ignored_types,
            tail_types=rules.cue_tail_types,
        )
        window_rules = _window_rules(rules.context_rules, self.negation_types)
        self.window_engine = ConTextEngine(window_rules)
        #: The window pass's negation cues alone: a criterion (and heading)
        #: with none of them has no negated window, and most have none.
        self.window_negations = ConTextEngine(
            [r for r in window_rules if r.assertion == "negated"]
        )
        #: One cue search per criterion for the three engines.
        self.scanner = CueScanner(
            [self.engine, self.window_engine, self.window_negations]
        )

    def _names_window(self, rule: ContextRule) -> bool:
        """Whether the cue is for windows only (the windows' pass)."""
        return rule.allowed_types is not None and set(rule.allowed_types) <= (
            self.negation_types
        )

    def _may_negate_windows(
        self, view: str, criterion: dict[str, Any], scan: CueScan | None
    ) -> bool:
        """Whether a negation cue of the windows' pass is in the criterion or
        its heading (without one, the pass would negate no window).

        Without the criterion's shared ``scan``, the engine of these few cues
        looks for them alone: cheaper than the full scan, which only the
        windows' pass would then need."""
        finder = self.window_negations
        if finder.cues(view, criterion["start"], criterion["end"], scan):
            return True
        heading = criterion.get("heading")
        if not heading:
            return False
        return bool(finder.cues(view, heading[0], heading[1]))

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
            windows = [
                c
                for c in criterion.get("constraints") or []
                if c.get("type") in self.negation_types
            ]
            if not entities and not constraints and not windows:
                continue
            if view is None:
                view = doc_view(doc)
                text = doc_text(doc)
            assert text is not None
            targets = [(e["start"], e["end"], e.get("label", "")) for e in entities]
            targets += [(c["start"], c["end"], c["type"]) for c in constraints]
            where: dict[str, Any] = {
                "open_end": _lead_in_end(view, criterion),
                "heading": tuple(criterion["heading"])
                if criterion.get("heading")
                else None,
            }
            start, end = criterion["start"], criterion["end"]
            scan = self.scanner.scan(view, start, end) if targets else None
            results = (
                self.engine.assert_targets(
                    view, start, end, targets, scan=scan, **where
                )
                if targets
                else []
            )
            if windows and not self._may_negate_windows(view, criterion, scan):
                for window in windows:
                    window["negated"] = False
            elif windows:
                if scan is None:
                    scan = self.scanner.scan(view, start, end)
                spans = [(c["start"], c["end"], c["type"]) for c in windows]
                for window, result in zip(
                    windows,
                    self.window_engine.assert_targets(
                        view, start, end, spans, scan=scan, **where
                    ),
                    strict=True,
                ):
                    window["negated"] = result.negated
            for entity, result in zip(entities, results, strict=False):
                _set(entity, result, text)
            for constraint, result in zip(
                constraints, results[len(entities) :], strict=True
            ):
                _set(constraint, result, text)
        return doc


def _window_rules(
    rules: Sequence[ContextRule], windows: frozenset[str]
) -> list[ContextRule]:
    """The cues of the windows' pass: those that name a window type, the cues
    that modify nothing (look-alikes, scope ends) unless they exclude the
    window types ("who", "while": a window in a relative or "while" clause
    bounds the event the criterion negates), and the cues of the categories
    that end a window cue's scope ("except"), as scope ends only.

    The pass has no dependent words: every window in a cue's scope bounds the
    event the cue negates ("No prior chemotherapy for X within 6 months").
    """
    named = [r for r in rules if windows.intersection(r.allowed_types or ())]
    ends = {c for r in named for c in r.terminated_by or ()}
    out = list(named)
    for r in rules:
        if windows.intersection(r.allowed_types or ()):
            continue
        if r.assertion is None:
            if all(r.applies_to(t) for t in windows):
                out.append(r)
        elif r.category in ends:
            out.append(r.model_copy(update={"direction": "PSEUDO"}))
    return out


def _lead_in_end(view: str, criterion: dict[str, Any]) -> int | None:
    """Start of the first sub-item when the text before it ends with a colon."""
    items = criterion.get("items") or []
    if not items:
        return None
    first = min(s for s, _ in items)
    if _COLON_THEN_MARKER.search(view, criterion["start"], first):
        return int(first)
    return None


def _set(target: dict[str, Any], result: Assertion, text: str) -> None:
    target["negated"] = result.negated
    target["assertion"] = result.assertion
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
