"""Where eligo keeps its results on a spaCy ``Doc``: span groups.

Every component writes spaCy :class:`~spacy.tokens.Span` objects into four
span groups of a tokenised Doc:

- ``doc.spans["sections"]``: the inclusion / exclusion / unknown blocks
  (label: the section);
- ``doc.spans["criteria"]``: one span per criterion, in text order (label: its
  section);
- ``doc.spans["eligo"]``: the constraints (label: the constraint's type:
  "age", "measurement", "window", ...);
- ``doc.spans["concepts"]``: the concept entities (label: "Condition",
  "Drug", ...).

A span's normalised values are ``Span._`` attributes. ``span._.fields`` is the
whole record, with exactly the fields of the public model it becomes
(:class:`eligo.document.SectionSpan`, :class:`~eligo.document.Criterion`,
:class:`~eligo.document.Constraint`, :class:`~eligo.document.Entity`): those
models are the one declaration of the shape (a criterion's record also lists
its children's span ids). The label is the section, the constraint type or
the entity label; ``span._.assertion`` and ``span._.negated`` read single
fields;
``criterion._.constraints`` and ``criterion._.entities`` give a criterion's
spans, ``span._.criterion`` the criterion of a constraint or entity.

Why the records live in one Doc-level table (``doc._.fields``, keyed by the
span's ``id``) and not in ``Span._`` defaults: spaCy 3.7 keys a span's ``_``
values by its characters, and two eligo spans may cover the same characters
(the low and the high bound of a blood pressure, a measurement and the entity
made from it). The table holds plain data, so it survives ``Doc.to_bytes``
and ``nlp.pipe(n_process=...)``.

A span's tokens cover its characters (eligo's tokenizer splits comparators,
numbers and units, so they nearly always coincide); the exact character
offsets are the record's ``start`` and ``end``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spacy.tokens import Doc, Span

from .docindex import doc_index

SECTIONS = "sections"
CRITERIA = "criteria"
CONSTRAINTS = "eligo"
ENTITIES = "concepts"
#: Keys of a criterion's record that list its children's span ids.
_CHILD_KEYS = {CONSTRAINTS: "constraint_ids", ENTITIES: "entity_ids"}
#: Keys of a criterion's record that are not fields of the public Criterion.
INTERNAL_KEYS = frozenset(_CHILD_KEYS.values())
#: Where a Doc lists the ids of criterion spans whose results are copied from
#: an identical criterion (:mod:`eligo.parse.reuse`): components skip them.
REUSED_KEY: Any = ("eligo", "reused")

Fields = dict[str, Any]


def register_span_extensions() -> None:
    """Register the ``Doc._.fields`` table and the ``Span._`` getters (idempotent)."""
    if not Doc.has_extension("fields"):
        Doc.set_extension("fields", default=None)
    getters = {
        "fields": fields,
        "constraints": lambda span: _children(span, CONSTRAINTS),
        "entities": lambda span: _children(span, ENTITIES),
        "criterion": criterion_of,
        "assertion": lambda span: fields(span).get("assertion"),
        "negated": lambda span: bool(fields(span).get("negated")),
    }
    for name, getter in getters.items():
        if not Span.has_extension(name):
            Span.set_extension(name, getter=getter)


#: Where spaCy keeps ``doc._.fields`` (``Doc.user_data``). Components read the
#: table there directly: going through ``doc._`` builds an ``Underscore``
#: object on every access, which cost a tenth of the parse time.
_TABLE_KEY: Any = ("._.", "fields", None, None)


def _table(doc: Doc) -> dict[int, Fields]:
    table: dict[int, Fields] | None = doc.user_data.get(_TABLE_KEY)
    if table is None:
        table = {}
        doc.user_data[_TABLE_KEY] = table
    return table


def fields(span: Span) -> Fields:
    """The record of an eligo span (empty for a span eligo did not make)."""
    table = span.doc.user_data.get(_TABLE_KEY)
    return table.get(span.id, {}) if table else {}


def add_span(doc: Doc, group: str, label: str, record: Fields) -> Span:
    """Put a span for ``record`` (which has ``start`` and ``end``) in ``group``."""
    (span,) = add_spans(doc, group, [(label, record)])
    return span


def add_spans(
    doc: Doc, group: str, labelled: Iterable[tuple[str, Fields]]
) -> list[Span]:
    """Put a span for each ``(label, record)`` in ``group``, in order.

    A span covers the tokens its record's characters touch (``Doc.char_span``'s
    "expand" mode, looked up in the Doc's
    :class:`~eligo.pipeline.docindex.DocIndex`); where that mode finds no
    tokens, the span is empty, where the record starts.
    """
    table = _table(doc)
    index = doc_index(doc)
    made = []
    for label, record in labelled:
        span_id = len(table) + 1  # 0 means "no id" to spaCy
        start = record["start"]
        bounds = index.expand(start, record["end"])
        if bounds is None:
            i = index.token_at(start) if start >= 0 else 0
            bounds = (i, i) if i >= 0 else (len(doc), len(doc))
        made.append(Span(doc, bounds[0], bounds[1], label=label, span_id=span_id))
        table[span_id] = record
    if group in doc.spans:
        doc.spans[group].extend(made)
    elif made:
        doc.spans[group] = made
    return made


def spans(doc: Doc, group: str) -> list[Span]:
    """The spans of ``group`` (none when the group is missing)."""
    return list(doc.spans[group]) if group in doc.spans else []


def criteria(doc: Doc, component: str | None = None) -> list[Span]:
    """The criterion spans of a segmented Doc, in text order.

    Args:
        doc: The Doc.
        component: The component asking: then only the criteria it has to
            process, without those whose results are copied from an identical
            criterion once the components have run (:mod:`eligo.parse.reuse`).

    Raises:
        ValueError: ``component`` runs on a Doc ``eligo_criteria`` has not seen.
    """
    if CRITERIA not in doc.spans:
        if component is None:
            return []
        raise ValueError(f"{component} needs eligo_criteria before it in the pipeline")
    found = list(doc.spans[CRITERIA])
    hidden = doc.user_data.get(REUSED_KEY) if component is not None else None
    return [s for s in found if s.id not in hidden] if hidden else found


def add_criterion(doc: Doc, record: Fields) -> Span:
    """A criterion span (``record`` holds the Criterion's own fields)."""
    record = {**record, "constraint_ids": [], "entity_ids": []}
    return add_span(doc, CRITERIA, record["section"], record)


def child_fields(criterion: Span, group: str) -> list[Fields]:
    """The records of a criterion's constraints or entities, in order (live)."""
    table = _table(criterion.doc)
    own = table.get(criterion.id, {})
    return [table[i] for i in own.get(_CHILD_KEYS[group], ())]


def constraint_fields(criterion: Span) -> list[Fields]:
    """The records of a criterion's constraints, in order (live dicts)."""
    return child_fields(criterion, CONSTRAINTS)


def entity_fields(criterion: Span) -> list[Fields]:
    """The records of a criterion's entities, in order (live dicts)."""
    return child_fields(criterion, ENTITIES)


def add_constraints(criterion: Span, records: Iterable[Fields]) -> None:
    """Append constraint spans to a criterion (and to ``doc.spans["eligo"]``)."""
    made = add_spans(criterion.doc, CONSTRAINTS, ((r["type"], r) for r in records))
    fields(criterion)["constraint_ids"].extend(span.id for span in made)


def set_entities(criterion: Span, records: Iterable[Fields]) -> None:
    """Replace a criterion's entity spans with spans for ``records``."""
    doc = criterion.doc
    crit = fields(criterion)
    old = set(crit["entity_ids"])
    if old:  # their records stay in the table: ids are never reused
        doc.spans[ENTITIES] = [s for s in doc.spans[ENTITIES] if s.id not in old]
    made = add_spans(doc, ENTITIES, ((r["label"], r) for r in records))
    crit["entity_ids"] = [span.id for span in made]


def record(criterion: Span) -> Fields:
    """A criterion's fields with its children's records under ``constraints``
    and ``entities``: the working view a rule reads (children are live)."""
    table = _table(criterion.doc)
    crit = table.get(criterion.id, {})
    out = dict(crit)
    for key in INTERNAL_KEYS:
        out.pop(key, None)
    out["constraints"] = [table[i] for i in crit.get("constraint_ids", ())]
    out["entities"] = [table[i] for i in crit.get("entity_ids", ())]
    return out


def _children(criterion: Span, group: str) -> list[Span]:
    ids = fields(criterion).get(_CHILD_KEYS[group])
    if not ids:
        return []
    by_id = {s.id: s for s in spans(criterion.doc, group)}
    return [by_id[i] for i in ids]


def criterion_of(span: Span) -> Span | None:
    """The criterion a constraint or entity span belongs to."""
    for crit in criteria(span.doc):
        record = fields(crit)
        if span.id in record.get("constraint_ids", ()) or span.id in record.get(
            "entity_ids", ()
        ):
            return crit
    return None


def set_criteria(doc: Doc, records: Iterable[Fields]) -> list[Span]:
    """Make the criterion spans of ``doc`` from criterion dicts.

    For a Doc segmented elsewhere (a test, another segmenter): each dict holds
    a criterion's fields (``start``, ``end``, ``section``, optionally
    ``items``, ``heading``) and may list ``constraints`` and ``entities``
    records, which become its child spans.
    """
    doc.spans[CRITERIA] = []
    made = []
    for rec in records:
        own = {k: v for k, v in rec.items() if k not in ("constraints", "entities")}
        span = add_criterion(doc, own)
        add_constraints(span, rec.get("constraints") or [])
        if rec.get("entities"):
            set_entities(span, rec["entities"])
        made.append(span)
    return made


def criterion_records(doc: Doc) -> list[Fields]:
    """:func:`record` of every criterion of ``doc``, in text order."""
    return [record(span) for span in criteria(doc)]
