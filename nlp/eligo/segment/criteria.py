"""Split each section into criteria: one span per criterion.

A criterion is a bullet or numbered item (``-``, ``*``, ``•``, ``1.``, ``1)``,
``(a)``, ``i.``, and stacked forms such as ``- • 1.``), with its wrapped lines;
or, where a paragraph has no bullets, one sentence (or one unpunctuated line)
of it. Decisions, so that every caller can rely on them:

- Nested sub-items stay with their parent: the parent's span covers them and
  ``items`` lists each sub-item's span. A bullet is a sub-item when it is
  indented deeper than the open item, or when it changes bullet style right
  after an item that ends with a colon ("any of the following:").
- Flattened lists, where bullets run inline on one line ("- 1. A - 2. B",
  "* A. * B", "• A • B"), are split at the inline markers. Numbered markers
  split only in sequence (``2.`` after ``1.``), and a bare ``-`` only when a
  line holds at least two of them before capitals, so hyphens inside terms
  ("acute-on-chronic", "18-80") never split.
- A line of its own that ends with a colon ("Hepatic:", "Excluded:",
  "Patients must have:") is a heading, not a criterion. The criteria below it
  carry it as ``heading``; a lead-in rule in ``rules/sections.json`` may give
  them a section ("Excluded:" -> exclusion) until the next heading.
- Empty bullets ("\\-") yield nothing. Spans never include the bullet marker or
  surrounding whitespace.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.extensions import doc_view
from ..pipeline.resources import load_rule_object, load_rules
from ..pipeline.rulecomponent import RuleDataComponent
from ..pipeline.spans import CRITERIA, SECTIONS, add_criterion, fields
from .sections import RULES_FILE as SECTION_RULES_FILE
from .sections import SectionBlock, SectionName, SectionRule, SectionRules

SEGMENTATION_FILE = "segmentation.json"

_ATOM = (
    r"(?:[-*•·▪◦●○■□➢►‣⁃–—+](?=\s|$)"  # symbol bullets
    r"|\(?\d{1,3}[.)](?=\s|$)"  # 1.  1)  (1)
    r"|\(\d{1,3}\)"
    r"|\(?[a-zA-Z][.)](?=\s)"  # a.  a)  (a)
    r"|\([a-zA-Z]\)"
    r"|\(?(?:i{1,3}|iv|v|vi{1,3}|ix|x|I{1,3}|IV|V|VI{1,3}|IX|X)[.)](?=\s)"
    r"|\((?:i{1,3}|iv|v|vi{1,3}|ix|x)\))"
)
_MARKER = re.compile(rf"(?:{_ATOM}[ \t]*)+")
_ATOM_RE = re.compile(_ATOM)
_SENTENCE_CHARS = re.compile(r"[()\[\].!?]")
_INITIAL = re.compile(r"[a-z]\.")
_INITIALS = re.compile(r"(?:[a-z]\.){2,}")
_NON_DIGITS = re.compile(r"\D")
_ROMAN_LOWER = re.compile(r"(?:i{1,3}|iv|v|vi{1,3}|ix|x)[.)]?")
_ROMAN_UPPER = re.compile(r"(?:I{1,3}|IV|V|VI{1,3}|IX|X)[.)]?")
_TERMINAL = ".;!?"
# Fixed-width exports wrap lines at 60 to 110 columns; outside that range a
# line break in a paragraph is taken as deliberate.
MIN_WRAP_WIDTH = 60
MAX_WRAP_WIDTH = 110


class SegmentationWords(BaseModel):
    """``rules/segmentation.json``: word lists the splitter needs."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str = ""
    abbreviations: list[str]
    line_joiners: list[str]


@dataclass
class CriterionSpan:
    """A criterion found by the splitter (offsets into the text)."""

    start: int
    end: int
    section: SectionName
    items: list[tuple[int, int]] = field(default_factory=list)
    heading: tuple[int, int] | None = None


@dataclass
class _Line:
    start: int  # first character of the line (or of the block's first piece)
    end: int  # end of content, trailing whitespace excluded
    cs: int  # first non-space character
    indent: int
    sig: str = ""  # bullet signature, "" when not bulleted
    number: int | None = None  # value of a numeric bullet
    ts: int = 0  # start of text after the bullet

    @property
    def blank(self) -> bool:
        return self.cs >= self.end


@dataclass
class _Item:
    start: int
    end: int
    indent: int
    sig: str
    text_col: int
    section: SectionName
    heading: tuple[int, int] | None
    items: list[tuple[int, int]] = field(default_factory=list)
    child_sig: str | None = None
    child_indent: int = 0


def _signature(marker: str) -> tuple[str, int | None]:
    sig = []
    number = None
    for atom in _ATOM_RE.findall(marker):
        core = atom.strip("()")
        if core[:1].isdigit():
            sig.append("N")
            number = int(_NON_DIGITS.sub("", core))
        elif _ROMAN_LOWER.fullmatch(core):
            sig.append("i")
        elif _ROMAN_UPPER.fullmatch(core):
            sig.append("I")
        elif core[:1].isalpha():
            sig.append("a" if core[0].islower() else "A")
        elif core[:1] in "-–—⁃":
            sig.append("-")
        else:
            sig.append(core[:1])
    return "".join(sig), number


class CriteriaSplitter:
    """Split section blocks into criteria (see the module docstring)."""

    def __init__(self, section_rules: SectionRules, words: SegmentationWords) -> None:
        self.section_rules = section_rules
        self.abbreviations = frozenset(a.lower() for a in words.abbreviations)
        self.joiners = frozenset(w.lower() for w in words.line_joiners)

    # -- lines ---------------------------------------------------------------

    def _lines(self, view: str, start: int, end: int) -> Iterator[_Line]:
        pos = start
        first = True
        while pos < end:
            nl = view.find("\n", pos, end)
            stop = end if nl < 0 else nl
            body = view[pos:stop]
            content = body.rstrip()
            lead = len(content) - len(content.lstrip())
            line = _Line(
                start=pos,
                end=pos + len(content),
                cs=pos + lead,
                indent=0 if first and pos > 0 and view[pos - 1] != "\n" else lead,
            )
            if not line.blank:
                m = _MARKER.match(view, line.cs, line.end)
                if m:
                    line.sig, line.number = _signature(m.group())
                    line.ts = m.end()
                else:
                    line.ts = line.cs
            yield line
            first = False
            pos = stop + 1

    # -- public --------------------------------------------------------------

    def split(self, view: str, blocks: Iterable[SectionBlock]) -> list[CriterionSpan]:
        """Criteria of every block, in text order."""
        out: list[CriterionSpan] = []
        for block in blocks:
            out.extend(self.split_block(view, block))
        return out

    def split_block(self, view: str, block: SectionBlock) -> list[CriterionSpan]:
        """Criteria of one section block."""
        reader = _BlockReader(self, view, block)
        for line in self._lines(view, block.start, block.end):
            reader.take(line)
        return reader.finish()

    # -- helpers -------------------------------------------------------------

    def _lead_rule(self, text: str) -> SectionRule | None:
        """The rule of a bulleted line that is a lead-in, not a criterion."""
        if not text.endswith(":") or len(text) > 200:
            return None
        rule = self.section_rules.match_line(text)
        if rule is not None and rule.kind == "header":
            return rule
        return self.section_rules.match_lead_in(text)

    @staticmethod
    def _is_child(top: _Item, line: _Line, parent_colon: bool) -> bool:
        """Whether a bulleted line is a sub-item of the open top-level item."""
        if (
            top.child_sig is not None
            and line.sig == top.child_sig
            and line.indent >= top.child_indent - 1
            and not (line.sig == top.sig and line.indent <= top.indent)
        ):
            return True
        if line.indent > top.indent + 1:
            return True
        return (
            top.child_sig is None
            and parent_colon
            and line.sig != top.sig
            and line.indent >= top.indent
        )

    def _inline_pieces(self, view: str, line: _Line) -> list[tuple[int, int]]:
        """Split a bulleted line at inline bullets of its own kind."""
        s, e = line.ts, line.end
        cuts: list[tuple[int, int]] = []  # (end of piece, start of next)
        last = line.sig[-1:]
        if last == "N" and line.number is not None:
            n = line.number
            pos = s
            while True:
                # With a bullet before the number any text may follow; a bare
                # number must be followed by something that starts an item.
                pat = re.compile(
                    rf"\s(?:(?:[-–*•]\s+)+\(?{n + 1}[.)]\s+(?=\S)"
                    rf"|\(?{n + 1}[.)]\s+(?=[^\sa-z]))"
                )
                m = pat.search(view, pos, e)
                if not m:
                    break
                cuts.append((m.start(), m.end()))
                pos, n = m.end(), n + 1
        elif last in ("*", "•", "·", "▪", "●", "○", "◦", "■", "□", "➢", "►", "‣"):
            sym = re.escape(last)
            cuts = [
                (m.start(), m.end())
                for m in re.finditer(rf"\s{sym}\s+(?=\S)", view[s:e])
            ]
            cuts = [(a + s, b + s) for a, b in cuts]
        elif last == "-":
            found = [
                (m.start() + s, m.end() + s)
                for m in re.finditer(r"\s[-–]\s+(?=[A-Z(])", view[s:e])
            ]
            if len(found) >= 2:
                cuts = found
        pieces = []
        start = s
        for a, b in cuts:
            pieces.append((start, a))
            start = b
        pieces.append((start, e))
        out = []
        for a, b in pieces:
            while b > a and view[b - 1].isspace():
                b -= 1
            if b > a:
                out.append((a, b))
        return out or [(s, e)]

    def _paragraph_units(
        self, view: str, lines: list[_Line]
    ) -> list[tuple[int, int, tuple[int, int] | None]]:
        """Criteria of a paragraph without bullets.

        Wrapped lines are joined; when the paragraph is then one run of text it
        is split into sentences, when it is one criterion per line it is not.
        Run-on PDQ sub-headings ("Age: ... Hepatic: ...") open criteria of their
        own.
        """
        width = max(_end_column(view, ln) for ln in lines)
        units: list[tuple[int, int]] = []
        cur = [lines[0].cs, lines[0].end]
        for prev, ln in pairwise(lines):
            if self._joins(view, prev, ln, width):
                cur[1] = ln.end
            else:
                units.append((cur[0], cur[1]))
                cur = [ln.cs, ln.end]
        units.append((cur[0], cur[1]))
        out: list[tuple[int, int, tuple[int, int] | None]] = []
        for s, e in units:
            for a, b, sub in self._subheading_pieces(view, s, e):
                if len(units) == 1:
                    out.extend((x, y, sub) for x, y in self._sentences(view, a, b))
                else:
                    out.append((a, b, sub))
        return out

    def _joins(self, view: str, prev: _Line, ln: _Line, width: int) -> bool:
        """Whether ``ln`` continues ``prev`` (a wrapped line), or starts anew.

        A line broken because the next word did not fit is a wrap; a line that
        ends early, with room for the next word, was ended on purpose.
        """
        prev_text = view[prev.cs : prev.end]
        if prev_text[-1:] in _TERMINAL:
            return False
        last_word = prev_text.rsplit(None, 1)[-1].lower() if prev_text else ""
        if prev_text[-1:] in ",(/-&+" or last_word in self.joiners:
            return True
        if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH:
            return False  # a list of short lines, or lines nobody wrapped
        first_word = view[ln.cs : ln.end].split(None, 1)[0]
        end_col = _end_column(view, prev)
        if end_col >= width:  # the longest line: a wrap unless a capital follows
            return not view[ln.cs].isupper()
        return end_col + 1 + len(first_word) > width

    def _subheading_pieces(
        self, view: str, s: int, e: int
    ) -> list[tuple[int, int, tuple[int, int] | None]]:
        pattern = self.section_rules.subheading
        if pattern is None:
            return [(s, e, None)]
        out: list[tuple[int, int, tuple[int, int] | None]] = []
        start, sub = s, None
        for m in pattern.finditer(view, s, e):
            out.append((start, m.start(), sub))
            sub = (m.start(), m.end())
            start = m.end()
        out.append((start, e, sub))
        trimmed = []
        for a, b, h in out:
            while a < b and view[a].isspace():
                a += 1
            while b > a and view[b - 1].isspace():
                b -= 1
            if b > a:
                trimmed.append((a, b, h))
        return trimmed

    def _sentences(self, view: str, s: int, e: int) -> list[tuple[int, int]]:
        out = []
        start = s
        depth = 0
        # Only brackets and sentence punctuation matter: visit just those.
        for m in _SENTENCE_CHARS.finditer(view, s, e):
            i = m.start()
            ch = view[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth = max(0, depth - 1)
            elif depth == 0 and i + 1 < e and view[i + 1].isspace():
                j = i + 1
                while j < e and view[j].isspace():
                    j += 1
                if j < e and self._ends_sentence(view, start, i, j):
                    out.append((start, i + 1))
                    start = j  # what lies before j is space: nothing to visit
        out.append((start, e))
        return [(a, b) for a, b in out if b > a]

    def _ends_sentence(self, view: str, start: int, i: int, nxt: int) -> bool:
        k = i
        while k > start and not view[k - 1].isspace():
            k -= 1
        word = view[k : i + 1].lower().lstrip("([\"'")
        if word in self.abbreviations:
            return False
        if _INITIAL.fullmatch(word) and view[k].isupper():
            return False  # an initial
        if _INITIALS.fullmatch(word):
            return False
        if word[:-1].isdigit() and view[nxt].isdigit():
            return False
        return view[nxt].isalnum() or view[nxt] in "(\"'"


class _BlockReader:
    """One section block read line by line: what is open between lines, and a
    step for each kind of line (see :meth:`take`)."""

    def __init__(self, splitter: CriteriaSplitter, view: str, block: SectionBlock):
        self.splitter = splitter
        self.view = view
        self.block = block
        self.out: list[CriterionSpan] = []
        self.heading: tuple[int, int] | None = None
        self.section: SectionName = block.section
        self.top: _Item | None = None  # the open top-level bulleted item
        self.unit: _Item | None = None  # what a continuation line extends
        self.para: list[_Line] = []  # lines of a paragraph without bullets
        self.blank_since = True  # no line since the last blank line or bullet
        #: The step for each kind of line (see :meth:`_kind`).
        self.steps = {
            "blank": self._blank,
            "empty bullet": self._empty_bullet,
            "bullet": self._bullet,
            "text": self._text,
        }

    # -- per line ------------------------------------------------------------

    def take(self, line: _Line) -> None:
        """Read one line: the step of its kind."""
        if self._wrapped_hyphen(line):
            line.sig = ""  # a wrapped "- 7 days": a hyphen, not a bullet
            line.ts = line.cs
        self.steps[self._kind(line)](line)

    @staticmethod
    def _kind(line: _Line) -> str:
        """Whether a line is blank, an empty bullet, a bullet or plain text."""
        if line.blank:
            return "blank"
        if line.sig and line.ts >= line.end:
            return "empty bullet"
        return "bullet" if line.sig else "text"

    def _wrapped_hyphen(self, line: _Line) -> bool:
        """Whether a "-" line continues the open item's text (a hyphen that a
        wrap put at the start of a line, aligned with the text above)."""
        unit = self.unit
        return (
            self._kind(line) == "bullet"
            and line.sig == "-"
            and unit is not None
            and not self.blank_since
            and line.indent == unit.text_col
            and line.indent > unit.indent
            and self.view[unit.end - 1] not in _TERMINAL + ":"
        )

    def _blank(self, line: _Line) -> None:
        """A blank line ends a paragraph."""
        self.flush_para()
        self.blank_since = True

    def _empty_bullet(self, line: _Line) -> None:
        """An empty bullet ends a paragraph and the open item; it yields
        nothing."""
        self.flush_para()
        self.unit = None
        self.blank_since = True

    def _bullet(self, line: _Line) -> None:
        """A bulleted line: a lead-in heading, sub-items of the open item, or
        new items (one per inline bullet)."""
        self.flush_para()
        rule = self.splitter._lead_rule(self.view[line.ts : line.end])
        if rule is not None:  # "- Patients are excluded if any of:"
            self.heading = (line.ts, line.end)
            self.section = (
                rule.section if rule.section != "unknown" else self.block.section
            )
            self.top = self.unit = None
        else:
            pieces = self.splitter._inline_pieces(self.view, line)
            top = self.top
            if top is not None and CriteriaSplitter._is_child(
                top, line, self.view[top.end - 1] == ":" and not top.items
            ):
                self._add_sub_items(top, line, pieces)
            else:
                self._open_items(line, pieces)
        self.blank_since = False

    def _add_sub_items(
        self, top: _Item, line: _Line, pieces: list[tuple[int, int]]
    ) -> None:
        """Sub-items extend the open top-level item, which lists each."""
        if top.child_sig is None:
            top.child_sig, top.child_indent = line.sig, line.indent
        for s, e in pieces:
            top.items.append((s, e))
            top.end = e
        self.unit = top
        self.out[-1].end = top.end

    def _open_items(self, line: _Line, pieces: list[tuple[int, int]]) -> None:
        """Each piece of a bulleted line is a new top-level item."""
        for i, (s, e) in enumerate(pieces):
            self.top = _Item(
                s,
                e,
                line.indent,
                line.sig,
                line.ts - line.start if i == 0 else line.indent,
                self.section,
                self.heading,
            )
            self._emit(self.top)
        self.unit = self.top

    def _text(self, line: _Line) -> None:
        """A line without a bullet: it goes on with a paragraph, continues the
        open item, or starts a paragraph."""
        if self.para and not self.blank_since:
            self.para.append(line)
        elif self._continues_unit(line):
            self._extend_unit(line)
        else:
            self.para.append(line)
        self.blank_since = False

    # -- continuations -------------------------------------------------------

    def _continues_unit(self, line: _Line) -> bool:
        """Whether a line without a bullet continues the open item: a wrapped
        line right below it (unless it is a heading-like "...:" line no deeper
        than the item), or after a blank line, one indented to its text."""
        unit = self.unit
        if unit is None:
            return False
        text = self.view[line.cs : line.end]
        if not self.blank_since:
            return not (
                text.endswith(":")
                and line.indent <= unit.indent
                and line.end - line.cs <= 120
            )
        return bool(
            unit.sig
            and line.indent > 0
            and line.indent >= unit.text_col
            and not text.endswith(":")
        )

    def _extend_unit(self, line: _Line) -> None:
        """The open item (and its last sub-item) runs to the end of ``line``."""
        unit = self.unit
        assert unit is not None
        unit.end = line.end
        self.out[-1].end = line.end
        top = self.top
        if top is not None and top is unit and top.items:
            top.items[-1] = (top.items[-1][0], line.end)

    # -- paragraphs and output -----------------------------------------------

    def _emit(self, item: _Item) -> None:
        """Output an item as a criterion (its ``items`` stay shared)."""
        self.out.append(
            CriterionSpan(item.start, item.end, item.section, item.items, item.heading)
        )

    def flush_para(self) -> None:
        """End the open paragraph: a heading when it ends with a colon, else
        its criteria (sentences or lines)."""
        if not self.para:
            return
        lines, self.para = self.para, []
        first, last = lines[0], lines[-1]
        text = self.view[first.cs : last.end]
        if text.endswith(":") and len(text) <= 200:
            self.heading = (first.cs, last.end)
            rule = self.splitter.section_rules.match_lead_in(text)
            self.section = rule.section if rule is not None else self.block.section
            self.top = self.unit = None
            return
        for s, e, sub in self.splitter._paragraph_units(self.view, lines):
            item = _Item(
                s, e, first.indent, "", first.indent, self.section, sub or self.heading
            )
            self._emit(item)
            self.unit = item
        self.top = None

    def finish(self) -> list[CriterionSpan]:
        """The block's criteria, trimmed of surrounding space, empty ones
        dropped."""
        self.flush_para()
        view = self.view
        for c in self.out:  # control characters count as space too ("\x1f")
            while c.start < c.end and view[c.start].isspace():
                c.start += 1
            while c.end > c.start and view[c.end - 1].isspace():
                c.end -= 1
        return [c for c in self.out if c.end > c.start]


def _end_column(view: str, line: _Line) -> int:
    return line.end - (view.rfind("\n", 0, line.end) + 1)


class CriteriaSegmenter(RuleDataComponent):
    """spaCy component: sets ``doc.spans["criteria"]`` from the sections."""

    RULE_FILES = (SECTION_RULES_FILE, SEGMENTATION_FILE)

    def build(self, rules_data: dict[str, Any]) -> None:
        rules = load_rules(
            SECTION_RULES_FILE, SectionRule, rules_data[SECTION_RULES_FILE]
        )
        words = load_rule_object(
            SEGMENTATION_FILE, SegmentationWords, rules_data[SEGMENTATION_FILE]
        )
        self.splitter = CriteriaSplitter(SectionRules(rules), words)

    def __call__(self, doc: Doc) -> Doc:
        if SECTIONS not in doc.spans:
            raise ValueError(
                "eligo_criteria needs eligo_sections before it in the pipeline"
            )
        blocks = []
        for span in doc.spans[SECTIONS]:
            s = fields(span)
            blocks.append(
                SectionBlock(
                    s["start"],
                    s["end"],
                    s["section"],
                    tuple(s["header"]) if s["header"] else None,
                )
            )
        doc.spans[CRITERIA] = []
        for c in self.splitter.split(doc_view(doc), blocks):
            add_criterion(
                doc,
                {
                    "start": c.start,
                    "end": c.end,
                    "section": c.section,
                    "items": [list(i) for i in c.items],
                    "heading": list(c.heading) if c.heading else None,
                },
            )
        return doc


@Language.factory(
    "eligo_criteria",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={},
)
def make_criteria_segmenter(nlp: Language, name: str) -> "CriteriaSegmenter":
    """Factory of :class:`CriteriaSegmenter`."""
    return CriteriaSegmenter(name)
