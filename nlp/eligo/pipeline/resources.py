"""Load rule files shipped in ``eligo.rules`` and validate them on load.

Rules are data (JSON), never code: each file has a pydantic model that rejects
unknown keys and bad values with a message naming the file and the entry.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ..errors import RuleError

T = TypeVar("T", bound=BaseModel)


class RuleModel(BaseModel):
    """Base for rule entries: unknown keys are errors, entries are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@cache
def read_rule_json(name: str) -> Any:
    """Return the parsed JSON of ``rules/<name>`` shipped in the package."""
    try:
        raw = resources.files("eligo.rules").joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise RuleError(f"rules/{name}: file not found in the eligo package") from err
    try:
        return json.loads(raw)
    except json.JSONDecodeError as err:
        raise RuleError(f"rules/{name}: invalid JSON ({err})") from err


def load_rules(name: str, model: type[T], data: Any = None) -> list[T]:
    """Validate a list of rule entries against ``model``.

    Args:
        name: File name under ``rules/`` (also used in error messages).
        model: The pydantic model of one entry.
        data: Already-parsed entries (e.g. from a saved pipeline); read from the
            package when ``None``.

    Returns:
        The validated entries, in file order.

    Raises:
        RuleError: The file is missing, not JSON, or an entry is invalid.
    """
    if data is None:
        data = read_rule_json(name)
    if not isinstance(data, list):
        raise RuleError(f"rules/{name}: expected a JSON list of entries")
    out: list[T] = []
    for i, entry in enumerate(data):
        try:
            out.append(model.model_validate(entry))
        except ValidationError as err:
            first = err.errors()[0]
            loc = ".".join(str(p) for p in first["loc"]) or "entry"
            raise RuleError(f"rules/{name}: entry {i} ({loc}): {first['msg']}") from err
    return out


def load_rule_object(name: str, model: type[T], data: Any = None) -> T:
    """Validate a rule file whose top level is one object."""
    if data is None:
        data = read_rule_json(name)
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "file"
        raise RuleError(f"rules/{name}: {loc}: {first['msg']}") from err
