"""Read a FHIR R4 Bundle into eligo's patient profile (:class:`Patient`).

The bundle is validated with ``fhir.resources`` (its R4B models read R4-era
bundles): the envelope first, then every entry's resource with its own model,
so an error names the entry. Mapped resources:

- ``Patient``: id, birth date (partial dates kept), sex (female/male only);
- ``Condition``, ``MedicationStatement``/``MedicationRequest``, ``Procedure``,
  ``Observation`` (components become observations of their own),
  ``ResearchSubject`` (earlier or current trials);
- pregnancy (``pregnant``, ``status_date``): from ``Observation`` (LOINC
  82810-3 "Pregnancy status", SNOMED CT 77386006 "Pregnancy" as the code, or
  a value among ``PREGNANCY_ANSWERS``) and from ``Condition`` (ICD-10-CM
  pregnancy and end-of-pregnancy categories, SNOMED CT 77386006): see
  :func:`_condition_pregnancy`. Statuses that disagree are settled by date,
  the latest wins; when one of them is undated, pregnancy is unknown.

Codes are kept as written (system, code, display), in any system: SNOMED CT,
RxNorm, LOINC, local ones. A fact is matched by its text (``code.text``, else
the first coding's ``display``) and by codes in the systems eligo maps
(ICD-10-CM, ATC; LOINC for lab results); no code is translated into another
system. A fact with neither text nor a code in a system eligo names
(``KNOWN_SYSTEMS``) cannot be matched and is left out.

Everything else is ignored. Nothing is guessed: a resource without a usable
code or text, an observation without a value, a record entered in error and a
fact that is not established (a differential diagnosis, an intended drug, a
procedure in preparation) are left out, which leaves them unknown.
Dates keep only their date part and their precision (``"2019"`` stays).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import ValidationError

from .patient import (
    Code,
    Condition,
    Medication,
    Observation,
    Patient,
    PatientError,
    Procedure,
    TrialParticipation,
    ValueRange,
    date_bounds,
)
from .rules import SYSTEM_ALIASES, system_name

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
#: Code systems eligo names (SNOMED CT, RxNorm, LOINC, ICD-10-CM, ATC): a fact
#: coded only in other systems, with no text, cannot be matched and is left out.
KNOWN_SYSTEMS = frozenset(SYSTEM_ALIASES.values())

#: LOINC "Pregnancy status" and its answers (LOINC answer list, SNOMED CT).
PREGNANCY_STATUS = (LOINC, "82810-3")
PREGNANCY_ANSWERS: dict[tuple[str, str], bool] = {
    (LOINC, "LA15173-0"): True,  # Pregnant
    (LOINC, "LA26683-5"): False,  # Not pregnant
    (SNOMED, "77386006"): True,  # Pregnant
    (SNOMED, "60001007"): False,  # Not pregnant
}
#: SNOMED CT 77386006 |Pregnancy|: as a Condition or Observation code, pregnant.
PREGNANCY_CONCEPT = ("snomed", "77386006")

#: ICD-10-CM categories (inclusive ranges of the first three characters) of a
#: pregnancy now: an active Condition coded in one is "pregnant".
PREGNANT_CATEGORIES = (
    ("Z33", "Z33"),  # Pregnant state (but Z33.2, see below)
    ("Z34", "Z34"),  # Encounter for supervision of normal pregnancy
    ("Z3A", "Z3A"),  # Weeks of gestation
    ("O00", "O02"),  # Ectopic, molar pregnancy, other abnormal products of conception
    ("O09", "O48"),  # High-risk pregnancy, maternal disorders, care for the fetus
    ("O98", "O9A"),  # Maternal diseases complicating pregnancy (and childbirth...)
)
#: ICD-10-CM categories of a pregnancy that has ended: "not pregnant" from the
#: Condition's onset.
ENDED_CATEGORIES = (
    ("O03", "O08"),  # Abortive outcomes: spontaneous abortion, after termination
    ("O80", "O82"),  # Encounter for delivery
    ("O85", "O92"),  # Complications predominantly related to the puerperium
)
#: Neither (no pregnancy status): Z33.2 (encounter for elective termination:
#: pregnant before it, not after), O60-O77 (labour and delivery: either side of
#: the birth), O94 (sequelae: any time later).
_NO_STATUS_CODES = ("Z332",)
_ICD_CATEGORY = re.compile(r"^[A-Z][0-9][0-9A-Z]")

#: R4 resource types that R4B dropped: valid in an R4 bundle, never mapped.
R4_ONLY_TYPES = frozenset(
    {
        "EffectEvidenceSynthesis",
        "RiskEvidenceSynthesis",
        "MedicinalProduct",
        "MedicinalProductAuthorization",
        "MedicinalProductContraindication",
        "MedicinalProductIndication",
        "MedicinalProductIngredient",
        "MedicinalProductInteraction",
        "MedicinalProductManufactured",
        "MedicinalProductPackaged",
        "MedicinalProductPharmaceutical",
        "MedicinalProductUndesirableEffect",
        "SubstanceNucleicAcid",
        "SubstancePolymer",
        "SubstanceProtein",
        "SubstanceReferenceInformation",
        "SubstanceSourceMaterial",
        "SubstanceSpecification",
    }
)
_ABSTRACT_TYPES = frozenset({"Resource", "DomainResource"})

# Statuses that leave a record out (not established or entered in error).
_CONDITION_SKIP = frozenset(
    {"entered-in-error", "unconfirmed", "provisional", "differential"}
)
_STATEMENT_SKIP = frozenset({"entered-in-error", "intended"})
_REQUEST_SKIP = frozenset({"entered-in-error", "cancelled", "draft"})
_PROCEDURE_SKIP = frozenset({"entered-in-error", "preparation"})
_OBSERVATION_SKIP = frozenset({"entered-in-error", "cancelled"})
#: ResearchSubject statuses of someone who was never enrolled.
_NOT_ENROLLED = frozenset(
    {
        "candidate",
        "eligible",
        "ineligible",
        "not-registered",
        "pending-on-study",
        "potential-candidate",
        "screening",
    }
)

_DATE_PREFIX = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?")
_REFERENCE = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([^/]+)(?:/_history/[^/]+)?$")


# --- validation --------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _short(value: Any) -> str:
    text = _one_line(json.dumps(value, default=str))
    return text if len(text) <= 40 else text[:37] + "..."


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _error_parts(err: ValidationError) -> tuple[tuple[int | str, ...], str]:
    """The first error's location (FHIR elements) and its message, one line."""
    errors = err.errors()
    if not errors:
        return (), _one_line(str(err))
    first = errors[0]
    msg = _one_line(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "json_invalid":  # fhir_core parses a str as JSON
        msg = f"expected a JSON object, got {_short(first.get('input'))}"
    # "root" is fhir_core's wrapper model, not a FHIR element.
    return tuple(p for p in first["loc"] if p != "root"), msg


def _first_error(err: ValidationError) -> str:
    loc, msg = _error_parts(err)
    return f"{_location(loc)}: {msg}" if loc else msg


def _label(index: int, resource: dict[str, Any]) -> str:
    kind = resource.get("resourceType")
    if not isinstance(kind, str) or not kind:
        return f"entry {index}"
    rid = resource.get("id")
    return (
        f"entry {index} ({kind}/{rid})"
        if isinstance(rid, str)
        else f"entry {index} ({kind})"
    )


def _model_class(kind: Any) -> Any:
    """The R4B model of a resource type; None for an R4-only type.

    Raises:
        ValueError: Not a FHIR resource type.
    """
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.resource import Resource

    if not isinstance(kind, str) or not kind:
        raise ValueError("no resourceType")
    if kind in R4_ONLY_TYPES:
        return None
    try:
        cls = get_fhir_model_class(kind)
    except ValueError:
        cls = None
    if cls is None or kind in _ABSTRACT_TYPES or not issubclass(cls, Resource):
        raise ValueError(f"unknown resourceType {kind!r}")
    return cls


def _validate_resource(index: int, resource: Any, where: str) -> Any:
    """One entry's resource as an R4B model (None: an R4-only type)."""
    if not isinstance(resource, dict):
        raise PatientError(f"{where}: entry {index}: resource is not a JSON object")
    label = _label(index, resource)
    try:
        cls = _model_class(resource.get("resourceType"))
        contained = resource.get("contained")
        for j, inner in enumerate(contained if isinstance(contained, list) else []):
            if isinstance(inner, dict):
                try:
                    _model_class(inner.get("resourceType"))
                except ValueError as err:
                    raise ValueError(f"contained[{j}]: {err}") from err
    except ValueError as err:
        raise PatientError(f"{where}: {label}: {err}") from err
    if cls is None:
        return None
    try:
        return cls.model_validate(resource)
    except ValidationError as err:
        raise PatientError(f"{where}: {label}: {_first_error(err)}") from err
    except (KeyError, TypeError, ValueError) as err:  # fhir_core on odd input
        raise PatientError(
            f"{where}: {label}: cannot validate: {_one_line(repr(err))}"
        ) from err


def _validated_entries(data: Any, where: str) -> list[tuple[int, str | None, Any]]:
    """(entry index, fullUrl, R4B resource model) for every entry with one."""
    from fhir.resources.R4B.bundle import Bundle

    if not isinstance(data, dict):
        raise PatientError(f"{where}: a FHIR Bundle is a JSON object")
    if data.get("resourceType") != "Bundle":
        raise PatientError(
            f"{where}: resourceType is {data.get('resourceType')!r}, not 'Bundle'"
        )
    entries = data.get("entry")
    envelope = dict(data)
    if isinstance(entries, list):
        envelope["entry"] = [
            {k: v for k, v in e.items() if k != "resource"}
            if isinstance(e, dict)
            else e
            for e in entries
        ]
    try:
        Bundle.model_validate(envelope)
    except ValidationError as err:
        loc, msg = _error_parts(err)
        if len(loc) > 1 and loc[0] == "entry" and isinstance(loc[1], int):
            head, loc = f"entry {loc[1]}", loc[2:]  # entry[3].fullUrl
        else:
            head = "Bundle"
        message = f"{head}: {_location(loc)}: {msg}" if loc else f"{head}: {msg}"
        raise PatientError(f"{where}: {message}") from err
    out: list[tuple[int, str | None, Any]] = []
    for index, entry in enumerate(entries or []):
        if entry.get("resource") is None:
            continue
        model = _validate_resource(index, entry["resource"], where)
        if model is not None:
            full_url = entry.get("fullUrl")
            out.append((index, full_url if isinstance(full_url, str) else None, model))
    return out


# --- values ------------------------------------------------------------------


def _date(value: Any) -> str | None:
    """The date part of a FHIR date/dateTime/instant, keeping its precision."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    m = _DATE_PREFIX.match(str(value))
    return m.group(0) if m else None


def _first_date(*values: Any) -> str | None:
    for value in values:
        found = _date(value)
        if found is not None:
            return found
    return None


def _period(period: Any) -> tuple[str | None, str | None]:
    if period is None:
        return None, None
    return _date(period.start), _date(period.end)


def _clean(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    return text or None


def _concept_text(concept: Any) -> str | None:
    """A CodeableConcept's text, else its first coding display."""
    if concept is None:
        return None
    text = _clean(concept.text)
    if text:
        return text
    for coding in concept.coding or []:
        display = _clean(coding.display)
        if display:
            return display
    return None


def _codes(concept: Any) -> list[Code]:
    if concept is None:
        return []
    return [
        Code(system=c.system, code=c.code, display=_clean(c.display))
        for c in concept.coding or []
        if c.system and c.code
    ]


def _usable(text: str | None, codes: list[Code]) -> bool:
    """Whether a fact can be matched: by its text, or by a code in a system
    eligo names (a code in a local or unknown system alone cannot)."""
    return text is not None or any(
        system_name(c.system) in KNOWN_SYSTEMS for c in codes
    )


def _has_code(concept: Any, wanted: tuple[str, str]) -> bool:
    """Whether a CodeableConcept has a coding ``(system short name, code)``."""
    if concept is None:
        return False
    return any(
        c.system and c.code and (system_name(c.system), c.code.strip()) == wanted
        for c in concept.coding or []
    )


def _status_codes(concept: Any) -> set[str]:
    if concept is None:
        return set()
    return {c.code for c in concept.coding or [] if c.code}


def _unit(quantity: Any) -> str | None:
    """A Quantity's unit: its ``unit``, else its UCUM ``code``."""
    unit = _clean(quantity.unit)
    if unit:
        return unit
    if quantity.system == UCUM and quantity.code:
        return str(quantity.code)
    return None


def _number(value: Any) -> str:
    return format(value, "f") if value is not None else ""


def _comparator_range(comparator: str, value: Any) -> ValueRange | None:
    """A ``valueQuantity`` with a comparator as an interval ("<0.5")."""
    v = float(value)
    if comparator in ("<", "<="):
        return ValueRange(high=v, high_inclusive=comparator == "<=")
    if comparator in (">", ">="):
        return ValueRange(low=v, low_inclusive=comparator == ">=")
    return None  # "ad": sufficient to achieve, not a bound


def _range(model: Any) -> tuple[ValueRange | None, str | None]:
    """A ``valueRange`` (inclusive bounds, FHIR's reading) and its unit; none
    when the bounds are in different units or out of order."""
    given = {"low": model.low, "high": model.high}
    values = {
        k: float(q.value)
        for k, q in given.items()
        if q is not None and q.value is not None
    }
    units = {_unit(given[k]) for k in values}
    if not values or len(units) > 1:
        return None, None
    if values.get("low", -math.inf) > values.get("high", math.inf):
        return None, None
    return ValueRange(**values), units.pop()


class _Value:
    """The value of an Observation or one of its components."""

    def __init__(self, holder: Any) -> None:
        self.value: float | None = None
        self.text: str | None = None
        self.unit: str | None = None
        self.range: ValueRange | None = None
        self.found = False
        quantity = holder.valueQuantity
        if quantity is not None and quantity.value is not None:
            self.found = True
            self.unit = _unit(quantity)
            if quantity.comparator:  # "<0.5": a bound, not the value
                self.text = f"{quantity.comparator}{_number(quantity.value)}"
                self.range = _comparator_range(quantity.comparator, quantity.value)
            else:
                self.value = float(quantity.value)
        elif holder.valueRange is not None:
            self.range, self.unit = _range(holder.valueRange)
            self.found = self.range is not None
        elif holder.valueInteger is not None:
            self.found = True
            self.value = float(holder.valueInteger)
        elif holder.valueCodeableConcept is not None:
            self.text = _concept_text(holder.valueCodeableConcept)
            self.found = self.text is not None
        elif holder.valueString is not None:
            self.text = _clean(holder.valueString)
            self.found = self.text is not None

    def reference(self, holder: Any) -> tuple[float | None, float | None]:
        """referenceRange[0] low/high, when in the value's unit or unitless."""
        ranges = holder.referenceRange or []
        if not ranges:
            return None, None
        return self._bound(ranges[0].low), self._bound(ranges[0].high)

    def _bound(self, quantity: Any) -> float | None:
        if quantity is None or quantity.value is None:
            return None
        unit = _unit(quantity)
        if unit is not None and unit != self.unit:
            return None
        return float(quantity.value)


def _observation_date(model: Any) -> str | None:
    return _first_date(
        model.effectiveDateTime,
        model.effectivePeriod and model.effectivePeriod.start,
        model.effectiveInstant,
        model.issued,
    )


def _pregnancy(model: Any) -> bool | None:
    value = model.valueCodeableConcept
    if value is None:
        return None
    verdicts = {
        PREGNANCY_ANSWERS[(c.system, c.code)]
        for c in value.coding or []
        if (c.system, c.code) in PREGNANCY_ANSWERS
    }
    return verdicts.pop() if len(verdicts) == 1 else None


def _is_pregnancy_status(model: Any) -> bool:
    return any((c.system, c.code) == PREGNANCY_STATUS for c in model.code.coding or [])


def _settled_pregnancy(found: list[tuple[str | None, bool | None]]) -> bool | None:
    """Pregnancy from the status observations: unanimous, or else the latest
    one, when it is clear and dated after every one that says otherwise."""
    verdicts = {v for _, v in found}
    if len(verdicts) == 1:
        return verdicts.pop()
    if not found or any(d is None for d, _ in found):
        return None
    dated = sorted(((date_bounds(d), v) for d, v in found if d), key=lambda x: x[0])
    (latest_start, _), verdict = dated[-1]
    if verdict is not None and all(
        end < latest_start for (_, end), v in dated[:-1] if v != verdict
    ):
        return verdict
    return None


def _observation_has_value(model: Any) -> bool:
    return any(
        getattr(model, name) is not None
        for name in type(model).model_fields
        if name.startswith("value") and not name.endswith("__ext")
    )


def _pregnancy_finding(model: Any) -> bool | None:
    """An Observation coded "pregnancy" (SNOMED CT 77386006): its answer or
    boolean value; with no value (and no reason one is missing), the finding
    itself says pregnant."""
    if model.valueCodeableConcept is not None:
        return _pregnancy(model)
    if model.valueBoolean is not None:
        return bool(model.valueBoolean)
    if model.dataAbsentReason is None and not _observation_has_value(model):
        return True
    return None


def _observation_pregnancy(model: Any) -> tuple[str | None, bool | None] | None:
    """(date, pregnant) from an Observation; None when it is not a pregnancy
    status of the patient (not about pregnancy, entered in error, or about
    someone else: a ``focus``).

    A status is: LOINC 82810-3 "Pregnancy status" (its answer, None if not one
    of ``PREGNANCY_ANSWERS``), SNOMED CT 77386006 "Pregnancy" as the code, or
    any other Observation whose value is one of ``PREGNANCY_ANSWERS`` (C-CDA
    converted records code it "ASSERTION").
    """
    if model.status in _OBSERVATION_SKIP or model.focus:
        return None
    when = _observation_date(model)
    if _is_pregnancy_status(model):
        return when, _pregnancy(model)
    if _has_code(model.code, PREGNANCY_CONCEPT):
        return when, _pregnancy_finding(model)
    answer = _pregnancy(model)
    return None if answer is None else (when, answer)


def _in_categories(category: str, ranges: tuple[tuple[str, str], ...]) -> bool:
    return any(low <= category <= high for low, high in ranges)


def _coding_pregnancy(system: str | None, code: str | None) -> bool | None:
    """What one coding says: True a pregnancy now, False a pregnancy that has
    ended, None neither. ICD-10-CM codes are read with or without their dot."""
    if not system or not code:
        return None
    name, flat = system_name(system), code.strip().upper().replace(".", "")
    if (name, flat) == PREGNANCY_CONCEPT:
        return True
    if (
        name != "icd10cm"
        or flat.startswith(_NO_STATUS_CODES)
        or not _ICD_CATEGORY.match(flat)
    ):
        return None
    if _in_categories(flat[:3], PREGNANT_CATEGORIES):
        return True
    if _in_categories(flat[:3], ENDED_CATEGORIES):
        return False
    return None


def _concept_pregnancy(concept: Any) -> bool | None:
    """What a Condition's code says of pregnancy (None if its codings disagree)."""
    if concept is None:
        return None
    found = {_coding_pregnancy(c.system, c.code) for c in concept.coding or []}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _onset(model: Any) -> str | None:
    return _first_date(
        model.onsetDateTime, model.onsetPeriod and model.onsetPeriod.start
    )


def _abatement(model: Any) -> str | None:
    return _first_date(
        model.abatementDateTime, model.abatementPeriod and model.abatementPeriod.end
    )


def _clinical_state(model: Any) -> Literal["active", "resolved"] | None:
    """clinicalStatus inactive/resolved/remission: over (on the abatement date
    if given, else on a day not known); active/recurrence/relapse: ongoing."""
    clinical = _status_codes(model.clinicalStatus)
    if clinical & {"inactive", "resolved", "remission"}:
        return "resolved"
    if clinical & {"active", "recurrence", "relapse"}:
        return "active"
    return None


def _condition_pregnancy(model: Any) -> tuple[str | None, bool] | None:
    """(date, pregnant) from a Condition; None when it says nothing of it.

    - A pregnancy now (``PREGNANT_CATEGORIES``, SNOMED CT 77386006): pregnant
      on its recorded date, else its onset (else undated). Once over (an
      abatement date, or clinicalStatus inactive/resolved/remission), not
      pregnant: on the abatement date; else on the onset, the day after which
      it ended (a lower bound, which only makes the status older); else
      undated.
    - A pregnancy that ended (``ENDED_CATEGORIES``: delivery, abortive
      outcome, puerperium): not pregnant from its onset; without an onset it
      says nothing of now (a delivery written into the history at a later
      visit is no status on that visit's date).
    - Refuted, entered in error or not established (provisional,
      differential, unconfirmed): nothing.
    """
    if _status_codes(model.verificationStatus) & (_CONDITION_SKIP | {"refuted"}):
        return None
    kind = _concept_pregnancy(model.code)
    onset = _onset(model)
    if kind is None:
        return None
    if kind is False:
        return (onset, False) if onset else None
    ended = _abatement(model)
    if ended or _clinical_state(model) == "resolved":
        return ended or onset, False
    return _date(model.recordedDate) or onset, True


def _pregnancy_fields(found: list[tuple[str | None, bool | None]]) -> dict[str, Any]:
    """``pregnant`` (and ``status_date``, the latest date) from the statuses."""
    pregnant = _settled_pregnancy(found)
    fields: dict[str, Any] = {"pregnant": pregnant}
    dates = [d for d, _ in found if d]
    if pregnant is not None and dates:
        fields["status_date"] = max(dates, key=lambda d: date_bounds(d)[1])
    return fields


def _statement_period(model: Any) -> tuple[str | None, str | None]:
    """A MedicationStatement's effective period (or dateTime, as its start)."""
    start, end = _period(model.effectivePeriod)
    return start or _date(model.effectiveDateTime), end


def _request_period(model: Any) -> tuple[str | None, str | None]:
    """A MedicationRequest's dosage bounds, else the dispense validity, else
    from the day it was written."""
    start, end = None, None
    for dosage in model.dosageInstruction or []:
        repeat = dosage.timing and dosage.timing.repeat
        if repeat and repeat.boundsPeriod:
            start, end = _period(repeat.boundsPeriod)
            break
    if start is None and end is None and model.dispenseRequest:
        start, end = _period(model.dispenseRequest.validityPeriod)
    return start or _date(model.authoredOn), end


# --- the reader ---------------------------------------------------------------


class _Reader:
    def __init__(self, entries: list[tuple[int, str | None, Any]], where: str):
        self.entries = entries
        self.where = where
        self.by_url: dict[str, Any] = {}
        self.by_id: dict[tuple[str, str], Any] = {}
        for _, full_url, model in entries:
            kind = model.get_resource_type()
            if full_url:
                self.by_url[full_url] = model
            if model.id:
                self.by_id.setdefault((kind, model.id), model)

    def resolve(self, reference: Any, kind: str, owner: Any) -> Any:
        """The ``kind`` resource a Reference points to (contained or bundled)."""
        ref = reference.reference if reference is not None else None
        if not ref:
            return None
        if ref.startswith("#"):
            target = next((r for r in owner.contained or [] if r.id == ref[1:]), None)
        else:
            target = self.by_url.get(ref)
            m = _REFERENCE.search(ref)
            if target is None and m is not None:
                target = self.by_id.get((m.group(1), m.group(2)))
        if target is None or target.get_resource_type() != kind:
            return None
        return target

    def patient_resource(self) -> Any:
        """The bundle's one Patient resource (the same one may come twice)."""
        found = [
            (i, m) for i, _, m in self.entries if m.get_resource_type() == "Patient"
        ]
        if not found:
            raise PatientError(f"{self.where}: no Patient resource in the bundle")
        first_index, first = found[0]
        for index, other in found[1:]:
            same = (
                other.id == first.id
                if first.id or other.id
                else other.model_dump() == first.model_dump()
            )
            if not same:
                raise PatientError(
                    f"{self.where}: entries {first_index} and {index} are two "
                    "different Patient resources; a bundle must describe one patient"
                )
        return first

    def facts(self) -> dict[str, list[Any]]:
        """The profile's lists, from every entry in bundle order."""
        out: dict[str, list[Any]] = {
            "conditions": [],
            "medications": [],
            "procedures": [],
            "observations": [],
            "trials": [],
        }
        for _, _, model in self.entries:
            kind = model.get_resource_type()
            if kind == "Condition":
                out["conditions"] += self.condition(model)
            elif kind in ("MedicationStatement", "MedicationRequest"):
                out["medications"] += self.medication(model, kind)
            elif kind == "Procedure":
                out["procedures"] += self.procedure(model)
            elif kind == "Observation":
                out["observations"] += self.observation(model)
            elif kind == "ResearchSubject":
                out["trials"] += self.trial(model)
        return out

    def pregnancy(self) -> list[tuple[str | None, bool | None]]:
        """Every dated pregnancy status the Conditions and Observations give."""
        found: list[tuple[str | None, bool | None]] = []
        for _, _, model in self.entries:
            kind = model.get_resource_type()
            status: tuple[str | None, bool | None] | None = None
            if kind == "Condition":
                status = _condition_pregnancy(model)
            elif kind == "Observation":
                status = _observation_pregnancy(model)
            if status is not None:
                found.append(status)
        return found

    def patient(self) -> Patient:
        person = self.patient_resource()
        gender = person.gender
        profile: dict[str, Any] = {
            "birth_date": _date(person.birthDate),
            "sex": gender if gender in ("female", "male") else None,
            **self.facts(),
            **_pregnancy_fields(self.pregnancy()),
        }
        if person.id:
            profile["id"] = person.id
        try:
            return Patient.model_validate(profile)
        except ValidationError as err:  # pragma: no cover - mapping keeps it valid
            raise PatientError(f"{self.where}: {_first_error(err)}") from err

    def condition(self, model: Any) -> list[Condition]:
        verification = _status_codes(model.verificationStatus)
        if verification & _CONDITION_SKIP:
            return []
        text, codes = _concept_text(model.code), _codes(model.code)
        if not _usable(text, codes):
            return []
        return [
            Condition(
                text=text,
                codes=codes,
                present="refuted" not in verification,
                onset=_onset(model),
                resolved=_abatement(model),
                status=_clinical_state(model),
            )
        ]

    def medication(self, model: Any, kind: str) -> list[Medication]:
        status = model.status
        if kind == "MedicationStatement":
            if status in _STATEMENT_SKIP:
                return []
            start, end = _statement_period(model)
        else:
            if status in _REQUEST_SKIP or model.doNotPerform:
                return []
            start, end = _request_period(model)
        concept = model.medicationCodeableConcept
        reference = model.medicationReference
        if concept is None and reference is not None:
            target = self.resolve(reference, "Medication", model)
            concept = target.code if target is not None else None
        # The reference's display names the drug when the Medication's code
        # has no text (an RxNorm coding without a display).
        text = _concept_text(concept) or (
            _clean(reference.display) if reference is not None else None
        )
        codes = _codes(concept)
        if not _usable(text, codes):
            return []
        state = None
        if status in ("completed", "stopped"):
            state = "stopped"
        elif status in ("active", "on-hold"):
            state = "active"
        return [
            Medication(
                text=text,
                codes=codes,
                present=status != "not-taken",
                start=start,
                end=end,
                status=state,
            )
        ]

    def procedure(self, model: Any) -> list[Procedure]:
        if model.status in _PROCEDURE_SKIP:
            return []
        text, codes = _concept_text(model.code), _codes(model.code)
        if not _usable(text, codes):
            return []
        when = _first_date(
            model.performedDateTime,
            model.performedPeriod and model.performedPeriod.start,
        )
        return [
            Procedure(
                text=text, codes=codes, present=model.status != "not-done", date=when
            )
        ]

    def observation(self, model: Any) -> list[Observation]:
        if model.status in _OBSERVATION_SKIP:
            return []
        when = _observation_date(model)
        out = []
        for holder in [model, *(model.component or [])]:
            name, codes = _concept_text(holder.code), _codes(holder.code)
            value = _Value(holder)
            if not _usable(name, codes) or not value.found:
                continue
            low, high = value.reference(holder)
            out.append(
                Observation(
                    name=name,
                    codes=codes,
                    value=value.value,
                    value_text=value.text,
                    value_range=value.range,
                    unit=value.unit,
                    date=when,
                    reference_low=low,
                    reference_high=high,
                )
            )
        return out

    def trial(self, model: Any) -> list[TrialParticipation]:
        if model.status in _NOT_ENROLLED:
            return []
        study = model.study
        target = self.resolve(study, "ResearchStudy", model)
        text = _clean(target.title) if target is not None else None
        start, end = _period(model.period)
        return [
            TrialParticipation(
                id=study.reference or None,
                text=text or _clean(study.display),
                start=start,
                end=end,
            )
        ]


def patient_from_bundle(data: dict[str, Any], *, where: str = "bundle") -> Patient:
    """Validate a FHIR R4 Bundle and read it as a patient profile.

    Raises:
        PatientError: One line naming ``where``, the entry and what is wrong.
    """
    return _Reader(_validated_entries(data, where), where).patient()
