"""Read a patient: a profile (:mod:`eligo.match.patient`) or a FHIR R4 Bundle.

JSON is validated as the documented profile, or, when it is a FHIR ``Bundle``,
read by :func:`eligo.match.fhir.patient_from_bundle`; both give a
:class:`~eligo.match.patient.Patient`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..readers.sanitise import clean_data, clean_text
from .fhir import patient_from_bundle
from .patient import Patient, PatientError


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "profile"
    return f"{loc}: {first['msg']}"


def patient_from_data(
    data: Any,
    *,
    where: str = "patient",
    on_warning: Callable[[str], None] | None = None,
) -> Patient:
    """Validate a parsed patient profile (or a FHIR R4 Bundle).

    Strings that UTF-8 cannot encode (JSON's ``"\\ud8ff"``) are cleaned first
    (:func:`eligo.readers.sanitise.clean_data`): the profile is read all the same.

    Args:
        data: What ``json.loads`` gave, or a dict built in Python.
        where: The name messages give the patient (its file).
        on_warning: Called with one line per string cleaned, naming ``where``
            and the field (``p.json: conditions[0].text: 1 code point ...``).

    Raises:
        PatientError: One line naming ``where`` and what is wrong.
    """
    where = clean_text(where)[0]
    notes: list[str] = []
    data = clean_data(data, notes)
    if on_warning is not None:
        for note in notes:
            on_warning(f"{where}: {note}")
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        return patient_from_bundle(data, where=where)
    if not isinstance(data, dict):
        raise PatientError(f"{where}: a patient profile is a JSON object")
    try:
        return Patient.model_validate(data)
    except ValidationError as err:
        raise PatientError(f"{where}: {_first_error(err)}") from err


def load_patient(
    path: str | Path, *, on_warning: Callable[[str], None] | None = None
) -> Patient:
    """Read a patient profile or FHIR R4 Bundle from a JSON file.

    Args:
        path: The file.
        on_warning: See :func:`patient_from_data`.

    Raises:
        PatientError: One line naming the file and the reason.
    """
    where = clean_text(str(path))[0]
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PatientError(f"{where}: cannot read: {err}") from err
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise PatientError(
            f"{where}: not JSON (line {err.lineno}, column {err.colno})"
        ) from err
    return patient_from_data(data, where=where, on_warning=on_warning)
