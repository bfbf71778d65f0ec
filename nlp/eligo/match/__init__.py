"""Patient matching: one patient against parsed trials, with verdicts.

- :mod:`.patient`: the patient profile (JSON contract) and its reader;
  :mod:`.fhir` reads FHIR R4 Bundles into it.
- :mod:`.rules`: concept synonyms, codes and match settings (``rules/match*.json``).
- :mod:`.evaluate`: one criterion against one patient (three-valued).
- :mod:`.engine`: :func:`match`, trials read, parsed or reloaded, ranked.
- :mod:`.result`: the verdicts (JSON contract); :mod:`.render`: the table.
"""

from __future__ import annotations

from .engine import match
from .patient import Patient, PatientError, load_patient
from .result import CriterionMatch, MatchReport, TrialMatch

__all__ = [
    "CriterionMatch",
    "MatchReport",
    "Patient",
    "PatientError",
    "TrialMatch",
    "load_patient",
    "match",
]
