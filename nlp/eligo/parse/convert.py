"""A processed Doc -> the public Document, built once, at the edge.

Reads the span groups the components filled (:mod:`eligo.pipeline.spans`).
"""

from __future__ import annotations

from spacy.tokens import Doc

from ..document import (
    Constraint,
    Criterion,
    Document,
    Entity,
    Heading,
    SectionSpan,
    Source,
    Span,
    Structured,
    Summary,
)
from ..pipeline.spans import CONSTRAINTS as CONSTRAINT_SPANS
from ..pipeline.spans import CRITERIA, SECTIONS, child_fields, fields, spans
from ..pipeline.spans import ENTITIES as ENTITY_SPANS
from ..trial import Trial
from .summary import summarise


def to_document(trial: Trial, doc: Doc) -> Document:
    """Build the public Document from a processed Doc (its span groups)."""
    criteria = []
    for span in spans(doc, CRITERIA):
        c = fields(span)
        heading = c.get("heading")
        criteria.append(
            Criterion(
                section=c["section"],
                start=c["start"],
                end=c["end"],
                items=[Span(start=s, end=e) for s, e in c["items"]],
                constraints=[
                    Constraint.model_validate(k)
                    for k in child_fields(span, CONSTRAINT_SPANS)
                ],
                entities=[
                    Entity.model_validate(e) for e in child_fields(span, ENTITY_SPANS)
                ],
                logic=c.get("logic"),
                category=c.get("category"),
                category_scores=c.get("category_scores") or {},
                computable=c.get("computable"),
                heading=(
                    Heading(
                        start=heading[0],
                        end=heading[1],
                        text=trial.text[heading[0] : heading[1]],
                    )
                    if heading
                    else None
                ),
            )
        )
    sections = []
    for span in spans(doc, SECTIONS):
        s = fields(span)
        sections.append(
            SectionSpan(
                section=s["section"],
                start=s["start"],
                end=s["end"],
                header=Span(start=s["header"][0], end=s["header"][1])
                if s["header"]
                else None,
            )
        )
    structured = None
    if trial.structured is not None:
        st = trial.structured
        structured = Structured(
            minimum_age=st.minimum_age,
            maximum_age=st.maximum_age,
            sex=st.sex,
            healthy_volunteers=st.healthy_volunteers,
        )
    document = Document(
        id=trial.id,
        text=trial.text,
        structured=structured,
        criteria=criteria,
        summary=Summary(),
        title=trial.title,
        conditions=list(trial.conditions),
        sections=sections,
        source=Source(path=trial.path, record=trial.record, format=trial.source_format),
        notes=list(trial.notes),
    )
    document.summary = summarise(document)
    return document
