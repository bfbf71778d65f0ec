"""Criterion categories and how Chia annotations map to them.

The categories (``CATEGORIES``) are what a criterion is about. Those in
``NOT_COMPUTABLE`` cannot be checked against patient data: investigator
judgement is subjective, and consent and compliance are decided at enrolment.

:func:`chia_category` derives a category from the Chia annotations of one
criterion line (Kury et al. 2020), first rule that fires wins:

1. ``Informed_consent`` -> consent_compliance
2. ``Pregnancy_considerations``, or an entity whose text is about pregnancy,
   lactation, childbearing potential or contraception (Chia often marks
   "pregnant" as a Condition) -> pregnancy_contraception
3. ``Competing_trial`` -> trial_participation
4. ``Subjective_judgement`` -> investigator_judgement
5. a ``Person`` entity with a ``Has_value`` relation (an age), or only
   ``Person`` entities -> demographic
6. at least one ``Measurement`` with a ``Has_value`` relation, and no more
   Conditions than Measurements -> lab_measurement
7. ``Drug`` entities at least as many as Conditions, or a ``Procedure`` with a
   ``Has_temporal`` relation and no Condition -> prior_concomitant_therapy
8. ``Condition`` entities -> diagnosis
9. ``Procedure`` or ``Device`` entities -> procedure
10. ``Observation`` (habits, performance status, life expectancy) -> other

Lines with none of these annotations (unannotated, or only error labels) give
``None`` and are not trained on.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .chia import ChiaLine

CATEGORIES: tuple[str, ...] = (
    "demographic",
    "diagnosis",
    "lab_measurement",
    "prior_concomitant_therapy",
    "procedure",
    "pregnancy_contraception",
    "consent_compliance",
    "trial_participation",
    "investigator_judgement",
    "other",
)
_PREGNANCY = re.compile(
    r"pregnan|lactat|breast-?\s?feed|nursing|child-?\s?bearing|contracep"
    r"|birth control",
    re.IGNORECASE,
)
NOT_COMPUTABLE: frozenset[str] = frozenset(
    {"investigator_judgement", "consent_compliance"}
)


def chia_category(line: ChiaLine) -> str | None:
    """The category of one Chia line from its annotations (rules above)."""
    labels = Counter(e.label for e in line.entities)
    by_id = {e.id: e.label for e in line.entities}
    has_value = {a for name, a, _ in line.relations if name == "Has_value"}
    has_temporal = {a for name, a, _ in line.relations if name == "Has_temporal"}
    valued = Counter(by_id[a] for a in has_value if a in by_id)
    timed = Counter(by_id[a] for a in has_temporal if a in by_id)
    if labels["Informed_consent"]:
        return "consent_compliance"
    if labels["Pregnancy_considerations"] or any(
        _PREGNANCY.search(e.text) for e in line.entities
    ):
        return "pregnancy_contraception"
    if labels["Competing_trial"]:
        return "trial_participation"
    if labels["Subjective_judgement"]:
        return "investigator_judgement"
    concepts = {"Condition", "Drug", "Procedure", "Measurement", "Observation"}
    n_person = labels["Person"]
    if valued["Person"] or (
        n_person and not any(labels[c] for c in concepts | {"Device"})
    ):
        return "demographic"
    if valued["Measurement"] and labels["Condition"] <= labels["Measurement"]:
        return "lab_measurement"
    if (labels["Drug"] and labels["Drug"] >= labels["Condition"]) or (
        timed["Procedure"] and not labels["Condition"]
    ):
        return "prior_concomitant_therapy"
    if labels["Condition"]:
        return "diagnosis"
    if labels["Procedure"] or labels["Device"]:
        return "procedure"
    if labels["Observation"]:
        return "other"
    return None
