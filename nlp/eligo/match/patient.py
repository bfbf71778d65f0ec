"""The patient profile that ``eligo match`` reads: a documented JSON contract.

A profile lists what is known about one patient. Every list is *open* by
default: a condition that is not listed is unknown, not absent. Say what is
known to be absent in one of two ways:

- a fact with ``"present": false`` ("no history of stroke", FHIR
  ``verificationStatus: refuted``);
- ``"complete": ["conditions", "medications", ...]``: those lists are the
  patient's whole record, so anything they do not list is absent.

Dates are ISO 8601 and may be partial (``"2019"``, ``"2019-06"``,
``"2019-06-30"``): a partial date stands for every day it covers, and a
verdict that depends on which day is "unknown".

The JSON Schema is shipped as ``eligo/patient.schema.json``
(``eligo schema --patient`` prints it). Reading a file (a profile or a FHIR R4
Bundle) into a :class:`Patient` is :mod:`eligo.match.load`.
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import date
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PATIENT_SCHEMA_FILE = "patient.schema.json"
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

#: The lists a profile can declare complete.
RecordList = Literal[
    "conditions", "medications", "procedures", "observations", "trials"
]


def date_bounds(value: str) -> tuple[date, date]:
    """The first and last day a (possibly partial) ISO date covers.

    Raises:
        ValueError: Not ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, or no such day.
    """
    m = _DATE_RE.match(value.strip()[:10]) if value else None
    if m is None:
        raise ValueError(f"not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
    year = int(m.group(1))
    if m.group(2) is None:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(m.group(2))
    if m.group(3) is None:
        last = calendar.monthrange(year, month)[1]
        return date(year, month, 1), date(year, month, last)
    day = date(year, month, int(m.group(3)))
    return day, day


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_date(value: str | None) -> str | None:
    if value is not None:
        date_bounds(value)
    return value


class Code(_Model):
    """A coded concept: ``system`` is a URI (``http://hl7.org/fhir/sid/icd-10-cm``)
    or a short name ("icd10cm", "snomed", "loinc", "rxnorm", "atc")."""

    system: str
    code: str
    display: str | None = None


class Source(_Model):
    """Where a fact was read in the patient's note (:func:`eligo.match.note.read_note`):
    the words (``start``/``end``) and the sentence holding them, as character
    offsets into the note's text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    sentence_start: int = Field(ge=0)
    sentence_end: int = Field(ge=0)
    assertion: str | None = Field(
        None, description="How the note asserts it (negated, historical, ...)."
    )


class _Fact(_Model):
    text: str | None = Field(None, description="The concept as written.")
    codes: list[Code] = Field(default_factory=list)
    present: bool = Field(
        True, description="False: known to be absent (refuted, 'no history of')."
    )
    source: Source | None = Field(None, description="Where a note says it.")

    def names(self) -> list[str]:
        """The texts this fact can be matched by (its text and code displays)."""
        out = [self.text] if self.text else []
        out += [c.display for c in self.codes if c.display]
        return out


class Condition(_Fact):
    """A diagnosis or problem; active from ``onset`` until ``resolved``.

    ``status`` "resolved" without a ``resolved`` date: over, on a day not
    known; "active": ongoing (``None``: ongoing unless ``resolved`` is given).
    """

    onset: str | None = None
    resolved: str | None = None
    status: Literal["active", "resolved"] | None = None

    _dates = field_validator("onset", "resolved")(_check_date)


class Medication(_Fact):
    """A drug the patient takes or took, from ``start`` to ``end``.

    ``status`` "stopped" without an ``end`` date: stopped on a day not known;
    "active": still taken (``None``: taken until ``end``, ongoing if none).
    """

    start: str | None = None
    end: str | None = None
    status: Literal["active", "stopped"] | None = None

    _dates = field_validator("start", "end")(_check_date)


class Procedure(_Fact):
    """A procedure (surgery, transplant, radiotherapy, ...) on ``date``."""

    date: str | None = None

    _dates = field_validator("date")(_check_date)


class ValueRange(_Model):
    """A result known only as an interval, in its observation's ``unit``: a
    lab's "< 0.5" (FHIR ``valueQuantity.comparator``, ``valueRange``) or a
    finding a note states ("tachycardic": heart rate > 100 /min). A bound
    left out is open."""

    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> ValueRange:
        if self.low is None and self.high is None:
            raise ValueError("a value range needs a low or a high bound")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"value range low {self.low} is above high {self.high}")
        return self


class Observation(_Model):
    """A lab result, vital sign or score (ECOG, Child-Pugh, NYHA).

    ``value`` is a number in ``unit`` (any unit eligo reads, or UCUM); an
    ordinal result ("B" for Child-Pugh) goes in ``value_text``; a result
    known only as an interval in ``value_range`` (a criterion is decided by
    it only when the whole interval lies inside or outside the criterion's).
    ``reference_low``/``reference_high`` are the lab's normal range in the
    same unit, needed for thresholds written as multiples of ULN/LLN.
    """

    name: str | None = None
    codes: list[Code] = Field(default_factory=list)
    value: float | None = None
    value_text: str | None = None
    value_range: ValueRange | None = None
    unit: str | None = None
    date: str | None = None
    reference_low: float | None = None
    reference_high: float | None = None
    source: Source | None = Field(None, description="Where a note says it.")

    _dates = field_validator("date")(_check_date)

    def names(self) -> list[str]:
        out = [self.name] if self.name else []
        out += [c.display for c in self.codes if c.display]
        return out


class TrialParticipation(_Model):
    """An earlier or current interventional study, from ``start`` to ``end``."""

    id: str | None = None
    text: str | None = None
    start: str | None = None
    end: str | None = None

    _dates = field_validator("start", "end")(_check_date)


class Patient(_Model):
    """One patient (see the module docstring for open and complete lists)."""

    id: str = "patient"
    birth_date: str | None = Field(None, description="ISO date, may be partial.")
    age: float | None = Field(
        None, ge=0, description="Age in years on the reference date, if no birth date."
    )
    sex: Literal["female", "male"] | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    status_date: str | None = Field(
        None,
        description="When pregnancy/breastfeeding were recorded; a status older "
        "than rules/match.json status_max_age_days counts as unknown.",
    )
    conditions: list[Condition] = Field(default_factory=list)
    medications: list[Medication] = Field(default_factory=list)
    procedures: list[Procedure] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    trials: list[TrialParticipation] = Field(default_factory=list)
    complete: list[RecordList] = Field(default_factory=list)
    complete_for: Literal["all", "exclusion"] = Field(
        "all",
        description="Which criteria the complete lists are complete for: "
        "'exclusion' reads what the record does not list as absent only for "
        "exclusion criteria (a screening note: what it does not mention is "
        "presumed absent, while an inclusion requirement it does not document "
        "needs confirming).",
    )
    consent: bool | None = Field(
        None,
        description="Willing to give informed consent and to comply with a "
        "protocol (decides consent and compliance criteria).",
    )
    sources: dict[str, Source] = Field(
        default_factory=dict,
        description="Where a note gives age, sex, pregnant, breastfeeding, consent.",
    )

    _dates = field_validator("birth_date", "status_date")(_check_date)


class PatientError(ValueError):
    """A patient file that cannot be read; the message is one line."""


def patient_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`Patient`, as generated from the model."""
    schema = Patient.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://eligo.dev/schema/patient.schema.json"
    return schema


def published_patient_schema() -> dict[str, Any]:
    """The patient JSON Schema shipped in the package."""
    raw = (
        resources.files("eligo")
        .joinpath(PATIENT_SCHEMA_FILE)
        .read_text(encoding="utf-8")
    )
    result: dict[str, Any] = json.loads(raw)
    return result


if __name__ == "__main__":  # python -m eligo.match.patient PATH: regenerate
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else PATIENT_SCHEMA_FILE
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(patient_json_schema(), indent=2) + "\n")
