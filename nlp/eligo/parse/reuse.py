"""Reuse what the components found for a criterion already parsed.

Criteria repeat across trials ("Pregnant or breastfeeding", "Signed informed
consent", whole blocks copied between a sponsor's trials). Right after
segmentation (``eligo_criteria``), :class:`CriterionReuse` gives each
criterion a key; a criterion whose key was seen before (in an earlier batch or
earlier in this one) is hidden from the components that follow
(:func:`eligo.pipeline.spans.criteria` with a component name skips it), and
once they have run it gets the first one's results: the fields the components
added to the criterion, its constraints and its entities, with every
``start``/``end`` rebased onto its own characters.

The key is everything those components read: the criterion's text and reading
view, its section, its heading (text and place relative to the criterion: a
cue in the heading is a trigger with offsets there), its sub-items (relative),
and what a component says it reads beyond the criterion (a component's
``reuse_context(view, criterion, previous)``: ``eligo_ages`` reads the
criterion before it when that one is an "Age" heading). The cache belongs to
one Parser, so one pipeline, one set of rules and models, one eligo version.
``tests/test_reuse.py`` checks that Documents parsed with reuse equal
Documents parsed without it.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..pipeline.docindex import doc_text
from ..pipeline.extensions import doc_view
from ..pipeline.spans import (
    CONSTRAINTS,
    ENTITIES,
    INTERNAL_KEYS,
    REUSED_KEY,
    add_constraints,
    child_fields,
    criteria,
    fields,
    set_entities,
)

#: Keys of a criterion's own record that segmentation sets (the rest come
#: from the components that follow, and are what is reused).
SEGMENT_KEYS = frozenset({"start", "end", "section", "items", "heading"})
#: Keys whose integer values are character offsets, at any depth of a record.
OFFSET_KEYS = frozenset({"start", "end"})

Key = tuple[Hashable, ...]
Context = Callable[[str, dict[str, Any], dict[str, Any] | None], Hashable]


def rebase(value: Any, delta: int) -> Any:
    """A deep copy of a record with ``delta`` added to every offset in it."""
    if isinstance(value, dict):
        return {
            k: v + delta if k in OFFSET_KEYS and type(v) is int else rebase(v, delta)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(rebase(v, delta) for v in value)
    return value


@dataclass(frozen=True)
class Found:
    """What the components found for one criterion, and where it started.

    Kept marshalled: a cache of live records would be thousands of small
    dicts for the garbage collector to rescan on every full pass, which cost
    more than the reuse saved.
    """

    data: bytes

    @classmethod
    def of(cls, span: Span) -> Found:
        own = fields(span)
        found = (
            own["start"],
            {
                k: v
                for k, v in own.items()
                if k not in SEGMENT_KEYS and k not in INTERNAL_KEYS
            },
            child_fields(span, CONSTRAINTS),
            child_fields(span, ENTITIES),
        )
        return cls(marshal.dumps(found))

    def give(self, span: Span) -> None:
        """Put a copy of these results on ``span``, rebased onto it."""
        start, own, constraints, entities = marshal.loads(self.data)
        delta = fields(span)["start"] - start
        fields(span).update(rebase(own, delta))
        if constraints:
            add_constraints(span, rebase(constraints, delta))
        if entities:
            set_entities(span, rebase(entities, delta))


@dataclass
class Plan:
    """One batch: the fresh criteria (by key) and the ones that reuse a key."""

    docs: list[Doc]
    fresh: dict[Key, Span] = field(default_factory=dict)
    reused: list[tuple[Span, Key]] = field(default_factory=list)


class CriterionReuse:
    """A bounded cache of criterion results (and keys seen once), oldest out first.

    Args:
        nlp: The pipeline: components with a ``reuse_context`` method add what
            it returns to every key.
        size: Criterion results kept (0: reuse within a batch only).
    """

    def __init__(self, nlp: Language, size: int = 20_000) -> None:
        self.size = size
        self.contexts: list[Context] = [
            context
            for _, proc in nlp.pipeline
            if callable(context := getattr(proc, "reuse_context", None))
        ]
        #: Results by key; None for a key seen once.
        self._cache: dict[Key, Found | None] = {}
        #: Criteria looked up, and how many got results found before.
        self.lookups = 0
        self.hits = 0

    def key(
        self,
        view: str,
        text: str,
        criterion: dict[str, Any],
        previous: dict[str, Any] | None,
    ) -> Key:
        start, end = criterion["start"], criterion["end"]
        heading = criterion.get("heading")
        return (
            view[start:end],
            text[start:end],
            criterion["section"],
            (view[heading[0] : heading[1]], heading[0] - start, heading[1] - start)
            if heading
            else None,
            tuple((s - start, e - start) for s, e in criterion.get("items") or ()),
            *(context(view, criterion, previous) for context in self.contexts),
        )

    def mark(self, docs: list[Doc]) -> Plan:
        """After segmentation: hide every criterion whose results are known or
        will be (an identical one earlier in ``docs``)."""
        plan = Plan(docs)
        cache = self._cache
        for doc in docs:
            view, text = doc_view(doc), doc_text(doc)
            hidden: set[int] = set()
            previous: dict[str, Any] | None = None
            for span in criteria(doc):
                criterion = fields(span)
                key = self.key(view, text, criterion, previous)
                previous = criterion
                self.lookups += 1
                if key in plan.fresh or cache.get(key) is not None:
                    self.hits += 1
                    plan.reused.append((span, key))
                    hidden.add(span.id)
                else:
                    plan.fresh[key] = span
            if hidden:
                doc.user_data[REUSED_KEY] = hidden
        return plan

    def fill(self, plan: Plan) -> None:
        """After the components: copy results onto the hidden criteria, and
        keep results for later batches.

        Most criteria never repeat, and copying out the results of every one
        cost more than reuse saved: a criterion's results are kept the second
        time its key is seen (the first time, only the key is).
        """
        cache = self._cache
        made = {
            key: Found.of(plan.fresh[key])
            for _, key in plan.reused
            if key in plan.fresh
        }
        for span, key in plan.reused:
            (made.get(key) or cache[key]).give(span)  # type: ignore[union-attr]
        for doc in plan.docs:
            doc.user_data.pop(REUSED_KEY, None)
        if self.size <= 0:
            return
        for key, span in plan.fresh.items():
            found = made.get(key)
            if found is None and key in cache:  # seen before: now it repeats
                found = Found.of(span)
            if key not in cache and len(cache) >= self.size:
                del cache[next(iter(cache))]  # the oldest entry
            cache[key] = found
