"""Age constraints: "18-80 years old", "Aged 18~65", "≥ 18 years of age", ...

Every form becomes an interval in years with inclusive flags, read literally:
"over 18" is > 18 and "at least 18" is >= 18; "between 20 and 60" and "18-80"
are inclusive. Months, weeks and days convert to years. A number is an age only
with age evidence: an age word before it ("age", "aged"), an age tail after it
("years old", "of age"), a comparator that only ages take ("younger than",
"older than"), or a person word before it ("patients >= 18 years"). Group words
("adults", "children") count when they open the criterion and no number does;
such a constraint has its own type, ``age_group``, and carries the word as
``value``, so that callers can weigh it below a number (the trial summary
ignores it when any numeric age exists; matching reads it like an age). It is
a population word, not an age the criterion states: the team's scorer counts
only numeric ages, and so does an audit.

The vocabulary (units, comparator phrases, groups) is data in ``rules/age.json``;
the grammar is here.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc

from ..normalise.comparisons import find_comparisons
from ..normalise.numbers import number_word_pattern, parse_number
from ..pipeline.extensions import doc_view
from ..pipeline.patterns import trie_pattern
from ..pipeline.resources import load_rule_object
from ..pipeline.spans import add_constraints, criteria, record
from .base import CriterionRuleComponent

AGE_FILE = "age.json"

_DIGIT = re.compile(r"\d")
#: Runs of whitespace, collapsed to one space in lookup keys.
_SPACES = re.compile(r"\s+")


class AgeGroup(BaseModel):
    """Words that stand for an age range ("adults" -> >= 18)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    words: list[str]
    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True


class SummaryConditions(BaseModel):
    """Cues of an age that conditions something else (read by the summary)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    before: list[str]
    topics: list[str]
    lead_in: list[str] = []
    others: list[str] = []


class AgeRules(BaseModel):
    """``rules/age.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str = ""
    units: dict[str, float]
    age_words: list[str]
    age_tails: list[str]
    lower: dict[str, bool]
    upper: dict[str, bool]
    postfix_lower: dict[str, bool]
    postfix_upper: dict[str, bool]
    range_joiners: list[str]
    range_openers: list[str]
    groups: list[AgeGroup]
    comparison_units: dict[str, float]
    person_words: list[str]
    words_after_age: list[str]
    max_years: float
    not_age_words: list[str]
    window_words_after: list[str]
    summary_conditions: SummaryConditions


@dataclass(frozen=True)
class AgeConstraint:
    """An age interval in years; ``start``/``end`` cover the evidence phrase."""

    start: int
    end: int
    low: float | None
    low_inclusive: bool | None
    high: float | None
    high_inclusive: bool | None
    text: str
    group: str | None = None  # the group word ("adults") when no number was given


_PERSONS = trie_pattern(
    [
        *("patient", "patients", "subject", "subjects", "participant"),
        *("participants", "men", "women", "male", "males", "female", "females"),
        *("adult", "adults", "children", "volunteer", "volunteers", "individual"),
        *("individuals", "person", "persons", "people", "boys", "girls", "infant"),
        *("infants", "adolescent", "adolescents", "candidate", "candidates"),
        *("donor", "donors", "recipient", "recipients", "mother", "mothers"),
    ]
)


def _has_lt(view: str, start: int, end: int) -> bool:
    """Whether ``view[start:end]`` holds "<" or "≤" (every sandwich does)."""
    return view.find("<", start, end) >= 0 or view.find("≤", start, end) >= 0


class AgeGrammar:
    """Compiled age patterns."""

    def __init__(self, rules: AgeRules) -> None:
        self.rules = rules
        num = rf"(?:\d+(?:\.\d+)?|(?<!\w)(?:{number_word_pattern()})(?!\w))"
        unit = rf"(?:{trie_pattern(rules.units)})(?![a-z])"
        tail = rf"(?:{trie_pattern(rules.age_tails)})(?![a-z])"
        word = rf"(?<![a-z])(?:{trie_pattern(rules.age_words)})(?![a-z])"
        lo = trie_pattern(rules.lower)
        hi = trie_pattern(rules.upper)
        post_lo = trie_pattern(rules.postfix_lower)
        post_hi = trie_pattern(rules.postfix_upper)
        join = trie_pattern(rules.range_joiners)
        opener = trie_pattern(rules.range_openers)
        value = (
            rf"(?P<{{n}}>{num})(?!\d|\.\d)\s*+(?:(?P<{{n}}u>{unit})(?:\.(?=\s*+\w))?)?"
            rf"\s*+(?P<{{n}}t>{tail})?"
        )
        a = value.format(n="a")
        b = value.format(n="b")
        # "Age at the time of consent ≥ 18", "age on the day of randomization is"
        when = (
            r"(?:\s++(?:at|on)\s++(?:the\s++)?(?:(?:time|day|date)\s++of\s++)?"
            r"(?:[a-z]+\s++)?[a-z]+(?=\s*+(?:[:\-=<>≤≥]|is\b|\d)))?"
        )
        lead = rf"(?P<w>{word}){when}\s*+(?:[:\-]|is|must\s++be|should\s++be|of|=)?\s*+"
        f = re.IGNORECASE
        self.patterns: list[tuple[str, re.Pattern[str]]] = [
            (
                "sandwich",
                re.compile(
                    rf"{a}\s*+(?P<c1>[<≤]=?|=<)\s*+{word}"
                    rf"\s*+(?P<c2>[<≤]=?|=<)\s*+{b}",
                    f,
                ),
            ),
            (
                "range",
                re.compile(
                    rf"(?:{lead})?(?:(?P<o>{opener})\s++)?(?<![\d.]){a}\s*+(?P<j>{join})\s*+"
                    rf"(?P<bc>[<≤]=?|under\s|less\s++than\s|below\s)?\s*+{b}"
                    r"(?:\s*+\(?(?P<inc>inclusive|inclusively|included)\)?)?",
                    f,
                ),
            ),
            ("word_cmp", re.compile(rf"{lead}(?P<c>{lo}|{hi})\s*+{a}", f)),
            (
                "limit",
                # "Minimum age: 21", "Maximum age is 85"
                re.compile(
                    rf"(?<![a-z])(?P<lim>minimum|maximum|min|max)\.?\s*+{word}"
                    rf"\s*+(?:limit\s*+)?(?:is|of|[:=\-])?\s*+{a}",
                    f,
                ),
            ),
            ("word_post", re.compile(rf"{lead}{a}\s*+(?P<p>{post_lo}|{post_hi})", f)),
            (
                "cmp",
                # The leading look-behind holds for every match (both ways of
                # starting one have it); checked first, it rejects the inside
                # of words at once.
                re.compile(
                    r"(?<![a-z])"
                    rf"(?:(?P<person>(?<![a-z])(?:{_PERSONS}))\s++(?:who\s++are\s++|aged\s++)?)?"
                    rf"(?<![a-z])(?P<c>{lo}|{hi})\s*+{a}",
                    f,
                ),
            ),
            (
                "post",
                re.compile(
                    rf"(?:(?P<person>(?<![a-z])(?:{_PERSONS}))\s++)?(?<![\d.]){a}\s*+"
                    rf"(?P<p>{post_lo}|{post_hi})(?![a-z])",
                    f,
                ),
            ),
        ]
        # Scanning a criterion with a pattern costs more than looking for a part
        # that every match of the pattern holds: without it, skip the pattern.
        has_post = re.compile(rf"(?:{post_lo}|{post_hi})", f).search
        self.needs: dict[str, Callable[[str, int, int], object]] = {
            "sandwich": _has_lt,
            "word_post": has_post,
            "post": has_post,
        }
        # A criterion without any of these words holds no age: skip it cheaply.
        evidence = [
            *rules.age_words,
            *rules.age_tails,
            *rules.units,
            "younger",
            "older",
            *(w for g in rules.groups for w in g.words),
        ]
        self.gate = re.compile(rf"(?<![a-z])(?:{trie_pattern(evidence)})(?![a-z])", f)
        # A person word and a digit: only the comparison reader can find an
        # age there ("patients <18").
        self.person_gate = re.compile(
            rf"(?<![a-z])(?:{trie_pattern(rules.person_words)})(?![a-z])", f
        )
        group_words = {w: g for g in rules.groups for w in g.words}
        self.groups = group_words
        self.group_re = re.compile(
            rf"^(?:(?:healthy|male|female|male\s+or\s+female|ambulatory|all)\s+)?"
            rf"(?P<g>{trie_pattern(group_words)})(?![\w-])",
            f,
        )
        self.lower = {k.lower(): v for k, v in rules.lower.items()}
        self.upper = {k.lower(): v for k, v in rules.upper.items()}
        self.post_lower = {k.lower(): v for k, v in rules.postfix_lower.items()}
        self.post_upper = {k.lower(): v for k, v in rules.postfix_upper.items()}
        self.units = {k.lower(): v for k, v in rules.units.items()}
        # Comparisons read by eligo.normalise.comparisons: UCUM unit -> years.
        self.comparison_units: dict[str | None, float] = {None: 1.0}
        self.comparison_units.update(rules.comparison_units)
        self.not_age = re.compile(
            rf"(?<![a-z])(?:{trie_pattern(rules.not_age_words)})[\s-]*$", f
        )
        self.word_before = re.compile(
            rf"{word}\s*+(?:is|must\s++be|should\s++be|of|at\s++\w+|[:\[(=\-])?\s*+$", f
        )
        self.word_inside = re.compile(word, f)
        self.age_comparator = re.compile(r"(?<![a-z])(?:older|younger)(?![a-z])", f)
        # A criterion that is nothing but the comparison ("- Over 18 years").
        self.opening = re.compile(r"[\s\-*•·]*(?:\(?\d{1,2}[.)]\s*+)?")
        self.tail_after = re.compile(rf"\s*+-?\s*+{tail}", f)
        persons = trie_pattern(rules.person_words)
        self.person_before = re.compile(
            rf"(?<![a-z])(?:{persons})\s*+(?:who\s++are|aged|[(:,])?\s*+$", f
        )
        # "Participants were from 20 to 65 years": a person word a few words
        # before a range in years.
        self.person_near = re.compile(
            rf"(?<![a-z])(?:{persons})(?![a-z])(?:\s++(?:who|were|are|is|was|aged)){{0,2}}"
            r"\s*+$",
            f,
        )
        # After a bare number, a word makes it a count of something
        # ("patients > 2 lesions"), not an age.
        self.word_after = re.compile(
            rf"\s*+(?!(?:{trie_pattern(rules.words_after_age)})(?![a-z]))[a-z]", f
        )
        self.chain = re.compile(r"\s*+,?\s*+(?:and/or|and|or|but)?\s*+", f)
        # "patients >= 6 months [after] surgery": a time window, not an age.
        self.window_after = re.compile(
            rf"\s*+(?:{trie_pattern(rules.window_words_after)})(?![a-z])", f
        )

    def _years(self, m: re.Match[str], n: str, fallback: str | None) -> float | None:
        raw = parse_number(m.group(n))
        if raw is None:
            return None
        unit = m.group(f"{n}u") or fallback
        factor = self.units.get(_SPACES.sub(" ", unit.lower()), 1.0) if unit else 1.0
        return raw * factor

    def find(
        self,
        view: str,
        start: int = 0,
        end: int | None = None,
        *,
        context: bool = False,
        labelled: bool = False,
    ) -> list[AgeConstraint]:
        """Age constraints in ``view[start:end]``, in text order, not overlapping.

        Args:
            view: The reading view of the text.
            start: Where the criterion starts.
            end: Where it ends.
            context: The criterion sits under an age heading ("Age:"), so a bare
                number with a comparator or a range is an age.
            labelled: The criterion sits under a short label heading about
                something else ("Life expectancy:"), so a criterion that is
                only a comparison in years is not an age.
        """
        end = len(view) if end is None else end
        found: list[AgeConstraint] = []
        grammar = context or self.gate.search(view, start, end) is not None
        if not grammar:
            if not _DIGIT.search(view, start, end):
                return found
            if not self.person_gate.search(view, start, end):
                return found
            return self._from_comparisons(view, start, end, found, context, labelled)
        taken: list[tuple[int, int]] = []
        for kind, pattern in self.patterns:
            need = self.needs.get(kind)
            if need is not None and not need(view, start, end):
                continue
            for m in pattern.finditer(view, start, end):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                con = self._read(kind, m, view, start, context)
                if con is not None:
                    found.append(con)
                    taken.append((con.start, con.end))
        found = [
            c
            for c in found
            if self.not_age.search(view, max(start, c.start - 25), c.start) is None
        ]
        found = self._from_comparisons(view, start, end, found, context, labelled)
        group = self.group_re.match(view[start:end].lstrip()) if not found else None
        if group is not None:
            offset = start + (len(view[start:end]) - len(view[start:end].lstrip()))
            g = self.groups[_SPACES.sub(" ", group.group("g").lower())]
            s, e = offset + group.start("g"), offset + group.end("g")
            found.append(
                AgeConstraint(
                    s,
                    e,
                    g.low,
                    g.low_inclusive if g.low is not None else None,
                    g.high,
                    g.high_inclusive if g.high is not None else None,
                    view[s:e],
                    group=view[s:e].lower(),
                )
            )
        return sorted(found, key=lambda c: c.start)

    def _from_comparisons(
        self,
        view: str,
        start: int,
        end: int,
        found: list[AgeConstraint],
        context: bool,
        labelled: bool = False,
    ) -> list[AgeConstraint]:
        """Ages among the comparisons of :mod:`eligo.normalise.comparisons`.

        A comparison in years (months, weeks, days) or without unit is an age
        when age evidence stands next to it: an age word before it ("Age [≥
        18]", "aged ≥ 19 years and ≤ 50 years") or inside it ("under the age
        of 18"), an age tail after it ("18 years-old"), a person word right
        before a value in years ("Older adults (≥ 65 years)", "patients <18"),
        an age heading, or the age before it joined by "and"/"or"/","
        ("age < 18 or > 60"). Such an age replaces one-sided grammar ages it
        overlaps when it holds both bounds; otherwise the grammar's stands.

        A criterion that is nothing but a comparison in years ("- Over 18
        years") is an age, unless it sits under a label heading that is not
        about age (``labelled``: "Life expectancy: At least 5 years"). Where
        that, or a person word, is the only evidence, a time word right after
        the value ("since", "after": ``window_words_after``) makes it a window.
        """
        if _DIGIT.search(view, start, end) is None:
            return found
        # Two bounds joined by "and" stay two ages ("≥ 45 and ≤ 90 years"):
        # the criterion's logic joins them, and each keeps its own evidence.
        # Each part with the end of the comparison it came from: a time word
        # after the whole ("≥ 1 and ≤ 6 months after") makes both windows.
        comps = [
            (part, c.end)
            for c in find_comparisons(view, start, end)
            if c.kind != "normal"
            for part in (c.parts or (c,))
        ]
        if not comps:
            return found
        ages = sorted(found, key=lambda c: c.start)
        last_end: int | None = None
        out = list(ages)
        for c, whole_end in comps:
            prior = [a.end for a in out if a.end <= c.start]
            last_end = max(prior) if prior else None
            factor = (
                self.comparison_units.get(c.unit) if c.relative_to is None else None
            )
            if factor is None:
                continue
            values = [v for v in (c.low, c.high) if v is not None]
            if not values or any(v * factor > self.rules.max_years for v in values):
                continue
            tail = self.tail_after.match(view, c.end, end)
            strong = (
                context
                or tail is not None
                or self.word_inside.search(view, c.start, c.end)
                or self.age_comparator.search(view, c.start, c.end)
                or self._age_word_before(view, start, c.start)
                or (
                    last_end is not None
                    and self.chain.fullmatch(view, last_end, c.start) is not None
                )
            )
            if not strong:
                weak = (
                    c.unit == "a"
                    and not labelled
                    and self.opening.fullmatch(view, start, c.start) is not None
                    and not view[c.end : end].strip(" .;,")
                ) or (
                    self.person_before.search(view, max(start, c.start - 40), c.start)
                    and (
                        c.unit is not None
                        or not self.word_after.match(view, c.end, end)
                    )
                )
                if not weak or self.window_after.match(view, whole_end, end):
                    continue
            e = tail.end() if tail is not None else c.end
            low = None if c.low is None else c.low * factor
            high = None if c.high is None else c.high * factor
            con = AgeConstraint(
                c.start,
                e,
                low,
                c.low_inclusive,
                high,
                c.high_inclusive,
                view[c.start : e],
            )
            clash = [a for a in out if a.start < con.end and con.start < a.end]
            if clash:
                one_sided = all(a.low is None or a.high is None for a in clash)
                if not (low is not None and high is not None and one_sided):
                    continue
                s2 = min(con.start, *(a.start for a in clash))
                e2 = max(con.end, *(a.end for a in clash))
                con = AgeConstraint(
                    s2, e2, low, c.low_inclusive, high, c.high_inclusive, view[s2:e2]
                )
                out = [a for a in out if a not in clash]
            out.append(con)
            out.sort(key=lambda a: a.start)
        return out

    def _age_word_before(self, view: str, start: int, pos: int) -> bool:
        """An age word right before ``pos`` ("Age [", "aged"), not "gestational age"."""
        m = self.word_before.search(view, max(start, pos - 40), pos)
        if m is None:
            return False
        return self.not_age.search(view, max(start, m.start() - 25), m.start()) is None

    def _read(
        self, kind: str, m: re.Match[str], view: str, start: int, context: bool
    ) -> AgeConstraint | None:
        gd = m.groupdict()
        has_word = bool(gd.get("w")) or context
        has_tail = bool(gd.get("at") or gd.get("bt"))
        unit_b = gd.get("bu")
        unit_a = gd.get("au")
        if kind == "sandwich":
            low = self._years(m, "a", unit_a or unit_b)
            high = self._years(m, "b", unit_b or unit_a)
            low_inc = "=" in gd["c1"] or "≤" in gd["c1"]
            high_inc = "=" in gd["c2"] or "≤" in gd["c2"]
            return self._make(m, view, low, low_inc, high, high_inc)
        if kind == "range":
            if not (has_word or has_tail or self._person_range(m, view, start)):
                return None
            joiner = gd["j"].lower()
            if joiner == "and" and not (gd.get("o") or "").lower().startswith(
                ("between", "from")
            ):
                return None
            low = self._years(m, "a", unit_a or unit_b)
            high = self._years(m, "b", unit_b or unit_a)
            if low is None or high is None or low > high:
                return None
            # "aged 6 to <24 months": the upper bound is exclusive.
            bc = (gd.get("bc") or "").strip()
            return self._make(m, view, low, True, high, bc in ("", "<=", "≤", "≤="))
        if kind in ("word_cmp", "cmp"):
            comp = _SPACES.sub(" ", gd["c"].lower())
            years_unit = unit_a is not None and self.units.get(unit_a.lower(), 0) >= 1
            age_cmp = comp in (
                "younger than",
                "older than",
                "not younger than",
                "not older than",
                "no younger than",
                "no older than",
            )
            if kind == "cmp" and not (has_tail or age_cmp or context):
                if not (gd.get("person") and years_unit):
                    return None
                if self.window_after.match(view, m.end()):
                    return None  # "patients at least 2 years after transplant"
            value = self._years(m, "a", None)
            if value is None:
                return None
            if comp in self.lower:
                return self._make(m, view, value, self.lower[comp], None, None)
            return self._make(m, view, None, None, value, self.upper[comp])
        if kind == "limit":
            value = self._years(m, "a", None)
            if value is None:
                return None
            if gd["lim"].lower().startswith("min"):
                return self._make(m, view, value, True, None, None)
            return self._make(m, view, None, None, value, True)
        if kind in ("word_post", "post"):
            post = _SPACES.sub(" ", gd["p"].lower())
            years_unit = unit_a is not None and self.units.get(unit_a.lower(), 0) >= 1
            at_start = not view[start : m.start()].strip(" -*•:(")
            if kind == "post" and not (has_tail or context):
                if not ((gd.get("person") or at_start) and years_unit):
                    return None
                if self.window_after.match(view, m.end()):
                    return None  # "patients 2 years or more since diagnosis"
            value = self._years(m, "a", None)
            if value is None:
                return None
            if post in self.post_lower:
                return self._make(m, view, value, self.post_lower[post], None, None)
            return self._make(m, view, None, None, value, self.post_upper[post])
        return None

    def _person_range(self, m: re.Match[str], view: str, start: int) -> bool:
        """ "Subjects from 20 to 65 years": an opener, years, a person word."""
        opener = (m.group("o") or "").lower()
        unit = m.group("bu") or m.group("au")
        if opener not in ("from", "between") or unit is None:
            return False
        if self.units.get(_SPACES.sub(" ", unit.lower()), 0) < 1:
            return False
        s = m.start("o")
        if self.window_after.match(view, m.end()):
            return False  # "patients between 2 and 5 years after transplant"
        return self.person_near.search(view, max(start, s - 40), s) is not None

    @staticmethod
    def _make(
        m: re.Match[str],
        view: str,
        low: float | None,
        low_inc: bool | None,
        high: float | None,
        high_inc: bool | None,
    ) -> AgeConstraint | None:
        if low is None and high is None:
            return None
        s, e = m.start(), m.end()
        if m.groupdict().get("person"):
            s = m.start("person") if m.group("person") is None else m.end("person")
            while s < e and view[s].isspace():
                s += 1
        while e > s and view[e - 1].isspace():
            e -= 1
        return AgeConstraint(
            s,
            e,
            low,
            low_inc if low is not None else None,
            high,
            high_inc if high is not None else None,
            view[s:e],
        )


_AGE_HEADING = re.compile(r"^\W*(?:age|ages|age range|age group)\W*$", re.IGNORECASE)
#: A label heading of one to three words ("Life expectancy:", "Chemotherapy:"),
#: not a lead-in sentence ("Patients must have:", "Inclusion criteria:").
_LABEL_HEADING = re.compile(
    r"^\W*(?!(?:\w+[\s/-]+){0,2}(?:must|should|have|has|are|is|be|the|all|any|criteria"
    r"|inclusion|exclusion|eligibility|general|patients?|subjects?|participants?"
    r"|volunteers?|children|adults?|men|women)\b)"
    r"[a-z]+(?:[ /-][a-z]+){0,2}\s*:\s*$",
    re.IGNORECASE,
)


class AgeComponent(CriterionRuleComponent):
    """spaCy component ``eligo_ages``: age constraints of every criterion."""

    RULE_FILES = (AGE_FILE,)

    def build(self, rules_data: dict[str, Any]) -> None:
        self.grammar = AgeGrammar(
            load_rule_object(AGE_FILE, AgeRules, rules_data[AGE_FILE])
        )

    def __call__(self, doc: Doc) -> Doc:
        view = doc_view(doc)
        todo = {span.id for span in criteria(doc, self.name)}
        previous: dict[str, Any] | None = None
        for span in criteria(doc):  # all: each reads the one before it
            criterion = record(span)
            if span.id in todo:
                found = self.extract(view, criterion, doc, previous)
                if found:
                    add_constraints(span, found)
            previous = criterion
        return doc

    @staticmethod
    def reuse_context(
        view: str, criterion: dict[str, Any], previous: dict[str, Any] | None
    ) -> bool:
        """What an age read takes from outside the criterion: whether the
        criterion before it is an "Age" heading (see :mod:`eligo.parse.reuse`)."""
        if previous is None:
            return False
        return bool(_AGE_HEADING.match(view[previous["start"] : previous["end"]]))

    def extract(
        self,
        view: str,
        criterion: dict[str, Any],
        doc: Doc,
        previous: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        heading = criterion.get("heading")
        title = view[heading[0] : heading[1]] if heading else ""
        context = bool(heading and _AGE_HEADING.match(title))
        labelled = not context and _LABEL_HEADING.match(title) is not None
        if not context:
            # "Age" alone above "- 18 and over" (old NCI layouts).
            context = self.reuse_context(view, criterion, previous)
        return [
            {
                "type": "age" if c.group is None else "age_group",
                "start": c.start,
                "end": c.end,
                "negated": False,
                "low": c.low,
                "low_inclusive": c.low_inclusive,
                "high": c.high,
                "high_inclusive": c.high_inclusive,
                "unit": "a",
                "value": c.group,
            }
            for c in self.grammar.find(
                view,
                criterion["start"],
                criterion["end"],
                context=context,
                labelled=labelled,
            )
        ]


@Language.factory("eligo_ages", assigns=["doc.spans"], requires=["doc.spans"])
def make_age_component(nlp: Language, name: str) -> AgeComponent:
    """Factory of :class:`AgeComponent` (vocabulary in ``rules/age.json``)."""
    return AgeComponent(name)


@lru_cache(maxsize=1)
def default_grammar() -> AgeGrammar:
    """The grammar built from the shipped ``rules/age.json``."""
    return AgeGrammar(load_rule_object(AGE_FILE, AgeRules))


def find_ages(
    view: str, start: int = 0, end: int | None = None, *, context: bool = False
) -> list[AgeConstraint]:
    """Age constraints in one criterion (see the module docstring)."""
    return default_grammar().find(view, start, end, context=context)
