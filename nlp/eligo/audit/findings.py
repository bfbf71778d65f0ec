"""What an audit reports: :class:`Finding`, one flagged thing with its evidence.

A finding names its kind (one of :data:`KINDS`), a severity, the trial, the
criterion (an index into ``Document.criteria``) and the evidence span (character
offsets into ``Document.text``, like every span eligo outputs), with a one-line
message saying why it was flagged and ``data`` holding the numbers behind it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "info"]

#: Every finding kind, in report order, with what it means.
KINDS: dict[str, str] = {
    "contradiction": "Inclusion and exclusion criteria that no patient can satisfy "
    "together",
    "implausible_value": "A threshold outside the analyte's plausible range",
    "implausible_unit": "A unit whose dimension cannot be converted to the "
    "analyte's canonical unit",
    "registry_age_mismatch": "Age in the text disagrees with the registry's "
    "structured fields",
    "registry_sex_mismatch": "Sex in the text disagrees with the registry's "
    "structured field",
    "duplicate": "The same criterion twice in one trial",
    "redundancy": "An exclusion that restates the complement of an inclusion",
    "unparsed_number": "A numeric expression eligo did not turn into a constraint",
    "not_computable": "A criterion that needs a person's judgement, consent or "
    "willingness",
    "threshold_outlier": "A threshold far from other trials' for the same analyte",
    "age_outlier": "An age limit far from other trials'",
    "washout_outlier": "A washout window far from other trials' for the same "
    "drug class",
    "unit_heterogeneity": "An analyte written in a less common unit than other "
    "trials use",
    "unusual_criterion": "A kind of criterion only one trial in the group has",
}

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


class Finding(BaseModel):
    """One flagged thing.

    Attributes:
        kind: One of :data:`KINDS`.
        severity: ``error``, ``warning`` or ``info``.
        trial_id: The trial.
        criterion: Index into the document's ``criteria``, or ``None`` for a
            finding about the whole trial.
        start: Evidence start (offset into the document's text), or ``None``.
        end: Evidence end (exclusive), or ``None``.
        message: Why it was flagged, one line.
        section: The criterion's section, when there is a criterion.
        text: The criterion's text (copied for programs reading the JSON/CSV).
        evidence: ``text`` of the evidence span (copied likewise).
        related: Other spans involved (``{"criterion", "start", "end"}``), e.g.
            the inclusion that an exclusion contradicts.
        data: The numbers behind the finding.
    """

    model_config = ConfigDict(extra="forbid")

    kind: str
    severity: Severity
    trial_id: str
    criterion: int | None = None
    start: int | None = None
    end: int | None = None
    message: str
    section: str | None = None
    text: str | None = None
    evidence: str | None = None
    related: list[dict[str, int]] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)

    def sort_key(self) -> tuple[int, int, str, int, int]:
        """Report order: kind, then trial, criterion and position."""
        kinds = list(KINDS)
        return (
            kinds.index(self.kind) if self.kind in kinds else len(kinds),
            SEVERITY_ORDER[self.severity],
            self.trial_id,
            -1 if self.criterion is None else self.criterion,
            -1 if self.start is None else self.start,
        )
