"""ConText rules as data: ``rules/context_rules.json``, validated on load.

The file follows medSpaCy's ``context_rules.json`` format (Eyre et al. 2021): an
object whose ``context_rules`` list holds plain rule objects with ``literal``,
``category``, ``direction`` and optionally ``pattern``, ``max_scope``,
``allowed_types``, ``excluded_types``, ``terminated_by`` and ``metadata``
(and eligo's ``opening``: a cue that counts only where it opens the
criterion, or an item or sentence inside it). A
``pattern`` here is a regular expression over the text (medSpaCy's string form);
medSpaCy's token-pattern lists are not supported and are rejected. Unknown keys
and bad values are errors naming the file and the entry.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from ..pipeline.resources import load_rule_object

CONTEXT_RULES_FILE = "context_rules.json"

Direction = Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]

#: Rule categories that set an entity's ``assertion`` (category -> assertion).
ASSERTIONS: dict[str, str] = {
    "NEGATED_EXISTENCE": "negated",
    "EXCEPTION": "negated",
    "FAMILY": "family",
    "HYPOTHETICAL": "hypothetical",
    "HISTORICAL": "historical",
}


class ContextRule(BaseModel):
    """One ConText rule (a cue): what it matches and what it modifies."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    literal: str
    category: str
    direction: Direction
    pattern: str | None = None
    max_scope: int | None = None
    allowed_types: list[str] | None = None
    excluded_types: list[str] | None = None
    terminated_by: list[str] | None = None
    metadata: dict[str, Any] | None = None
    #: The cue counts only where it opens the criterion ("No prior X within 6
    #: months") or, capitalised, an item or sentence inside it, and modifies
    #: every target in its scope; eligo's addition to medSpaCy's format.
    opening: bool = False

    @field_validator("literal")
    @classmethod
    def _literal_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("literal must not be blank")
        return value

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"pattern is not a valid regex ({err})") from err
        return value

    @field_validator("max_scope")
    @classmethod
    def _scope_positive(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError("max_scope must be a positive number of words")
        return value

    @property
    def assertion(self) -> str | None:
        """The assertion this cue gives its targets, if it modifies any."""
        if self.direction in ("TERMINATE", "PSEUDO"):
            return None
        return ASSERTIONS.get(self.category)

    def applies_to(self, label: str) -> bool:
        """Whether this cue may modify a target of type ``label``."""
        if self.allowed_types is not None and label not in self.allowed_types:
            return False
        return not (self.excluded_types is not None and label in self.excluded_types)


class ContextRuleFile(BaseModel):
    """``rules/context_rules.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str = ""
    #: Constraint types (``Constraint.type``) the component annotates too.
    target_constraint_types: list[str] = []
    #: Constraint types whose ``negated`` the component sets, and nothing else.
    negation_constraint_types: list[str] = []
    #: Target types a cue also modifies when they end it ("no [prior]").
    cue_tail_types: list[str] = []
    #: Words that, between two targets, end a cue's chain of targets.
    dependent_words: list[str] = []
    #: Entity labels never modified (values, temporal phrases, cues).
    ignored_types: list[str] = []
    context_rules: list[ContextRule]


def load_context_rules(data: Any = None) -> ContextRuleFile:
    """Validate the ConText rule file (read from the package when ``data`` is None).

    Raises:
        RuleError: The file is missing, not JSON, or an entry is invalid.
    """
    return load_rule_object(CONTEXT_RULES_FILE, ContextRuleFile, data)
