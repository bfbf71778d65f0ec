"""Dates: the window a temporal constraint allows, and whether a (possibly
partial) fact date or exposure falls in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..document import Constraint
from .patient import date_bounds
from .rules import match_rules


@dataclass(frozen=True)
class Window:
    """Dates a fact must fall in (``low`` ``None``: any time before ``high``)."""

    low: date | None
    high: date
    text: str

    def describe(self) -> str:
        if self.low is None:
            return f"at any time up to {self.high.isoformat()}"
        return f"between {self.low.isoformat()} and {self.high.isoformat()}"


# ---------------------------------------------------------------------- dates


def whole_days(value: float | None) -> int:
    return 0 if value is None else round(value)


def window_of(con: Constraint, as_of: date) -> Window | str:
    """The dates a temporal constraint allows, or why it cannot be placed."""
    if con.direction == "after":
        return "a window after its anchor (a planned event) is not in a record"
    anchor = con.anchor
    if anchor is not None and anchor not in match_rules().anchors_at_reference:
        return f"a window anchored on {anchor} is not computed"
    text = "reference date"
    if anchor is not None:
        text = f"reference date, standing for {anchor}"
    if con.value == "ever" or (con.low_days is None and con.high_days is None):
        return Window(None, as_of, f"ever before the {text}")
    high = as_of - timedelta(days=whole_days(con.low_days))
    low = None
    if con.high_days is not None:
        low = as_of - timedelta(days=whole_days(con.high_days))
    return Window(low, high, f"{whole_days(con.high_days)} days before the {text}")


def date_range(value: str | None) -> tuple[date, date] | None:
    """First and last day of a (possibly partial) date, or ``None``."""
    return None if value is None else date_bounds(value)


def point_in(value: str | None, window: Window) -> bool | None:
    """Whether a (possibly partial) date lies in the window."""
    b = date_range(value)
    if b is None:
        return None
    lo, hi = b
    if hi < (window.low or date.min) or lo > window.high:
        return False
    if (window.low is None or lo >= window.low) and hi <= window.high:
        return True
    return None


def overlaps(
    start: str | None,
    end: str | None,
    as_of: date,
    window: Window,
    *,
    stopped: bool = False,
) -> bool | None:
    """Whether an exposure from ``start`` to ``end`` touches the window.

    Without ``end`` it is ongoing, unless ``stopped`` (ended on a day not
    known, between its start and the reference date).
    """
    s = date_range(start)
    e = date_range(end)
    ongoing = e is None and not stopped
    if e is None:
        e = (as_of, as_of) if ongoing else (s[0] if s else date.min, as_of)
    w_low = window.low or date.min
    if e[1] < w_low or (s is not None and s[0] > window.high):
        return False
    if e[0] >= w_low and (s is not None and s[1] <= window.high):
        return True
    if s is None and ongoing and window.high >= as_of:
        return True  # ongoing now, so inside a window that reaches today
    return None
