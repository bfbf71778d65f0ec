"""Lab, vital and score thresholds: analyte + comparator + value(s) + unit.

For each criterion, analyte mentions come from the lexicon
(:mod:`eligo.normalise.lexicon`) and comparisons from
:mod:`eligo.normalise.comparisons`. An analyte takes the first comparison
after it in the same clause, within ``max_gap_chars`` and before the next
analyte; analytes joined by "and"/"or"/"," share the comparison that follows
the last of them ("ALT and AST < 3 x ULN"). Comparisons that overlap an age or
time window already found are left to those.

Scores also read ordinal values ("Child-Pugh class A", "NYHA class III or IV",
"hepatic encephalopathy above grade II (inclusive)") through the analyte's
``ordinal`` table; ``low``/``high`` are then ranks, ``value`` the label(s) and
``unit`` empty.

Comparisons no lexicon analyte takes are thresholds too (open vocabulary):
the analyte is the phrase the comparison is about ("cervical length ≤ 28
mm", "≥ 3 bowel movements"; :mod:`eligo.constraints.phrases`), with no code
unless the lexicon names that phrase; ``analyte.id`` is the lexicon entry or
``None``.

Output: ``type`` "measurement" or "score", bounds in the written unit (UCUM),
``canonical`` bounds in the analyte's canonical unit when a conversion is
known (never guessed), ``relative_to`` "ULN"/"LLN"/"control"/"normal", and
``analyte`` {text, start, end, code} with the LOINC code when the lexicon is
certain of it.
"""

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import RuleError
from ..normalise.comparisons import Comparison, find_comparisons
from ..normalise.lexicon import AnalyteMatch, Lexicon
from ..normalise.units import dimension, unit_table
from ..pipeline.patterns import trie_pattern
from ..pipeline.resources import load_rule_object
from .base import CriterionRuleComponent
from .phrases import (
    OpenVocabulary,
    Phrase,
    PhraseFinder,
    abbreviation,
    scale_pattern,
)

ANALYTES_FILE = "analytes.json"
MEASUREMENTS_FILE = "measurements.json"
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
_DIGIT = re.compile(r"\d")
#: A pair of pressures: "160/100".
_PAIR = re.compile(r"(?<![\d.,/])(\d{2,3})\s*/\s*(\d{2,3})(?![\d.,/])")
#: What a count counts: words of letters ("letters", "correct reactions"),
#: not a unit the table lacks ("cells/mL", "x 10^6").
_COUNTED = re.compile(r"[^\W\d_]{2,}(?:[ \-'’][^\W\d_]+)*")
#: Runs of whitespace, collapsed to one space in lookup keys.
_SPACES = re.compile(r"\s+")


class PressurePair(BaseModel):
    """One entry of ``pressure_pairs``: "BP > 160/100" read as two thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str = ""
    analyte: str
    first: str
    second: str
    normal: tuple[float, float]


class MeasurementRules(BaseModel):
    """``rules/measurements.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str = ""
    max_gap_chars: int
    gap_stops: list[str]
    shared_joiners: list[str]
    group_words: list[str]
    group_gap_words: list[str]
    relative_cues: dict[str, list[str]]
    ordinal_words: list[str]
    ordinal_lower: dict[str, bool]
    ordinal_upper: dict[str, bool]
    inclusive_marks: list[str]
    pressure_pairs: list[PressurePair] = []
    open_vocabulary: OpenVocabulary


@dataclass(frozen=True)
class _Ordinal:
    start: int
    end: int
    low: float | None
    low_inclusive: bool | None
    high: float | None
    high_inclusive: bool | None
    value: str


class MeasurementComponent(CriterionRuleComponent):
    """spaCy component ``eligo_measurements`` (see the module docstring)."""

    RULE_FILES = (ANALYTES_FILE, MEASUREMENTS_FILE)
    SKIP_TYPES = frozenset({"age", "temporal", "duration"})

    def build(self, rules_data: dict[str, Any]) -> None:
        self.lexicon = Lexicon.from_data(rules_data[ANALYTES_FILE])
        rules = load_rule_object(
            MEASUREMENTS_FILE, MeasurementRules, rules_data[MEASUREMENTS_FILE]
        )
        self.rules = rules
        self.pairs = {p.analyte: p for p in rules.pressure_pairs}
        for pair in rules.pressure_pairs:
            for analyte_id in (pair.analyte, pair.first, pair.second):
                if analyte_id not in self.lexicon:
                    raise RuleError(
                        f"rules/{MEASUREMENTS_FILE}: pressure_pairs: no analyte "
                        f"{analyte_id!r} in rules/{ANALYTES_FILE}"
                    )
        f = re.IGNORECASE
        self.joiner = re.compile(
            rf"^\s*(?:{trie_pattern(rules.shared_joiners)})?\s*$", f
        )
        self.cues = [
            (name, re.compile(trie_pattern(words), f))
            for name, words in rules.relative_cues.items()
        ]
        label = r"(?<![\w.])(?:IV|III|II|I|V|[A-D]|[0-5])(?!\w|\.\w)"
        word = rf"(?:{trie_pattern(rules.ordinal_words)})"
        cmp_pre = trie_pattern([*rules.ordinal_lower, *rules.ordinal_upper])
        incl = trie_pattern(rules.inclusive_marks)
        self.ordinal = re.compile(
            rf"(?:(?P<pre>{cmp_pre})\s*)?(?:{word}\s*)?(?P<a>{label})"
            rf"(?:\s*(?:-|–|to|or|and|/|,)\s*(?:{word}\s*)?(?P<b>{label}))?"
            rf"(?:\s*(?P<post>{cmp_pre}))?(?:\s*(?P<inc>{incl}))?",
            f,
        )
        self.lower = {k.lower(): v for k, v in rules.ordinal_lower.items()}
        ov = rules.open_vocabulary
        self.phrases = PhraseFinder(ov)
        self.skip_units = frozenset(ov.skip_units)
        self.scale_after = scale_pattern(ov.scale_words)
        self.score_words = re.compile(
            rf"(?<![a-z])(?:{trie_pattern(ov.score_words)})(?![a-z])", f
        )
        self.rate_units = {k.lower(): v for k, v in ov.rate_units.items()}
        self.count_rate = re.compile(
            r"\s*(?P<what>[a-z][a-z\-]*(?:\s+[a-z][a-z\-]*){0,2}?)\s*(?:/|per|a|each)\s*"
            rf"(?P<per>{trie_pattern(ov.rate_units)})(?![a-z])",
            f,
        )
        self.chain = re.compile(
            rf"\s*+,?\s*+(?:(?:{trie_pattern(rules.shared_joiners)})\s*+)?", f
        )
        self.upper = {k.lower(): v for k, v in rules.ordinal_upper.items()}
        # "<26 kg in men; <18 kg in women": the gap between two values of one
        # analyte names the group the first is for.
        gap_word = trie_pattern([*rules.group_gap_words, *rules.shared_joiners])
        self.group = re.compile(
            rf"(?<![a-z])(?:{trie_pattern(rules.group_words)})(?![a-z])", f
        )
        self.group_gap = re.compile(
            rf"(?:[\s,;:()\[\]]|(?<![a-z])(?:{gap_word})(?![a-z])|{self.group.pattern})*+",
            f,
        )
        self.joined_modifier = re.compile(
            rf"\s*(?:{trie_pattern(rules.shared_joiners)})\s+(?P<mod>\S(?:.{{0,30}}\S)?)\s*",
            f,
        )
        # "1.3 times the control value": a multiple, not a count of "times".
        self.multipliers = frozenset(m.lower() for m in unit_table().data.multipliers)
        # ">2/day": a count per time.
        self.per_time = re.compile(
            rf"\s*(?:/|per\s+|a\s+|an\s+)(?P<per>{trie_pattern(ov.rate_units)})(?![a-z])",
            f,
        )
        self.coord_tail = re.compile(
            rf"(?<=[\s)])(?:{trie_pattern(rules.shared_joiners)})\s+$", f
        )
        self.expansion_gap = re.compile(r"[^()<>=≤≥\d;,]{0,40}\(\s*")
        # A bracketed restatement of a value (a conversion, a unit symbol).
        self.aside = re.compile(r"\s*\([^()<>=≤≥;]{1,30}\)")

    # -- extraction ------------------------------------------------------------

    def extract(
        self, view: str, criterion: dict[str, Any], doc: Doc
    ) -> list[dict[str, Any]]:
        s, e = criterion["start"], criterion["end"]
        analytes = self.lexicon.find(view, s, e)
        if not analytes and _DIGIT.search(view, s, e) is None:
            return []  # without digits, only a lexicon analyte takes a comparison
        taken = [
            (c["start"], c["end"])
            for c in criterion.get("constraints") or []
            if c["type"] in self.SKIP_TYPES
        ]
        comparisons = [
            c
            for c in find_comparisons(view, s, e)
            if not any(c.start < te and ts < c.end for ts, te in taken)
        ]
        if not comparisons and not analytes:
            return []
        out = self._lexicon_thresholds(view, criterion, analytes, comparisons)
        out += self._open_thresholds(view, criterion, comparisons, out)
        out.sort(key=lambda c: c["start"])
        return out

    def _lexicon_thresholds(
        self,
        view: str,
        criterion: dict[str, Any],
        analytes: list[AnalyteMatch],
        comparisons: list[Comparison],
    ) -> list[dict[str, Any]]:
        """Thresholds on analytes the lexicon names."""
        e = criterion["end"]
        out: list[dict[str, Any]] = []
        pending: list[AnalyteMatch] = []  # analytes waiting for a shared comparison
        analytes = self._merge_expansions(view, analytes)
        for i, a in enumerate(analytes):
            limit = analytes[i + 1].start if i + 1 < len(analytes) else e
            pair = self._pressure_pair(view, criterion, a, limit)
            if pair:
                out += pair
                pending = []
                continue
            found = self._value_after(view, a, limit, comparisons)
            if found is None:
                nxt = analytes[i + 1] if i + 1 < len(analytes) else None
                if nxt is not None and self._joined(view, a, nxt):
                    pending.append(a)
                else:
                    pending = []
                continue
            for shared in [*pending, a]:
                out.append(self._constraint(view, criterion, shared, a, found))
            pending = []
        return out

    def _open_thresholds(
        self,
        view: str,
        criterion: dict[str, Any],
        comparisons: list[Comparison],
        made: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Thresholds on comparisons no lexicon analyte took (open vocabulary).

        The analyte is the phrase the comparison is about
        (:class:`~eligo.constraints.phrases.PhraseFinder`); a comparison
        joined to the threshold before it by "or"/"and"/"," shares its
        analyte ("BMI < 20 or > 35"). The lexicon still codes a phrase it
        names.
        """
        s, e = criterion["start"], criterion["end"]
        spans = sorted((c["start"], c["end"], c) for c in made)
        out: list[dict[str, Any]] = []
        prev: dict[str, Any] | None = None  # the threshold before, for chains
        floor = s  # phrases never reach back past the previous value
        for comp in comparisons:
            owner = next(
                (c for cs, ce, c in spans if cs < comp.end and comp.start < ce), None
            )
            if owner is not None:
                prev, floor = owner, max(floor, owner["end"])
                continue
            if comp.kind == "normal" or comp.unit in self.skip_units:
                prev, floor = None, max(floor, comp.end)
                continue
            if comp.kind == "range" and self.scale_after.match(view, comp.end, e):
                floor = max(floor, comp.end)
                continue  # "a 0-10 scale" defines the scale
            con: dict[str, Any] | None = None
            if prev is not None and self._chained(view, prev["end"], comp.start):
                con = self._shared(view, criterion, prev, comp)
            else:
                later = (c.start for c in comparisons if c.start > comp.end)
                nxt = min(e, next(later, e))
                # ">= 5 on the pain NRS": the instrument a value is read on.
                phrase = self.phrases.instrument(view, comp.end, nxt)
                other = None
                if phrase is None:
                    phrase = self.phrases.before(view, floor, comp.start)
                    if phrase is None:
                        phrase = self.phrases.after(view, comp.end, nxt)
                    else:
                        other = self._coordinated(view, floor, phrase)
                if other is not None:
                    out.append(self._open_constraint(view, criterion, other, comp))
                if phrase is not None:
                    con = self._open_constraint(view, criterion, phrase, comp)
            floor = max(floor, comp.end)
            prev = con
            if con is not None:
                out.append(con)
        return out

    def _open_constraint(
        self,
        view: str,
        criterion: dict[str, Any],
        phrase: Phrase,
        comp: Comparison,
    ) -> dict[str, Any]:
        known = self.lexicon.find(view, phrase.start, phrase.end)
        if known:
            a = known[-1]
            con = self._constraint(view, criterion, a, a, comp)
            con["start"] = min(con["start"], phrase.start)
            con["end"] = max(con["end"], phrase.end)
            con["analyte"].update(text=phrase.text, start=phrase.start, end=phrase.end)
            return con
        kind = "score" if self.score_words.search(phrase.text) else "measurement"
        unit, end = self._unit_tail(view, comp, criterion["end"], comp.end)
        rate = (
            self.count_rate.match(view, comp.end, criterion["end"])
            if unit is None
            else None
        )
        if rate is not None and not any(
            w.lower() in self.phrases.after_stops for w in rate.group("what").split()
        ):
            # "> 5 cigarettes per day": a count per time, in UCUM annotation form.
            what = "_".join(rate.group("what").lower().split())
            unit = f"{{{what}}}/{self.rate_units[rate.group('per').lower()]}"
            end = rate.end()
        elif unit is None and comp.relative_to is None and kind != "score":
            # "between 30 and 80 letters", "more than 2 cores": what is counted
            # (the analyte itself or not), in UCUM annotation form.
            counted = self.phrases.after(view, comp.end, criterion["end"])
            if (
                counted is not None
                and counted.start - comp.end <= 1
                and _COUNTED.fullmatch(counted.text)
                and counted.text.split()[0].lower() not in self.multipliers
                and not any(w.lower() in self.rate_units for w in counted.text.split())
                and view[counted.end : counted.end + 1] not in ("/", "^", "*")
            ):
                unit = "{" + "_".join(counted.text.lower().split()) + "}"
                end = max(end, counted.end)
        relative: str | None = comp.relative_to
        if relative is None:
            gap = view[phrase.end : comp.end]
            relative = next((n for n, cue in self.cues if cue.search(gap)), None)
        return {
            "type": kind,
            "start": min(phrase.start, comp.start),
            "end": max(phrase.end, end),
            "low": comp.low,
            "low_inclusive": comp.low_inclusive,
            "high": comp.high,
            "high_inclusive": comp.high_inclusive,
            "unit": unit,
            "relative_to": relative,
            "analyte": {
                "text": phrase.text,
                "start": phrase.start,
                "end": phrase.end,
                "code": None,
                "id": None,
            },
        }

    def _shared(
        self,
        view: str,
        criterion: dict[str, Any],
        prev: dict[str, Any],
        comp: Comparison,
    ) -> dict[str, Any]:
        """A second value of the threshold before it ("BMI < 20 or > 35")."""
        a = prev["analyte"]
        phrase = Phrase(a["start"], a["end"], a["text"])
        analyte_id = a.get("id")
        if analyte_id is not None:
            match = AnalyteMatch(a["start"], a["end"], analyte_id, a["text"])
            con = self._constraint(view, criterion, match, match, comp)
        else:
            con = self._open_constraint(view, criterion, phrase, comp)
        con["start"] = comp.start  # the value alone: the analyte is the other's
        return con

    def _unit_tail(
        self, view: str, comp: Comparison, stop: int, end: int
    ) -> tuple[str | None, int]:
        """The unit of a comparison, or a count per time the unit reader
        leaves after a bare value (">2/day": ``/d``). Returns the unit and
        where the constraint ends."""
        unit = comp.unit
        if comp.relative_to is not None:
            # "< 3 x ULN": bounds in multiples of the limit, a UCUM annotation.
            return unit or f"{{{comp.relative_to}}}", end
        if comp.kind == "normal":
            return unit, end
        if unit is None:
            m = self.per_time.match(view, comp.end, stop)
            if m is not None:
                return f"/{self.rate_units[m.group('per').lower()]}", max(end, m.end())
        return unit, end

    def _chained(self, view: str, end: int, start: int) -> bool:
        """Whether a comparison at ``start`` is another value of the threshold
        ending at ``end``: only a joiner between ("BMI < 20 or > 35"), after
        at most a bracketed restatement of the first value ("> 38 °C (100.4
        °F) or < 36 °C"), or the group the first value is for ("<26 kg in
        men; <18 kg in women")."""
        if self.chain.fullmatch(view, end, start):
            return True
        # "> 38 °C (100.4 °F) or < 36 °C", "> 38 degrees Celsius (C) or < 36":
        # the first value restated in brackets, then the joiner.
        aside = self.aside.match(view, end, start)
        if aside is not None and self.chain.fullmatch(view, aside.end(), start):
            return True
        return (
            start - end <= self.rules.max_gap_chars
            and self.group_gap.fullmatch(view, end, start) is not None
            and self.group.search(view, end, start) is not None
        )

    def _joined(self, view: str, a: AnalyteMatch, b: AnalyteMatch) -> bool:
        """Whether analyte ``a`` and the next one, ``b``, are a coordination
        that shares the comparison after ``b``: "ALT and AST < 3 x ULN",
        "PPO FEV1 and PPO DLCO > 35%" (a modifier both repeat)."""
        if self.joiner.match(view[a.end : b.start]):
            return True
        m = self.joined_modifier.fullmatch(view, a.end, b.start)
        if m is None:
            return False
        before = view[max(0, a.start - 40) : a.start].rstrip(" ()").lower()
        mod = m.group("mod").lower()
        return before.endswith(mod) and not before[: -len(mod)][-1:].isalnum()

    def _coordinated(self, view: str, floor: int, phrase: Phrase) -> Phrase | None:
        """The phrase joined to ``phrase`` before it that shares its
        comparison, when the two are parallel: "plaque score (PS) and
        bleeding score (BS) <= 10%" (both abbreviated, or one head word)."""
        m = self.coord_tail.search(view, max(floor, phrase.start - 12), phrase.start)
        if m is None:
            return None
        other = self.phrases.before(view, floor, m.start())
        if other is None:
            return None
        a, b = other.text.split(), phrase.text.split()
        if a[-1].endswith(")") and b[-1].endswith(")"):
            return other
        if a[-1].isalpha() and a[-1].lower() == b[-1].lower() and len(a) > 1:
            return other
        if len(a) == len(b) == 1 and abbreviation(a[0]) and abbreviation(b[0]):
            return other
        return None

    def _merge_expansions(
        self, view: str, analytes: list[AnalyteMatch]
    ) -> list[AnalyteMatch]:
        """One mention for a name and its abbreviation in brackets after it
        ("diffusion capacity of carbon monoxide (DLCO)"), when the lexicon
        found both parts of the same analyte."""
        out: list[AnalyteMatch] = []
        for b in analytes:
            a = out[-1] if out else None
            if (
                a is not None
                and a.analyte_id == b.analyte_id
                and self.expansion_gap.fullmatch(view, a.end, b.start)
                and view[b.end : b.end + 1] == ")"
            ):
                out[-1] = AnalyteMatch(
                    a.start, b.end + 1, a.analyte_id, view[a.start : b.end + 1]
                )
                continue
            out.append(b)
        return out

    def _pressure_pair(
        self, view: str, criterion: dict[str, Any], a: AnalyteMatch, limit: int
    ) -> list[dict[str, Any]]:
        """ "BP > 160/100 mmHg" as systolic > 160 and diastolic > 100 (see
        ``pressure_pairs`` in ``rules/measurements.json``). Each value is read
        with the pair's comparator and unit from a same-length copy of the
        view with the other value blanked, so offsets hold. The two join by
        OR or AND through the text between their spans (``eligo_logic``):
        the slash for OR, nothing for AND."""
        rule = self.pairs.get(a.analyte_id)
        if rule is None:
            return []
        m = _PAIR.search(view, a.end, limit)
        if m is None or not self._gap_ok(view[a.end : m.start()]):
            return []
        # Each value alone, the other blanked; up to ``limit`` (nothing after
        # it is read).
        first_view = _blank(view, m.end(1), m.end(), limit)
        second_view = _blank(view, m.start(), m.start(2), limit)
        unit = self.lexicon.get(rule.first).ucum
        found = []
        for masked, group in ((first_view, 1), (second_view, 2)):
            comp = next(
                (
                    c
                    for c in find_comparisons(masked, a.end, limit, cache=False)
                    if c.start <= m.start(group) < c.end and c.kind == "bound"
                ),
                None,
            )
            if comp is None or comp.unit not in (None, unit):
                return []
            found.append(comp)
        first, second = found
        if (first.low is None) != (second.low is None):
            return []
        normal = rule.normal[0]
        value = first.low if first.low is not None else first.high
        assert value is not None
        away = value > normal if first.low is not None else value < normal
        out = []
        for analyte_id, comp in ((rule.first, first), (rule.second, second)):
            match = AnalyteMatch(a.start, a.end, analyte_id, a.text)
            out.append(self._constraint(view, criterion, match, match, comp))
        # The first value ends at its number (OR: the slash lies between the
        # two) or after the slash (AND: nothing between); the second starts
        # at its number.
        out[0]["end"] = m.end(1) if away else m.start(2)
        out[1]["start"] = m.start(2)
        return out

    def _gap_ok(self, gap: str) -> bool:
        return len(gap) <= self.rules.max_gap_chars and not any(
            stop in gap for stop in self.rules.gap_stops
        )

    def _value_after(
        self,
        view: str,
        a: AnalyteMatch,
        limit: int,
        comparisons: list[Comparison],
    ) -> Comparison | _Ordinal | None:
        analyte = self.lexicon.get(a.analyte_id)
        timed = dimension(analyte.ucum) == "time"
        numeric = next(
            (
                c
                for c in comparisons
                if a.end <= c.start < limit
                and self._gap_ok(view[a.end : c.start])
                and (timed or c.unit is None or dimension(c.unit) != "time")
            ),
            None,
        )
        if analyte.kind != "score":
            return numeric
        # Scores also take labels ("class A", "grade II") and bare lists of
        # levels ("ECOG 0 or 1"); the value written first wins.
        ordinal = self._ordinal(view, a, limit, analyte.ordinal or {})
        if ordinal is None or (numeric is not None and numeric.start <= ordinal.start):
            return numeric
        return ordinal

    def _ordinal(
        self, view: str, a: AnalyteMatch, limit: int, table: dict[str, int]
    ) -> _Ordinal | None:
        region_end = min(limit, a.end + self.rules.max_gap_chars)
        for m in self.ordinal.finditer(view, a.end, region_end):
            if not self._gap_ok(view[a.end : m.start()]):
                return None
            labels = [x for x in (m.group("a"), m.group("b")) if x]
            if not labels:
                continue
            ranks = [self._rank(x, table) for x in labels]
            if any(r is None for r in ranks):
                continue
            vals = [float(r) for r in ranks if r is not None]
            low: float | None = min(vals)
            high: float | None = max(vals)
            low_inc: bool | None = True
            high_inc: bool | None = True
            inclusive = bool(m.group("inc"))
            cmp = (m.group("pre") or m.group("post") or "").lower()
            cmp = _SPACES.sub(" ", cmp)
            if cmp in self.lower:
                high, high_inc = None, None
                low_inc = self.lower[cmp] or inclusive
            elif cmp in self.upper:
                low, low_inc = None, None
                high_inc = self.upper[cmp] or inclusive
            return _Ordinal(
                m.start(), m.end(), low, low_inc, high, high_inc, "-".join(labels)
            )
        return None

    @staticmethod
    def _rank(label: str, table: dict[str, int]) -> int | None:
        if label in table:
            return table[label]
        if label.isdigit():
            return int(label)  # a level written as a number ("ECOG 0 or 1")
        upper = label.upper()
        if upper in table:
            return table[upper]
        if upper in _ROMAN and str(_ROMAN[upper]) in table:
            return table[str(_ROMAN[upper])]
        return None

    def _constraint(
        self,
        view: str,
        criterion: dict[str, Any],
        a: AnalyteMatch,
        anchor_analyte: AnalyteMatch,
        found: "Comparison | _Ordinal",
    ) -> dict[str, Any]:
        analyte = self.lexicon.get(a.analyte_id)
        start = min(anchor_analyte.start, a.start, found.start)
        end = max(anchor_analyte.end, found.end)
        out: dict[str, Any] = {
            "type": "score" if analyte.kind == "score" else "measurement",
            "start": start,
            "end": end,
            "low": found.low,
            "low_inclusive": found.low_inclusive,
            "high": found.high,
            "high_inclusive": found.high_inclusive,
            "analyte": {
                "text": a.text,
                "start": a.start,
                "end": a.end,
                "code": analyte.loinc,
                "id": a.analyte_id,
            },
        }
        if isinstance(found, _Ordinal):
            out["value"] = found.value
            out["unit"] = None  # low/high are the labels' ranks
            return out
        unit, out["end"] = self._unit_tail(view, found, criterion["end"], end)
        relative: str | None = found.relative_to
        gap = view[a.end : found.end]
        for name, cue in self.cues:
            if relative is None and cue.search(gap):
                relative = name
        if found.kind == "normal":
            relative = "normal"
        out["unit"] = unit
        out["relative_to"] = relative
        if relative is None:
            canonical = self._canonical(a.analyte_id, found, unit)
            if canonical is not None:
                out["canonical"] = canonical
        return out

    def _canonical(
        self, analyte_id: str, c: Comparison, unit: str | None
    ) -> dict[str, Any] | None:
        target = self.lexicon.canonical_unit(analyte_id)
        if unit is None:
            if target not in ("1", "{score}"):
                return None  # a bare number: the unit is not ours to guess
            unit = target
        low = (
            self.lexicon.convert(analyte_id, c.low, unit) if c.low is not None else None
        )
        high = (
            self.lexicon.convert(analyte_id, c.high, unit)
            if c.high is not None
            else None
        )
        if (c.low is not None and low is None) or (c.high is not None and high is None):
            return None
        return {"low": _round(low), "high": _round(high), "unit": target}


def _blank(view: str, start: int, end: int, limit: int) -> str:
    """``view[:limit]`` with ``view[start:end]`` blanked: offsets hold."""
    return view[:start] + " " * (end - start) + view[end:limit]


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.6g}")


@Language.factory("eligo_measurements", assigns=["doc.spans"], requires=["doc.spans"])
def make_measurement_component(nlp: Language, name: str) -> MeasurementComponent:
    """Factory of :class:`MeasurementComponent`."""
    return MeasurementComponent(name)
