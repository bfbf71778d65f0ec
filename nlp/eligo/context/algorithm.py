"""The ConText algorithm over character spans (Harkema et al. 2009).

Harkema H, Dowling JN, Thornblade T, Chapman WW. "ConText: an algorithm for
determining negation, experiencer, and temporal status from clinical reports."
J Biomed Inform 42(5):839-851, 2009. It extends NegEx (Chapman et al. 2001).

Cues (``rules/context_rules.json``, medSpaCy's rule format) are found in one
pass over a criterion (one regex of their first tokens, then the cues of each
token, longest first), so a pseudo-cue ("not more than", "gram-negative") hides
the shorter cue inside it; a cue word inside a hyphenated compound
("do-not-resuscitate") is no cue; engines built from one rule file share
that pass (:class:`CueScanner`). A cue's scope runs forward (or backward)
from the cue to the first of: the end of the criterion, a sentence end
(``.``/``;``/``!``/``?`` before a new sentence), an unmatched parenthesis (a
backward scope also stops after a ``)`` closing a group opened before it), a
``TERMINATE`` cue ("but", "however"), a cue whose category the rule lists in
``terminated_by`` ("except", "other than" end a negation), or ``max_scope``
words. A target (an entity or constraint span) is modified when it starts
inside a forward scope or ends inside a backward one. A target may begin inside
the cue ("no [signs of infection]"), but a target that holds the whole cue
("[non-smoker]", "[lack of transportation]") is a concept of its own. A cue
modifies the nearest target in its scope and the targets coordinated with it
("no A, B or C"); a dependent word between two targets ("allergy to X",
"surgery requiring Y") ends the chain, and so does, going backward, a closing
parenthesis ("(A, B) C allowed"). Of several cues, negation wins, then family,
hypothetical, historical; within a category the nearest cue is the trigger. A
cue in a lead-in that ends with a colon ("No history of the following:")
reaches every sub-item below it, and an open cue in a criterion's heading
reaches the whole criterion. A rule marked ``opening`` counts only where its
cue opens the criterion, or an item or sentence inside it (a capitalised cue:
"... within 5 years No prior ...", where a registry's items ran together), and
modifies every target in its scope ("No diabetes with [fasting glucose above
200 mg/dL]"), not only the nearest and those coordinated with it.

Polarity of the section (inclusion/exclusion) is not a cue: "No history of
stroke" in an exclusion criterion is a negated stroke in an exclusion criterion.
"""

from __future__ import annotations

import importlib
import re
import sys
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..normalise.numbers import trie_pattern
from .rules import ContextRule

_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9(\[])|;|\n\s*\n")
_WORD = re.compile(r"[\w/'-]+|[^\w\s]")
_PAREN = re.compile(r"[()]")
#: What may come before a cue that opens a criterion (bullets, punctuation).
_OPENING = re.compile(r"[\W_]*")
_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]", re.IGNORECASE)
#: Priority of assertions when several cues modify one target.
_PRIORITY = ("negated", "family", "hypothetical", "historical")
#: The regex parser of the ``re`` module (``sre_parse`` before Python 3.11).
_RE_PARSER: Any = importlib.import_module(
    "re._parser" if sys.version_info >= (3, 11) else "sre_parse"
)
#: Upper-case ASCII letters to lower case, and the four other characters
#: that ``re.IGNORECASE`` matches to an ASCII character ("İ", "ı", "ſ" and
#: the Kelvin sign); one character for one, so offsets are kept.
_ASCII_FOLD = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)} | {
    0x130: ord("i"),
    0x131: ord("i"),
    0x17F: ord("s"),
    0x212A: ord("k"),
}


@dataclass(frozen=True, slots=True)
class Cue:
    """A matched cue: its rule and character offsets."""

    rule: ContextRule
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Modifier:
    """A modifying cue with its scope ``[scope_start, scope_end)``."""

    cue: Cue
    scope_start: int
    scope_end: int

    def modifies(self, start: int, end: int, *, tail: bool = False) -> bool:
        """Whether the target span ``[start, end)`` falls in this cue's scope
        (``tail``: also when it ends the cue, "no [prior]")."""
        cue = self.cue
        direction = cue.rule.direction
        if direction in ("FORWARD", "BIDIRECTIONAL") and (
            cue.start < start < self.scope_end
            and (end > cue.end or (tail and end == cue.end))
        ):
            return True
        return direction in ("BACKWARD", "BIDIRECTIONAL") and (
            self.scope_start < end < cue.end and start < cue.start
        )

    def distance(self, start: int, end: int) -> int:
        """Characters between the cue and the target."""
        return max(start - self.cue.end, self.cue.start - end, 0)


@dataclass(frozen=True, slots=True)
class Assertion:
    """The result for one target."""

    assertion: str
    trigger: Cue | None

    @property
    def negated(self) -> bool:
        return self.assertion == "negated"


PRESENT = Assertion("present", None)


def _literal_regex(literal: str) -> str:
    """A cue literal as a regex: whole words, not inside a hyphenated compound
    ("do-not-resuscitate", "no-reflow" hold no cue; "-negative", "non-" are
    cues written with their hyphen)."""
    body = r"\s+".join(re.escape(part) for part in literal.lower().split())
    head = r"(?<![\w])(?<!\w-)" if literal[0].isalnum() else ""
    tail = r"(?![\w])(?!-\w)" if literal[-1].isalnum() else ""
    return head + body + tail


def _first_token(literal: str) -> str:
    m = _TOKEN.search(literal.lower())
    return m.group() if m else ""


class ConTextEngine:
    """Compiled ConText rules; :meth:`assert_targets` runs the algorithm.

    Args:
        rules: The cues.
        dependent_words: Words that, between two targets, end a cue's chain.
        ignored_types: Target labels never modified.
        tail_types: Target labels a forward cue also modifies when the target
            is the end of the cue ("no [prior] chemotherapy", "negative
            [pregnancy] test": a word the cue was written with).
    """

    def __init__(
        self,
        rules: Sequence[ContextRule],
        *,
        dependent_words: Iterable[str] = (),
        ignored_types: Iterable[str] = (),
        tail_types: Iterable[str] = (),
    ) -> None:
        groups: dict[str, list[ContextRule]] = {}
        lengths: dict[str, int] = {}
        for rule in rules:
            source = rule.pattern or _literal_regex(rule.literal)
            groups.setdefault(source, []).append(rule)
            lengths[source] = max(lengths.get(source, 0), len(rule.literal))
        by_token: dict[str, list[tuple[str, list[ContextRule]]]] = {}
        #: The pattern cues, longest literal first: (regex source, rules).
        self._patterns: list[tuple[str, list[ContextRule]]] = []
        for source in sorted(groups, key=lambda src: -lengths[src]):
            entry = (source, groups[source])
            if groups[source][0].pattern is not None:
                self._patterns.append(entry)
            else:
                key = _first_token(groups[source][0].literal)
                by_token.setdefault(key, []).append(entry)
        #: The literal cues by first token: one alternation of their regexes,
        #: longest first, and the rules of each branch. A branch is a literal
        #: and matches at least one character, so the branch that matches is
        #: the first of them that matches on its own.
        self._by_token: dict[str, tuple[re.Pattern[str], list[list[ContextRule]]]]
        self._by_token = {
            key: (
                re.compile("|".join(f"({src})" for src, _ in entries), re.IGNORECASE),
                [cue_rules for _, cue_rules in entries],
            )
            for key, entries in by_token.items()
        }
        self._scanner = CueScanner([self])
        words = sorted({w.lower() for w in dependent_words}, key=len, reverse=True)
        self._dependent = (
            re.compile(
                r"(?<![\w-])(?:"
                + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
                + r")(?![\w-])",
                re.IGNORECASE,
            )
            if words
            else None
        )
        self._ignored = frozenset(ignored_types)
        self._tail = frozenset(tail_types)
        self._last_heading: tuple[str, tuple[int, int], list[Modifier]] | None = None

    def cues(
        self, text: str, start: int, end: int, scan: CueScan | None = None
    ) -> list[Cue]:
        """Every cue in ``text[start:end]`` (offsets into ``text``).

        Candidate cue starts are found with one regex of every cue's first
        token, then the cues of that token are tried, longest first
        (patterns are searched directly); where matches overlap, the one that
        starts first wins, then the longest.

        Args:
            scan: The span's :meth:`CueScanner.scan` by a scanner built with
                this engine (shared with other engines); by default the engine
                scans the span itself.

        Raises:
            ValueError: ``scan`` is another span's, or its scanner was not
                built with this engine.
        """
        if scan is None:
            scan = self._scanner.scan(text, start, end)
        elif not scan.covers(self, text, start, end):
            raise ValueError("the scan is not of this span or not for this engine")
        found: list[tuple[int, int, list[ContextRule]]] = []
        by_token = self._by_token
        for pos, key in scan.tokens:
            entry = by_token.get(key)
            if entry is None:
                continue
            m = entry[0].match(text, pos, end)
            if m is not None:
                branch = m.lastindex
                assert branch is not None
                found.append((pos, m.end(), entry[1][branch - 1]))
        matches = scan.patterns
        if matches:
            for source, rules in self._patterns:
                spans = matches.get(source)
                if spans:
                    found.extend((s, e, rules) for s, e in spans)
        found.sort(key=lambda f: (f[0], f[0] - f[1]))
        out: list[Cue] = []
        last = -1
        for s, e, rules in found:
            if s < last:
                continue
            last = e
            out.extend(Cue(rule, s, e) for rule in rules)
        return out

    def modifiers(
        self,
        text: str,
        start: int,
        end: int,
        *,
        open_end: int | None = None,
        scan: CueScan | None = None,
    ) -> list[Modifier]:
        """The modifying cues of ``text[start:end]`` with their scopes.

        Args:
            text: The text (a doc's reading view).
            start: Start of the criterion (or heading).
            end: Its end.
            open_end: Where a lead-in ending with a colon stops: cues before it
                reach past sentence ends to ``end``.
            scan: The span's shared scan, as for :meth:`cues`.

        Returns:
            The modifiers, in text order.
        """
        cues = self.cues(text, start, end, scan)
        if not cues:
            return []
        bounds = [m.end() for m in _SENTENCE_END.finditer(text, start, end)]
        stops = _Stops(cues)
        parens = _Parens(text, start, end)
        out = []
        for cue in cues:
            rule = cue.rule
            if rule.assertion is None:
                continue
            if rule.opening and not _opens(text, start, cue.start):
                continue
            keys = _Stops.keys(rule)
            lead_in = open_end is not None and cue.end <= open_end
            s, e = start, end
            if rule.direction in ("FORWARD", "BIDIRECTIONAL"):
                if not lead_in:
                    k = bisect_right(bounds, cue.end)
                    if k < len(bounds):
                        e = min(e, bounds[k])
                e = min(e, stops.first_start(keys, cue.end, e))
                e = min(e, _word_limit(text, cue.end, e, rule.max_scope))
                e = parens.forward_end(cue.end, e)
            if rule.direction in ("BACKWARD", "BIDIRECTIONAL"):
                k = bisect_right(bounds, cue.start)
                s = max(start, bounds[k - 1]) if k else start
                s = max(s, stops.last_end(keys, cue.start))
                s = _backward_paren_start(text, s, cue.start)
                s = max(s, _word_start(text, s, cue.start, rule.max_scope))
            out.append(Modifier(cue, s, e))
        return out

    def assert_targets(
        self,
        text: str,
        start: int,
        end: int,
        targets: Sequence[tuple[int, int, str]],
        *,
        open_end: int | None = None,
        heading: tuple[int, int] | None = None,
        scan: CueScan | None = None,
    ) -> list[Assertion]:
        """The assertion of each target ``(start, end, label)`` in a criterion.

        Args:
            text: The doc's reading view.
            start: Criterion start.
            end: Criterion end.
            targets: Target spans with their type (entity label or constraint
                type).
            open_end: End of a colon lead-in above sub-items, if any.
            heading: The criterion's heading span, whose open cues apply to the
                whole criterion.
            scan: The criterion's shared scan, as for :meth:`cues` (the
                heading is scanned on its own).

        Returns:
            One :class:`Assertion` per target, in order.
        """
        mods = self.modifiers(text, start, end, open_end=open_end, scan=scan)
        inherited: list[Modifier] = []
        if heading is not None:
            h_end = heading[1]
            while h_end > heading[0] and text[h_end - 1] in " :\t\n":
                h_end -= 1
            for mod in self._heading_modifiers(text, heading):
                if mod.cue.rule.direction != "BACKWARD" and mod.scope_end >= h_end:
                    inherited.append(mod)
        if not mods and not inherited:
            return [PRESENT] * len(targets)
        best: list[dict[str, tuple[int, Cue]]] = [{} for _ in targets]
        gaps: dict[tuple[int, int], bool] = {}
        index = _TargetIndex(targets) if len(targets) > _TargetIndex.FROM else None
        for mod in mods:
            for i in self._modified(text, mod, targets, gaps, index):
                t_start, t_end, _ = targets[i]
                _offer(best[i], mod, mod.distance(t_start, t_end))
        for mod in inherited:
            for i, (_, _, label) in enumerate(targets):
                if label not in self._ignored and mod.cue.rule.applies_to(label):
                    _offer(best[i], mod, 10**9)
        out = []
        for found in best:
            chosen = PRESENT
            for assertion in _PRIORITY:
                if assertion in found:
                    chosen = Assertion(assertion, found[assertion][1])
                    break
            out.append(chosen)
        return out

    def _heading_modifiers(self, text: str, heading: tuple[int, int]) -> list[Modifier]:
        """:meth:`modifiers` of a heading, remembered for the next criterion.

        The criteria under one heading come one after another, and each would
        otherwise scan the heading again (a fifth of all scans on registry
        text).
        """
        last = self._last_heading
        if last is not None and last[0] is text and last[1] == heading:
            return last[2]
        mods = self.modifiers(text, heading[0], heading[1])
        self._last_heading = (text, heading, mods)
        return mods

    def _modified(
        self,
        text: str,
        mod: Modifier,
        targets: Sequence[tuple[int, int, str]],
        gaps: dict[tuple[int, int], bool],
        index: _TargetIndex | None = None,
    ) -> list[int]:
        """Indices of the targets a cue modifies: the nearest one in scope and
        those coordinated with it (no dependent word in between).

        ``gaps`` remembers, for the criterion, whether the text between two
        targets holds a dependent word: every cue of the criterion asks about
        the same neighbouring targets.
        """
        rule = mod.cue.rule
        candidates: Iterable[int] = (
            range(len(targets)) if index is None else index.near(mod)
        )
        inside = [
            i
            for i in candidates
            if targets[i][2] not in self._ignored
            and rule.applies_to(targets[i][2])
            and mod.modifies(
                targets[i][0], targets[i][1], tail=targets[i][2] in self._tail
            )
        ]
        if len(inside) < 2 or self._dependent is None or rule.opening:
            return inside
        backward = targets[inside[0]][1] <= mod.cue.start
        inside.sort(key=lambda i: -targets[i][1] if backward else targets[i][0])
        chain = [inside[0]]
        for i in inside[1:]:
            prev = targets[chain[-1]]
            cur = targets[i]
            gap_s, gap_e = (cur[1], prev[0]) if backward else (prev[1], cur[0])
            if gap_e > gap_s:
                dependent = gaps.get((gap_s, gap_e))
                if dependent is None:
                    found = self._dependent.search(text, gap_s, gap_e) is not None
                    dependent = gaps[(gap_s, gap_e)] = found
                if dependent:
                    break
            if backward and ")" in text[gap_s:gap_e] and "(" not in text[gap_s:gap_e]:
                break  # "(A, B) C allowed": the group belongs to what precedes it
            chain.append(i)
        return chain


@dataclass(frozen=True, slots=True)
class CueScan:
    """What :meth:`CueScanner.scan` found in one span, for any of its engines."""

    scanner: CueScanner
    text: str
    start: int
    end: int
    #: The candidate cue starts: offset and lower-cased first token.
    tokens: list[tuple[int, str]]
    #: The non-empty matches of the pattern cues that have any, by regex
    #: source.
    patterns: dict[str, list[tuple[int, int]]]

    def covers(self, engine: ConTextEngine, text: str, start: int, end: int) -> bool:
        """Whether this is the scan of ``text[start:end]`` for ``engine``."""
        return (
            text is self.text
            and start == self.start
            and end == self.end
            and engine in self.scanner.engines
        )


class CueScanner:
    """The cue search of several engines in one pass over a span.

    Engines built from one rule file look for many of the same cues in the
    same criterion. The scanner finds, once, every candidate cue start (one
    regex of the first tokens of all their literal cues) and every match of
    their pattern cues; :meth:`ConTextEngine.cues` with the scan then keeps
    the starts of its own first tokens and the matches of its own patterns,
    and gives what its own search would have given.

    Args:
        engines: The engines whose :meth:`ConTextEngine.cues` may be given
            this scanner's scans.
    """

    def __init__(self, engines: Sequence[ConTextEngine]) -> None:
        self.engines: weakref.WeakSet[ConTextEngine] = weakref.WeakSet(engines)
        keys = sorted({k for e in engines for k in e._by_token})
        alnum = [k for k in keys if k[:1].isalnum()]
        other = [k for k in keys if k and not k[:1].isalnum()]
        starts = []
        if alnum:
            starts.append(rf"(?<![a-z0-9])(?:{trie_pattern(alnum)})(?![a-z0-9])")
        if other:
            starts.append("[" + "".join(re.escape(k) for k in other) + "]")
        self._starts = re.compile("|".join(starts) or r"(?!)", re.IGNORECASE)
        sources = dict.fromkeys(src for e in engines for src, _ in e._patterns)
        self._patterns = [
            (src, re.compile(src, re.IGNORECASE), _required_strings(src))
            for src in sources
        ]
        self._folded: tuple[str, str] | None = None

    def scan(self, text: str, start: int, end: int) -> CueScan:
        r"""The candidate cue starts and pattern matches of ``text[start:end]``.

        A pattern that every match of holds one of a few strings
        (:func:`_required_strings`: "non" in ``(?<![\w-])non(?=\s+[a-z])``)
        is searched only where one of them is in the span: most patterns
        begin with a look-behind, which ``re`` tries at every position.
        """
        tokens = [
            (m.start(), m.group().lower())
            for m in self._starts.finditer(text, start, end)
        ]
        patterns: dict[str, list[tuple[int, int]]] = {}
        folded: str | None = None
        for source, compiled, required in self._patterns:
            if required is not None:
                if folded is None:
                    folded = self._fold(text)
                for string in required:
                    if folded.find(string, start, end) >= 0:
                        break
                else:
                    continue
            spans = [
                (m.start(), m.end())
                for m in compiled.finditer(text, start, end)
                if m.end() > m.start()
            ]
            if spans:
                patterns[source] = spans
        return CueScan(self, text, start, end, tokens, patterns)

    def _fold(self, text: str) -> str:
        """``text`` with every character ``re.IGNORECASE`` matches to an ASCII
        letter lower-cased (the last text's, kept: the criteria of a doc come
        one after another)."""
        last = self._folded
        if last is not None and last[0] is text:
            return last[1]
        folded = text.lower() if text.isascii() else text.translate(_ASCII_FOLD)
        self._folded = (text, folded)
        return folded


def _required_strings(source: str) -> frozenset[str] | None:
    """Lower-case ASCII strings one of which is inside every match of the
    regex ``source`` (compiled with ``re.IGNORECASE``), if any are known.

    From the parsed regex: a run of literal characters, or what a group, a
    repeat of at least one, or every branch of an alternation requires; look-
    arounds and character classes require nothing. Of several, the one whose
    shortest string is longest, then the fewest strings.
    """
    try:
        parsed = _RE_PARSER.parse(source, re.IGNORECASE)
    except (re.error, RecursionError):
        return None
    return _required_in(parsed)


def _required_in(items: Any) -> frozenset[str] | None:
    best: frozenset[str] | None = None

    def better(found: frozenset[str] | None) -> None:
        nonlocal best
        if found is None or not found or "" in found:
            return
        if best is None or (min(map(len, found)), -len(found)) > (
            min(map(len, best)),
            -len(best),
        ):
            best = found

    run: list[str] = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL" and av < 128:
            run.append(chr(av).lower())
            continue
        if run:
            better(frozenset(["".join(run)]))
            run = []
        if name == "SUBPATTERN":
            better(_required_in(av[3]))
        elif name == "ATOMIC_GROUP":
            better(_required_in(av))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            better(_required_in(av[2]))
        elif name == "BRANCH":
            branches = [_required_in(b) for b in av[1]]
            if all(b is not None for b in branches):
                better(frozenset().union(*(b for b in branches if b is not None)))
    if run:
        better(frozenset(["".join(run)]))
    return best


class _TargetIndex:
    """A criterion's targets by start and by end, for the targets near a cue.

    A cue modifies a target that starts inside its forward scope or ends
    inside its backward one; with many targets (a long criterion), testing
    each against every cue was quadratic.
    """

    FROM = 32  # targets below which a plain scan is cheaper

    def __init__(self, targets: Sequence[tuple[int, int, str]]) -> None:
        by_start = sorted(range(len(targets)), key=lambda i: targets[i][0])
        by_end = sorted(range(len(targets)), key=lambda i: targets[i][1])
        self.by_start = by_start
        self.starts = [targets[i][0] for i in by_start]
        self.by_end = by_end
        self.ends = [targets[i][1] for i in by_end]

    def near(self, mod: Modifier) -> list[int]:
        """Target indices, in order, that may fall in ``mod``'s scope: a
        superset of those :meth:`Modifier.modifies` accepts."""
        cue = mod.cue
        found: set[int] = set()
        lo = bisect_right(self.starts, cue.start)
        hi = bisect_left(self.starts, mod.scope_end)
        found.update(self.by_start[lo:hi])
        lo = bisect_right(self.ends, mod.scope_start)
        hi = bisect_left(self.ends, cue.end)
        found.update(self.by_end[lo:hi])
        return sorted(found)


def _offer(found: dict[str, tuple[int, Cue]], mod: Modifier, dist: int) -> None:
    assertion = mod.cue.rule.assertion
    assert assertion is not None
    if assertion not in found or dist < found[assertion][0]:
        found[assertion] = (dist, mod.cue)


class _Stops:
    """Where the cues that end scopes are, by what they stop.

    A scope stops at a cue whose direction is TERMINATE, or whose category the
    cue's rule names in ``terminated_by``. Cues are in text order and do not
    overlap, so their starts and ends are sorted: the nearest stop on either
    side is one bisection per key, however many cues the criterion holds.
    """

    TERMINATE = ("direction", "TERMINATE")

    def __init__(self, cues: Sequence[Cue]) -> None:
        self.starts: dict[tuple[str, str], list[int]] = {}
        self.ends: dict[tuple[str, str], list[int]] = {}
        for cue in cues:
            keys = [("category", cue.rule.category)]
            if cue.rule.direction == "TERMINATE":
                keys.append(self.TERMINATE)
            for key in keys:
                self.starts.setdefault(key, []).append(cue.start)
                self.ends.setdefault(key, []).append(cue.end)

    @classmethod
    def keys(cls, rule: ContextRule) -> list[tuple[str, str]]:
        """What stops the scope of a cue of ``rule``."""
        return [cls.TERMINATE, *(("category", c) for c in rule.terminated_by or ())]

    def first_start(
        self, keys: Iterable[tuple[str, str]], at: int, default: int
    ) -> int:
        """The first start at or after ``at`` of a cue of one of ``keys``."""
        best = default
        for key in keys:
            starts = self.starts.get(key)
            if starts:
                k = bisect_left(starts, at)
                if k < len(starts):
                    best = min(best, starts[k])
        return best

    def last_end(self, keys: Iterable[tuple[str, str]], at: int) -> int:
        """The last end at or before ``at`` of a cue of one of ``keys`` (or 0)."""
        best = 0
        for key in keys:
            ends = self.ends.get(key)
            if ends:
                k = bisect_right(ends, at)
                if k:
                    best = max(best, ends[k - 1])
        return best


class _Parens:
    """The brackets of one criterion, for forward scopes in O(log n) each.

    A forward scope from ``at`` ends at the first ``)`` that closes a group
    opened before ``at`` ("(no X) and Y"). With the bracket depth after each
    bracket, that is the next bracket whose depth falls below the depth
    before ``at``: precomputed for every bracket by one stack pass, found by
    bisection (a scan per cue was quadratic in a long bracketed criterion).
    """

    def __init__(self, text: str, start: int, end: int) -> None:
        self.at: list[int] = []
        depth = [0]  # depth[k + 1]: after bracket k; depth[0]: before any
        for m in _PAREN.finditer(text, start, end):
            self.at.append(m.start())
            depth.append(depth[-1] + (1 if m.group() == "(" else -1))
        # lower[k]: the first bracket after position k of ``depth`` (k = 0 is
        # before any) whose depth is below depth[k], or None.
        self.lower: list[int | None] = [None] * len(depth)
        waiting: list[int] = []
        for k, d in enumerate(depth):
            while waiting and d < depth[waiting[-1]]:
                self.lower[waiting.pop()] = k - 1
            waiting.append(k)

    def forward_end(self, at: int, end: int) -> int:
        """Where a forward scope from ``at`` ends at the latest ``end``."""
        k = bisect_left(self.at, at)  # brackets before ``at``: depth[k] is its depth
        closing = self.lower[k]
        if closing is None:
            return end
        pos = self.at[closing]
        return pos if pos < end else end


def _opens(text: str, start: int, at: int) -> bool:
    """Whether a cue at ``at`` opens the criterion (only bullets and
    punctuation before it) or an item or sentence inside it: a capitalised
    cue ("... within 5 years No prior ...", registry text whose items ran
    together)."""
    return text[at].isupper() or _OPENING.fullmatch(text, start, at) is not None


def _word_limit(text: str, start: int, end: int, max_scope: int | None) -> int:
    if max_scope is None:
        return end
    for n, m in enumerate(_WORD.finditer(text, start, end), 1):
        if n == max_scope:
            return m.end()
    return end


def _word_start(text: str, start: int, end: int, max_scope: int | None) -> int:
    if max_scope is None:
        return start
    words = [m.start() for m in _WORD.finditer(text, start, end)]
    return words[-max_scope] if len(words) >= max_scope else start


def _backward_paren_start(text: str, start: int, end: int) -> int:
    """Where a backward scope ending at ``end`` may start: after an unclosed
    ``(`` ("(X allowed") or after a ``)`` that closes a group opened before
    ``start`` ("(A, B) C allowed")."""
    closes: list[int] = []
    for i in range(end - 1, start - 1, -1):
        ch = text[i]
        if ch == ")":
            closes.append(i)
        elif ch == "(":
            if not closes:
                return i + 1
            closes.pop()
    return closes[0] + 1 if closes else start
