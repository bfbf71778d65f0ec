"""What `eligo match` returns: verdicts with their evidence (a JSON contract).

Every ``start``/``end`` is a character offset into the matched trial's
``Document.text``, as everywhere in eligo.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .patient import Source

Verdict = Literal["met", "not_met", "unknown", "not_computable"]
TrialVerdict = Literal["eligible", "excluded", "needs_review"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    """One checked piece of a criterion: what was read, what it was checked
    against, and the outcome (``holds``: the piece is true of the patient)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    holds: bool | None
    reason: str
    fact: str | None = Field(None, description="The patient fact used, if any.")
    source: Source | None = Field(
        None, description="Where the patient's note states that fact."
    )


class CriterionMatch(_Model):
    """The verdict on one criterion.

    ``holds`` says whether the criterion's statement is true of the patient;
    ``verdict`` turns it into eligibility: an inclusion criterion is ``met``
    when it holds, an exclusion criterion is ``met`` when it does not hold
    (the patient is not excluded by it). ``missing`` lists the data that would
    decide an ``unknown``.
    """

    index: int
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    section: str
    verdict: Verdict
    holds: bool | None
    evidence: list[Evidence] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    note: str | None = None
    sources: list[Source] = Field(
        default_factory=list,
        description="The note sentences the verdict used (patients read from a "
        "note), in note order.",
    )


class TrialMatch(_Model):
    """One trial against the patient.

    ``excluded``: at least one criterion is ``not_met`` (listed in
    ``excluded_by``); ``needs_review``: none is ``not_met`` but some are
    ``unknown`` (``missing`` says what to collect); ``eligible``: every
    computable criterion is met (``not_computable`` criteria such as consent or
    investigator judgement remain for the site to check).
    """

    id: str
    title: str | None = None
    verdict: TrialVerdict
    excluded_by: list[int] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list)
    criteria: list[CriterionMatch] = Field(default_factory=list)


class MatchFailure(_Model):
    """A trial that could not be read or parsed (one line)."""

    path: str | None = None
    record: str | None = None
    message: str


class MatchReport(_Model):
    """One patient against many trials, ranked: eligible first, then needs
    review by fewest unknowns, then excluded. ``warnings`` are one line each
    (``file [record]: note``) for input that was used all the same: code
    points that cannot be encoded, replaced by U+FFFD."""

    patient: str
    as_of: str
    trials: list[TrialMatch] = Field(default_factory=list)
    failures: list[MatchFailure] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
