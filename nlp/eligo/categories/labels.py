"""Criterion categories.

The categories (``CATEGORIES``) are what a criterion is about. Those in
``NOT_COMPUTABLE`` cannot be checked against patient data: investigator
judgement is subjective, and consent and compliance are decided at enrolment.

How Chia annotations map to these categories, for training, is
:func:`eligo_train.categories.chia.chia_category`.
"""

from __future__ import annotations

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
NOT_COMPUTABLE: frozenset[str] = frozenset(
    {"investigator_judgement", "consent_compliance"}
)
