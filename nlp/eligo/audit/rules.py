"""The audit's rule data: ``rules/audit.json`` and ``rules/audit_drug_classes.json``.

Both are validated on load (unknown keys and bad regular expressions are
errors naming the file). ``audit.json`` holds the patterns of criteria that
need judgement or consent ("in the opinion of the investigator", "willing
to", "informed consent"), the conservative detector of numeric expressions,
the cues that make a criterion conditional, units that are not physical, the
severity of each kind and the cross-trial thresholds. The drug-class lexicon
maps a washout window's subject ("prior chemotherapy", "systemic steroids")
to a class; it is deliberately modest (a dozen classes) and matched
case-insensitively, first class listed wins.
"""

from __future__ import annotations

import re
from functools import cache, cached_property

from pydantic import Field, field_validator

from ..errors import RuleError
from ..pipeline.resources import RuleModel, load_rule_object, load_rules
from .findings import KINDS, Severity

AUDIT_FILE = "audit.json"
DRUG_CLASSES_FILE = "audit_drug_classes.json"


def _compile(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            raise ValueError(f"bad regular expression {pattern!r}: {err}") from err
    return patterns


class AuditRules(RuleModel):
    """``rules/audit.json`` (see the file's description)."""

    description: str = ""
    not_computable: tuple[str, ...]
    unparsed_number: tuple[str, ...]
    conditional_cues: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    ignored_units: frozenset[str] = frozenset()
    severities: dict[str, Severity]
    outlier_z: float = Field(default=3.5, gt=0)
    min_trials: int = Field(default=3, ge=2)
    common_share: float = Field(default=0.25, gt=0, le=1)

    _check = field_validator(
        "not_computable", "unparsed_number", "conditional_cues", "boilerplate"
    )(classmethod(lambda cls, v: _compile(v)))

    @field_validator("severities")
    @classmethod
    def _every_kind(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        missing = set(KINDS) - set(value)
        unknown = set(value) - set(KINDS)
        if missing or unknown:
            raise ValueError(
                f"severities: missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        return value

    @cached_property
    def not_computable_re(self) -> re.Pattern[str]:
        """One alternation of the ``not_computable`` patterns."""
        return re.compile("|".join(f"(?:{p})" for p in self.not_computable), re.I)

    @cached_property
    def unparsed_res(self) -> tuple[re.Pattern[str], ...]:
        """The ``unparsed_number`` patterns, compiled."""
        return tuple(re.compile(p, re.I) for p in self.unparsed_number)

    @cached_property
    def boilerplate_re(self) -> re.Pattern[str] | None:
        """One alternation of the ``boilerplate`` patterns, or ``None``."""
        if not self.boilerplate:
            return None
        return re.compile("|".join(f"(?:{p})" for p in self.boilerplate))

    @cached_property
    def conditional_re(self) -> re.Pattern[str] | None:
        """One alternation of the ``conditional_cues``, or ``None``."""
        if not self.conditional_cues:
            return None
        return re.compile("|".join(f"(?:{p})" for p in self.conditional_cues), re.I)


class DrugClass(RuleModel):
    """One entry of ``rules/audit_drug_classes.json``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    patterns: tuple[str, ...] = Field(min_length=1)

    _check = field_validator("patterns")(classmethod(lambda cls, v: _compile(v)))

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The patterns as one case-insensitive alternation."""
        return re.compile("|".join(f"(?:{p})" for p in self.patterns), re.I)


@cache
def audit_rules() -> AuditRules:
    """The shipped ``rules/audit.json``, validated once."""
    return load_rule_object(AUDIT_FILE, AuditRules)


@cache
def drug_classes() -> tuple[DrugClass, ...]:
    """The shipped drug classes, validated once (ids must be unique)."""
    classes = tuple(load_rules(DRUG_CLASSES_FILE, DrugClass))
    seen: set[str] = set()
    for entry in classes:
        if entry.id in seen:
            raise RuleError(f"rules/{DRUG_CLASSES_FILE}: duplicate id {entry.id!r}")
        seen.add(entry.id)
    return classes


def drug_class_of(text: str) -> DrugClass | None:
    """The first drug class whose patterns match ``text``, or ``None``."""
    for entry in drug_classes():
        if entry.regex.search(text):
            return entry
    return None
