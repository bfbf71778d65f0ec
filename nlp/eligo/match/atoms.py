"""What every checked piece of a criterion shares: the three-valued logic,
the :class:`Atom` an evaluation returns and the match :class:`Context`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ..document import Document
from ..normalise.lexicon import Lexicon
from .patient import Patient
from .result import Evidence
from .rules import ConceptIndex, concept_index


@dataclass
class Atom:
    """One checked piece: its outcome, evidence and the data it still needs."""

    holds: bool | None
    evidence: Evidence
    missing: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What every criterion of one match shares."""

    patient: Patient
    as_of: date
    lab_max_age_days: float
    lexicon: Lexicon = field(default_factory=Lexicon.default)
    concepts: ConceptIndex = field(default_factory=concept_index)
    _open: Context | None = field(default=None, repr=False, compare=False)
    #: What evaluations of this match compute once (see ``evaluate``).
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def for_section(self, section: str) -> Context:
        """The context a criterion of ``section`` is checked in: a patient
        whose lists are complete for exclusion criteria only
        (``complete_for="exclusion"``, a note) is an open record elsewhere."""
        patient = self.patient
        if patient.complete_for != "exclusion" or section == "exclusion":
            return self
        if not patient.complete:
            return self
        if self._open is None:
            self._open = replace(
                self, patient=patient.model_copy(update={"complete": []})
            )
        return self._open


# ---------------------------------------------------------------- three-valued


def all_of(values: Iterable[bool | None]) -> bool | None:
    vals = list(values)
    if any(v is False for v in vals):
        return False
    return True if all(v is True for v in vals) else None


def any_of(values: Iterable[bool | None]) -> bool | None:
    vals = list(values)
    if any(v is True for v in vals):
        return True
    return False if all(v is False for v in vals) else None


def agreed(values: Iterable[bool | None]) -> bool | None:
    """True or False only when every value is that (valid under AND and OR)."""
    vals = list(values)
    if vals and all(v is True for v in vals):
        return True
    if vals and all(v is False for v in vals):
        return False
    return None


def negate(value: bool | None) -> bool | None:
    return None if value is None else not value


# ------------------------------------------------------------------ the atoms


def evidence(
    doc: Document,
    start: int,
    end: int,
    holds: bool | None,
    reason: str,
    fact: str | None = None,
) -> Evidence:
    return Evidence(
        start=start,
        end=end,
        text=doc.text[start:end],
        holds=holds,
        reason=reason,
        fact=fact,
    )
