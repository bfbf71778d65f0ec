"""The public output contract: Document, Criterion, Entity, Constraint.

Other tools read these field names; add fields freely, never rename or remove.
Every ``start``/``end`` is a character offset into ``Document.text`` (Python
string indices, end exclusive), so ``text[start:end]`` is the span's text.

The JSON Schema of :class:`Document` is published in the package as
``eligo/document.schema.json`` (``eligo schema`` prints it).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from .trial import where

Section = Literal["inclusion", "exclusion", "unknown"]
SCHEMA_FILE = "document.schema.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Model):
    """A character range of the document's text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Trigger(Span):
    """The cue that set an entity's assertion ("no", "history of", ...)."""

    text: str


class Code(_Model):
    """A code of an entity, given only where certain.

    ``score`` is the cosine similarity (0-1) of the mention to the nearest
    alias of the code; a code is given only at or above a calibrated threshold
    (``eligo.normalise.icd10.THRESHOLD``). ``display`` is the code's
    description in its code system.
    """

    system: Literal["icd10cm"]
    code: str
    display: str
    score: float = Field(ge=0, le=1)


class Entity(Span):
    """A concept mention (Chia's type names where one fits).

    ``source`` says what found it ("rule" or "model"); ``assertion`` is
    "present", "negated", "historical", "hypothetical" or "family", with the
    ``trigger`` that set it. ``negated`` is textual negation only: a negated
    Condition in an exclusion criterion stays an exclusion criterion.
    ``code`` is set on Condition entities only, and only when codes were asked
    for (``eligo parse --codes``) and the code is certain; the key is left out
    of the JSON when there is no code, so output without ``--codes`` is as it
    was.
    """

    label: str
    negated: bool = False
    source: str | None = None
    assertion: str | None = None
    trigger: Trigger | None = None
    code: Code | None = None

    @model_serializer(mode="wrap")
    def _drop_missing_code(
        self, handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.code is None:
            data.pop("code", None)
        return data


class Analyte(Span):
    """What a measurement constraint measures, with its code when certain."""

    text: str
    code: str | None = None
    #: The lexicon entry (``rules/analytes.json`` id) when the lexicon knows
    #: the analyte; ``None`` for a phrase read from the text alone.
    id: str | None = None


class CanonicalBounds(_Model):
    """Bounds converted to an analyte's canonical unit."""

    low: float | None = None
    high: float | None = None
    unit: str


class Logic(_Model):
    """How a criterion's constraints combine: ``args`` are constraint indices
    (into ``Criterion.constraints``) or nested groups."""

    op: Literal["and", "or"]
    args: list[int | Logic]


class Constraint(Span):
    """A machine-usable restriction; ``start``/``end`` cover its evidence phrase.

    ``type`` is one of "age", "age_group" (a population word: "adults"),
    "sex", "pregnancy", "breastfeeding", "measurement", "score", "temporal",
    "duration". Intervals are
    ``low``/``high`` with inclusive flags; ``value`` holds a categorical value
    ("female", "ever", a Child-Pugh class); ``relative_to`` is "ULN"/"LLN"/
    "control" when a threshold is a multiple of a reference (``unit`` is then
    the UCUM annotation "{ULN}"/"{LLN}"); ``canonical``
    holds the bounds converted to the analyte's canonical unit. Time windows
    give ``low_days``/``high_days`` from ``anchor`` (``direction`` says on
    which side), ``subject`` the phrase they apply to, ``qualifies`` the
    indices of the constraints inside that phrase, and ``joined``/``rule``
    for "whichever is longer". ``assertion``/``trigger`` come from the
    negation component, as on entities.
    """

    type: str
    negated: bool = False
    value: str | None = None
    low: float | None = None
    low_inclusive: bool | None = None
    high: float | None = None
    high_inclusive: bool | None = None
    unit: str | None = None
    analyte: Analyte | None = None
    low_days: float | None = None
    high_days: float | None = None
    direction: Literal["before", "after"] | None = None
    anchor: str | None = None
    relative_to: str | None = None
    canonical: CanonicalBounds | None = None
    subject: Heading | None = None
    qualifies: list[int] = Field(default_factory=list)
    assertion: str | None = None
    trigger: Trigger | None = None
    rule: Literal["longer", "shorter"] | None = None
    joined: list[int] = Field(default_factory=list)
    note: str | None = None


class Heading(Span):
    """A sub-heading or lead-in line above a criterion ("Hepatic:", "Allowed:")."""

    text: str


class Criterion(Span):
    """One criterion: a bullet, a numbered item or a sentence of a paragraph.

    Nested sub-items stay with their parent: the parent's span covers them and
    ``items`` lists each sub-item's span.
    """

    section: Section
    entities: list[Entity] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)
    items: list[Span] = Field(default_factory=list)
    heading: Heading | None = None
    logic: Logic | None = None
    category: str | None = None
    category_scores: dict[str, float] = Field(default_factory=dict)
    computable: bool | None = None


class Structured(_Model):
    """The registry's own eligibility fields (ages in years)."""

    minimum_age: float | None = None
    maximum_age: float | None = None
    sex: Literal["all", "female", "male"] | None = None
    healthy_volunteers: bool | None = None


class AgeRange(_Model):
    """An age interval in years."""

    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True


class Summary(_Model):
    """What a patient must be, from the criteria text as a whole.

    ``age`` combines inclusion age constraints with the complement of
    exclusion ones; ``mismatches`` reports where the text disagrees with the
    registry's structured fields (never silently merged).
    """

    age: AgeRange | None = None
    sex: Literal["all", "female", "male"] | None = None
    mismatches: list[str] = Field(default_factory=list)


class SectionSpan(Span):
    """A section of the text, with the header that opened it (if any)."""

    section: Section
    header: Span | None = None


class Source(_Model):
    """Where the document came from."""

    path: str | None = None
    record: str | None = None
    format: str


class Document(_Model):
    """One parsed trial.

    ``notes`` says what was done to the input on the way in: a code point that
    cannot be encoded (a lone surrogate) is replaced by U+FFFD, one for one, so
    ``text`` is the input with those replacements and every offset indexes
    both.
    """

    id: str
    text: str
    structured: Structured | None = None
    criteria: list[Criterion] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    title: str | None = None
    conditions: list[str] = Field(default_factory=list)
    sections: list[SectionSpan] = Field(default_factory=list)
    source: Source | None = None
    notes: list[str] = Field(default_factory=list)

    def warning_lines(self) -> list[str]:
        """One line per note, naming the file and record (``file [record]:``)."""
        source = self.source
        name = where(
            source.path if source else None, source.record if source else None, self.id
        )
        return [f"{name}: {note}" for note in self.notes]

    def spans(self) -> list[Span]:
        """Every span in the document (criteria, entities, constraints, ...)."""
        out: list[Span] = []
        for sec in self.sections:
            out.append(sec)
            if sec.header is not None:
                out.append(sec.header)
        for crit in self.criteria:
            out.append(crit)
            out.extend(crit.items)
            if crit.heading is not None:
                out.append(crit.heading)
            out.extend(crit.entities)
            for con in crit.constraints:
                out.append(con)
                if con.analyte is not None:
                    out.append(con.analyte)
        return out


def document_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`Document`, as generated from the model."""
    schema = Document.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://eligo.dev/schema/document.schema.json"
    return schema


def published_json_schema() -> dict[str, Any]:
    """The JSON Schema file shipped in the package."""
    raw = resources.files("eligo").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(raw)
    return result


if __name__ == "__main__":  # python -m eligo.document PATH: regenerate the schema
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else SCHEMA_FILE
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(document_json_schema(), indent=2) + "\n")
