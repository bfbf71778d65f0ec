"""The phrase a comparison is about, when no lexicon names it.

"cervical length ≤ 28 mm" is a threshold on "cervical length"; "≥ 3 bowel
movements" on "bowel movements". :class:`PhraseFinder` reads the words before
a comparison, within its clause, and failing that the words right after its
value. Word lists are data (``open_vocabulary`` in ``rules/measurements.json``);
offsets index the text the view was made from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from ..pipeline.patterns import trie_pattern

#: A word (letters, digits and the joiners inside terms: "T-score", "HbA1c",
#: "ml/min", "CHA2DS2-VASc", "Alzheimer's"), or one other visible character.
_TOKEN = re.compile(r"[^\W_](?:[\w'’+\-/]*[^\W_])?|[^\w\s]")


class OpenVocabulary(BaseModel):
    """``open_vocabulary`` of ``rules/measurements.json``: thresholds on anything."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str = ""
    max_words: int
    boundary_chars: str
    boundary_words: list[str]
    leading_fillers: list[str]
    trailing_fillers: list[str]
    after_stops: list[str]
    after_max_words: int
    skip_units: list[str]
    scale_words: list[str]
    score_words: list[str]
    rate_units: dict[str, str]
    instrument_leads: list[str]
    instrument_heads: list[str]
    instrument_max_words: int


@dataclass(frozen=True)
class Phrase:
    """A phrase of the input: ``view[start:end]``."""

    start: int
    end: int
    text: str


class PhraseFinder:
    """Finds the phrase a comparison is about (see the module docstring)."""

    def __init__(self, rules: OpenVocabulary) -> None:
        self.max_words = rules.max_words
        self.after_max = rules.after_max_words
        self.boundary_chars = frozenset(rules.boundary_chars)
        self.boundary_words = frozenset(w.lower() for w in rules.boundary_words)
        self.leading = frozenset(w.lower() for w in rules.leading_fillers)
        self.trailing = frozenset(w.lower() for w in rules.trailing_fillers)
        self.after_stops = frozenset(w.lower() for w in rules.after_stops)
        self.instrument_lead = re.compile(
            rf"\s*(?:{trie_pattern(rules.instrument_leads)})\s+", re.IGNORECASE
        )
        self.instrument_heads = frozenset(w.lower() for w in rules.instrument_heads)
        self.instrument_max = rules.instrument_max_words
        # Names hold "and", "of", "for" ("Positive and Negative Syndrome Scale").
        self.instrument_stops = self.after_stops - {"and", "of", "for", "or", "in"}

    def before(self, view: str, lower: int, pos: int) -> Phrase | None:
        """The phrase that ends right before ``pos``, not reaching before ``lower``.

        Words are taken backwards up to a boundary character or word, trailing
        fillers ("is", "level of") first skipped; a short parenthesis
        ("index (AMMI)") stays inside the phrase; leading fillers ("the",
        "patients with") are dropped.
        """
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(view, lower, pos)]
        i = len(tokens) - 1
        # An opening parenthesis right before the value: "strength (<26 kg".
        if i >= 0 and view[tokens[i][0]] in "([":
            i -= 1
        # A stray "=" before the comparator: "Walks unaided = <1".
        if i >= 0 and view[tokens[i][0] : tokens[i][1]] == "=":
            i -= 1
        while i >= 0 and view[tokens[i][0] : tokens[i][1]].lower() in self.trailing:
            i -= 1
        words: list[tuple[int, int]] = []
        while i >= 0 and len(words) < self.max_words:
            s, e = tokens[i]
            tok = view[s:e]
            if tok == ")":
                group = self._paren_group(view, tokens, i)
                if group is None:
                    break
                words.append((tokens[group][0], e))
                i = group - 1
                continue
            if tok in self.boundary_chars or not tok[0].isalnum():
                break
            if tok.lower() in self.boundary_words:
                break
            words.append((s, e))
            i -= 1
        words.reverse()
        while words and view[words[0][0] : words[0][1]].lower() in self.leading:
            words.pop(0)
        while words and view[words[-1][0] : words[-1][1]].lower() in self.trailing:
            words.pop()
        if not words or not any(c.isalpha() for c in view[words[0][0] : words[-1][1]]):
            return None
        start, end = words[0][0], words[-1][1]
        return Phrase(start, end, view[start:end])

    def after(self, view: str, pos: int, upper: int) -> Phrase | None:
        """The few words right after ``pos`` ("≥ 3 [bowel movements]")."""
        words: list[tuple[int, int]] = []
        for m in _TOKEN.finditer(view, pos, upper):
            tok = m.group()
            if not tok[0].isalnum() or tok.lower() in self.after_stops:
                break
            if tok.lower() in self.boundary_words:
                break
            cut = tok.find("/")
            if cut > 0:  # "movements/week": the thing counted, not its rate
                words.append((m.start(), m.start() + cut))
                break
            words.append(m.span())
            if len(words) >= self.after_max:
                break
        while words and view[words[0][0] : words[0][1]].lower() in self.leading:
            words.pop(0)
        if not words or not view[words[0][0]].isalpha():
            return None
        start, end = words[0][0], words[-1][1]
        return Phrase(start, end, view[start:end])

    def instrument(self, view: str, pos: int, upper: int) -> Phrase | None:
        """The instrument a value right before ``pos`` is read on: ">= 5 [on
        the] pain NRS", "a 5 or greater on the Geriatric Depression Scale
        (GDS)". Its last word is an instrument head ("scale", "index") or an
        abbreviation, read up to the first head within
        ``instrument_max_words`` words; a bracketed abbreviation after it is
        kept. A generic scale ("on a 0-10 scale") is no instrument."""
        lead = self.instrument_lead.match(view, pos, upper)
        if lead is None:
            return None
        tokens = [m.span() for m in _TOKEN.finditer(view, lead.end(), upper)]
        end: int | None = None
        for s, e in tokens[: self.instrument_max]:
            tok = view[s:e]
            if not tok[0].isalpha() or tok.lower() in self.instrument_stops:
                break
            if tok.lower() in self.instrument_heads:
                end = e
                break  # the first head ends the name ("... Scale (HADS)")
            if _named_abbreviation(tok):
                end = e  # "the pain NRS"; a head after it still wins
        if end is None:
            return None
        close = re.match(r"\s*\(\s*([^\W_][\w\-]*)\s*\)", view[end:upper])
        if close is not None and _named_abbreviation(close.group(1)):
            end += close.end()
        start = lead.end()
        return Phrase(start, end, view[start:end])

    @staticmethod
    def _paren_group(
        view: str, tokens: list[tuple[int, int]], close: int
    ) -> int | None:
        """Index of the "(" that opens the short group closed at ``close``."""
        for k in range(close - 1, max(-1, close - 5), -1):
            ch = view[tokens[k][0] : tokens[k][1]]
            if ch == "(":
                return k if k < close - 1 else None
            if ch == ")":
                return None
        return None


def scale_pattern(scale_words: list[str]) -> re.Pattern[str]:
    """What follows a range that defines a scale ("0-10 [scale]", "1-5
    [point]"): one of ``scale_words`` of ``open_vocabulary``."""
    return re.compile(rf"\s*(?:{trie_pattern(scale_words)})(?![a-z])", re.IGNORECASE)


def abbreviation(word: str) -> bool:
    """An abbreviation such as "FEV1", "WHZ": short, no lower-case letter."""
    return len(word) <= 8 and word.upper() == word and any(c.isalpha() for c in word)


def _named_abbreviation(word: str) -> bool:
    """An abbreviation of two letters or more ("NRS", "GDS-15"), not "T"."""
    return abbreviation(word) and sum(c.isalpha() for c in word) >= 2
