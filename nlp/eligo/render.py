"""Short human-readable renderings of constraints (for the terminal table)."""

from __future__ import annotations

from collections.abc import Callable

from .document import Constraint

_DAYS = ((365.25, "y"), (30.4375, "mo"), (7.0, "wk"), (1.0, "d"))


def _num(value: float) -> str:
    return f"{value:g}"


def _days(value: float) -> str:
    for size, unit in _DAYS:
        if value >= size and abs(value / size - round(value / size)) < 1e-6:
            return f"{_num(round(value / size))} {unit}"
    return f"{_num(value)} d"


def _interval(
    low: float | None,
    low_inc: bool | None,
    high: float | None,
    high_inc: bool | None,
    fmt: Callable[[float], str] = _num,
) -> str:
    if low is not None and high is not None:
        if low == high:
            return f"= {fmt(low)}"
        left = "[" if low_inc else "("
        right = "]" if high_inc else ")"
        return f"{left}{fmt(low)}, {fmt(high)}{right}"
    if low is not None:
        return f"{'≥' if low_inc else '>'} {fmt(low)}"
    if high is not None:
        return f"{'≤' if high_inc else '<'} {fmt(high)}"
    return ""


def render_constraint(c: Constraint) -> str:
    """One line such as "platelets ≥ 75 10*9/L" or "within ≤ 4 wk before X"."""
    neg = "NOT " if c.negated else ""
    if c.type in ("temporal", "duration"):
        if c.value == "ever":
            body = "ever"
        else:
            body = _interval(
                c.low_days, c.low_inclusive, c.high_days, c.high_inclusive, _days
            )
        where = f" {c.direction}" if c.direction and c.type == "temporal" else ""
        anchor = f" {c.anchor}" if c.anchor else ""
        subject = f"{c.subject.text}: " if c.subject is not None else ""
        return f"{neg}{c.type} {subject}{body}{where}{anchor}".strip()
    if c.type in ("sex", "pregnancy", "breastfeeding"):
        value = f" {c.value}" if c.value else ""
        plan = " (planned)" if c.direction == "after" else ""
        return f"{neg}{c.type}{value}{plan}"
    name = c.analyte.text if c.analyte is not None else c.type
    bounds = _interval(c.low, c.low_inclusive, c.high, c.high_inclusive)
    if c.value and c.type in ("measurement", "score"):
        bounds = f"{bounds} ({c.value})"
    unit = ""
    if c.relative_to:
        unit = (
            f" × {c.relative_to}"
            if c.relative_to in ("ULN", "LLN")
            else f" vs {c.relative_to}"
        )
    elif c.unit and c.unit not in ("{rank}", "1", "{score}"):
        unit = f" {c.unit}" if c.type not in ("age", "age_group") else " y"
    return f"{neg}{name} {bounds}{unit}".strip()
