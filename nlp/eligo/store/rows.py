"""Documents -> table rows, and the content hash that makes indexing incremental.

Everything here is plain data: a :class:`~eligo.document.Document` in, tuples
in the column order of :mod:`eligo.store.schema` out. The analyte id comes from
the lexicon (``Lexicon.find`` on the analyte's text), so SQL can group
thresholds by analyte however they were written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import cache
from typing import Any

from .. import __version__
from ..document import Constraint, Document
from ..normalise.lexicon import Lexicon
from ..trial import Trial


def content_hash(
    text: str,
    structured: Mapping[str, Any] | None,
    title: str | None,
    conditions: list[str] | tuple[str, ...],
    version: str = __version__,
) -> str:
    """The sha256 that says whether a stored record changed.

    Args:
        text: The criteria text.
        structured: The registry fields (``minimum_age``, ``maximum_age``,
            ``sex``, ``healthy_volunteers``), or ``None``.
        title: The trial's title.
        conditions: The registry's conditions.
        version: The eligo version (a new version re-parses everything).

    Returns:
        The hex digest.
    """
    payload = {
        "text": text,
        "structured": dict(structured) if structured is not None else None,
        "title": title,
        "conditions": list(conditions),
        "eligo": version,
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _structured_fields(
    minimum_age: float | None,
    maximum_age: float | None,
    sex: str | None,
    healthy_volunteers: bool | None,
) -> dict[str, Any] | None:
    fields = {
        "minimum_age": minimum_age,
        "maximum_age": maximum_age,
        "sex": sex,
        "healthy_volunteers": healthy_volunteers,
    }
    return None if all(v is None for v in fields.values()) else fields


def trial_hash(trial: Trial) -> str:
    """:func:`content_hash` of a record before it is parsed."""
    st = trial.structured
    fields = (
        None
        if st is None
        else _structured_fields(
            st.minimum_age, st.maximum_age, st.sex, st.healthy_volunteers
        )
    )
    return content_hash(trial.text, fields, trial.title, trial.conditions)


def document_hash(doc: Document) -> str:
    """:func:`content_hash` of a parsed document (equal to its trial's)."""
    st = doc.structured
    fields = (
        None
        if st is None
        else _structured_fields(
            st.minimum_age, st.maximum_age, st.sex, st.healthy_volunteers
        )
    )
    return content_hash(doc.text, fields, doc.title, doc.conditions)


@cache
def analyte_id(text: str) -> str | None:
    """The lexicon id of an analyte as written (``"Platelet count"`` -> ``platelets``).

    Returns:
        The id of the first lexicon match in ``text``, or ``None``.
    """
    found = Lexicon.default().find(text)
    return found[0].analyte_id if found else None


def constraint_analyte_id(con: Constraint) -> str | None:
    """The lexicon id of a constraint's analyte, if it has one.

    The measurement component records it (``Analyte.id``); Documents written
    before it did are looked up by the analyte's text.
    """
    if con.analyte is None:
        return None
    return con.analyte.id or analyte_id(con.analyte.text)


def trial_row(doc: Document, digest: str) -> tuple[Any, ...]:
    """The ``trials`` row of ``doc`` (column order of the schema)."""
    st = doc.structured
    age = doc.summary.age
    source = doc.source
    return (
        doc.id,
        digest,
        __version__,
        datetime.now(timezone.utc).replace(tzinfo=None),
        doc.title,
        list(doc.conditions),
        st.minimum_age if st else None,
        st.maximum_age if st else None,
        st.sex if st else None,
        st.healthy_volunteers if st else None,
        age.low if age else None,
        age.high if age else None,
        doc.summary.sex,
        source.path if source else None,
        source.record if source else None,
        source.format if source else None,
        len(doc.criteria),
        doc.text,
        doc.model_dump_json(),
    )


def criterion_rows(doc: Document) -> list[tuple[Any, ...]]:
    """The ``criteria`` rows of ``doc``."""
    return [
        (
            doc.id,
            i,
            c.section,
            c.start,
            c.end,
            doc.text[c.start : c.end],
            c.heading.text if c.heading else None,
            len(c.constraints),
        )
        for i, c in enumerate(doc.criteria)
    ]


def constraint_rows(doc: Document) -> list[tuple[Any, ...]]:
    """The ``constraints`` rows of ``doc``."""
    out: list[tuple[Any, ...]] = []
    for i, crit in enumerate(doc.criteria):
        for j, c in enumerate(crit.constraints):
            can = c.canonical
            out.append(
                (
                    doc.id,
                    i,
                    j,
                    crit.section,
                    c.type,
                    c.negated,
                    c.start,
                    c.end,
                    doc.text[c.start : c.end],
                    c.value,
                    c.low,
                    c.low_inclusive,
                    c.high,
                    c.high_inclusive,
                    c.unit,
                    c.relative_to,
                    c.analyte.text if c.analyte else None,
                    c.analyte.code if c.analyte else None,
                    constraint_analyte_id(c),
                    can.low if can else None,
                    can.high if can else None,
                    can.unit if can else None,
                    c.low_days,
                    c.high_days,
                    c.direction,
                    c.anchor,
                    c.subject.text if c.subject else None,
                )
            )
    return out


def entity_rows(doc: Document) -> list[tuple[Any, ...]]:
    """The ``entities`` rows of ``doc``."""
    return [
        (doc.id, i, k, e.label, e.negated, e.start, e.end, doc.text[e.start : e.end])
        for i, crit in enumerate(doc.criteria)
        for k, e in enumerate(crit.entities)
    ]
