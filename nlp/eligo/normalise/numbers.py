"""Read numbers as written in criteria: digits, separators, words.

``"1,000"`` -> 1000, ``"1.5"`` -> 1.5, ``"0,5"`` -> 0.5 (a decimal comma when
the group after it is not three digits), ``"eighteen"`` -> 18, ``"twenty-one"``
-> 21. Number words are data in ``rules/numbers.json``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from ..pipeline.patterns import trie_pattern
from ..pipeline.resources import load_rule_object

NUMBERS_FILE = "numbers.json"

#: A written number: digits with optional thousands separators and decimals.
NUMBER_PATTERN = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|\.\d+)"
_NUMBER_RE = re.compile(rf"{NUMBER_PATTERN}")
_THOUSANDS_HEAD = re.compile(r"\d{1,3}(?:,\d{3})*")
_SPACES = re.compile(r"\s+")


class NumberWords(BaseModel):
    """``rules/numbers.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str = ""
    words: dict[str, float]
    tens_units_joiners: list[str]


@lru_cache(maxsize=1)
def number_words() -> dict[str, float]:
    """Every number word we read, compound tens ("twenty-one") included."""
    data = load_rule_object(NUMBERS_FILE, NumberWords)
    words = dict(data.words)
    tens = {
        w: v for w, v in data.words.items() if v in range(20, 100, 10) and " " not in w
    }
    units = {w: v for w, v in data.words.items() if 1 <= v <= 9 and len(w) > 2}
    for tw, tv in tens.items():
        for uw, uv in units.items():
            for joiner in data.tens_units_joiners:
                words[f"{tw}{joiner}{uw}"] = tv + uv
    return words


@lru_cache(maxsize=1)
def number_word_pattern() -> str:
    """A regular expression matching every number word (longest match first).

    Built as a trie ("twenty(?:-one|-two|...)?") so a search does not try
    each of the ~170 words at every position.
    """
    return trie_pattern(number_words())


def parse_number(text: str) -> float | None:
    """The value of a written number, or ``None`` if ``text`` is not one.

    Args:
        text: Digits (``"1,000"``, ``"1.5"``, ``"0,5"``) or a number word.

    Returns:
        The value as a float.
    """
    s = text.strip()
    if not s:
        return None
    if _NUMBER_RE.fullmatch(s):
        if "," in s:
            head, _, tail = s.rpartition(",")
            if len(tail) == 3 and "." not in tail and _THOUSANDS_HEAD.fullmatch(head):
                s = s.replace(",", "")  # thousands separators
            elif s.count(",") == 1 and "." not in s:
                s = s.replace(",", ".")  # a decimal comma
            else:
                return None
        try:
            return float(s)
        except ValueError:
            return None
    value = number_words().get(_SPACES.sub(" ", s.lower()))
    return float(value) if value is not None else None
