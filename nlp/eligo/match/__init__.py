"""Patient matching: one patient against parsed trials, with verdicts.

- :mod:`.patient`: the patient profile (JSON contract); :mod:`.fhir` reads
  FHIR R4 Bundles into it, :mod:`.load` reads a file of either.
- :mod:`.rules`: concept synonyms, codes and match settings (``rules/match*.json``).
- :mod:`.evaluate`: one criterion against one patient (three-valued), from
  :mod:`.measures` (age, sex, pregnancy, labs and scores) and :mod:`.mentions`
  (conditions, drugs, procedures, trials) atoms, with :mod:`.timing` (windows
  and partial dates) and :mod:`.atoms` (the shared logic).
- :mod:`.engine`: :func:`match`, trials read, parsed or reloaded, ranked.
- :mod:`.result`: the verdicts (JSON contract); the table is
  :mod:`eligo.render.match`.

The package itself is callable, so ``eligo.match(patient, trials)`` is
:func:`match`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .engine import match
from .load import load_patient
from .note import NoteReader, load_note, read_note
from .patient import Patient, PatientError
from .result import CriterionMatch, MatchReport, TrialMatch

__all__ = [
    "CriterionMatch",
    "MatchReport",
    "NoteReader",
    "Patient",
    "PatientError",
    "TrialMatch",
    "load_note",
    "load_patient",
    "match",
    "read_note",
]


class _CallableModule(types.ModuleType):
    """Lets ``eligo.match(...)`` call :func:`match` (the package is a module)."""

    def __call__(self, *args: Any, **kwargs: Any) -> MatchReport:
        return match(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
