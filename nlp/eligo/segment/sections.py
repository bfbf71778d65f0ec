"""Find a text's sections: inclusion, exclusion or unknown.

Headers come in many forms ("Inclusion Criteria:", "Key inclusion criteria",
"INCLUSION CRITERIA", "Exclusion criteria (any of the following)", "Patients are
not eligible if:", the old NCI PDQ layout "DISEASE CHARACTERISTICS: ... PATIENT
CHARACTERISTICS: ... PRIOR CONCURRENT THERAPY:", which is inclusion). They are
kept as data in ``rules/sections.json``; each entry has a ``kind``:

- ``header``: opens a section (``inclusion`` or ``exclusion``);
- ``region``: opens the eligibility part of a page without a polarity
  ("Eligibility Criteria"): its criteria take the default section;
- ``lead_in``: a sub-heading that scopes the criteria below it ("Excluded:",
  "Patients must have:"); used by the criteria splitter, not here;
- ``end``: a registry page field that closes the criteria ("Minimum Eligible
  Age", "Study Design", "About ..."); only for whole pages (plain text);
- ``subheading``: a label that opens a criterion inside a run-on paragraph of
  the old NCI PDQ layout ("... Age: 18 and over Performance status: ECOG 0-1"),
  matched case-sensitively; used by the criteria splitter.

A header is recognised on a line of its own (bullets, ``--`` decorations, a
trailing colon and a parenthetical allowed), at the start of a line followed by
a colon and inline criteria, or, for ``inline`` rules, in the middle of a
flattened line when it starts with a capital and ends with a colon
("... informed consent Exclusion Criteria: - 1. ...").

For a whole page (``source_format == "text"``) the criteria start at the first
inclusion/exclusion header (or the first region header when there is none);
what comes before is page text, not criteria. Registry criteria fields are
criteria from their first character.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import field_validator
from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.extensions import doc_view
from ..pipeline.resources import RuleModel, load_rules
from ..pipeline.rulecomponent import RuleDataComponent
from ..pipeline.spans import SECTIONS, add_span

RULES_FILE = "sections.json"
Kind = Literal["header", "region", "lead_in", "end", "subheading"]
SectionName = Literal["inclusion", "exclusion", "unknown"]


class SectionRule(RuleModel):
    """One header form (a regular expression matched case-insensitively)."""

    kind: Kind
    section: SectionName
    pattern: str
    inline: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"pattern does not compile: {err}") from err
        return value


@dataclass(frozen=True)
class SectionBlock:
    """A run of text that belongs to one section."""

    start: int
    end: int
    section: SectionName
    header: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Event:
    start: int
    end: int
    kind: Kind
    section: SectionName


# Bullets and decorations allowed before a header phrase on its line.
# Possessive throughout: a run of bullets or spaces is taken in one way only
# (with plain quantifiers a line of 5,000 dashes took minutes to reject).
LEAD = r"(?:[-*•·▪◦●○■□➢►‣⁃–—+#>]++\s*+|\d{1,3}[.)]\s++|\(?[A-Za-z]\)\s++|\[\s*+)*+"
# What may follow a header phrase: a parenthetical, a colon, decorations.
TRAIL = (
    r"(?:\s*+\([^()\n]{0,80}\))?(?:\s++[-–—]++\s*+[^\s:\-–—][^\n:]{0,60}?)?"
    r"\s*+(?:[:.\-–—*#\]]++)?\s*+"
)


# A header line is short; longer lines are only searched for inline headers.
MAX_HEADER_CHARS = 160
_LEAD_RE = re.compile(LEAD)


def _capitalised(pattern: str) -> str:
    """Let each word's first letter of a plain-word pattern be either case,
    the rest as written, and require the first word to be capitalised."""
    out = []
    for i, ch in enumerate(pattern):
        at_word_start = ch.isalpha() and (i == 0 or not pattern[i - 1].isalnum())
        first_of_alt = i == 0 or pattern[i - 1] == "|"
        if at_word_start and not first_of_alt:
            out.append(f"[{ch.upper()}{ch.lower()}]")
        else:
            out.append(ch)
    return "".join(out)


class SectionRules:
    """Compiled section rules."""

    def __init__(self, rules: Iterable[SectionRule]) -> None:
        self.rules = list(rules)
        by_kind: dict[str, list[tuple[str, SectionRule]]] = {}
        for i, rule in enumerate(self.rules):
            by_kind.setdefault(rule.kind, []).append((f"r{i}", rule))
        self._names = {f"r{i}": rule for i, rule in enumerate(self.rules)}
        line_alts = [
            f"(?P<{n}>{r.pattern})"
            for n, r in by_kind.get("header", []) + by_kind.get("region", [])
        ]
        end_alts = [f"(?P<{n}>{r.pattern})" for n, r in by_kind.get("end", [])]
        lead_alts = [f"(?P<{n}>{r.pattern})" for n, r in by_kind.get("lead_in", [])]
        # Sub-headings are matched with their own capitalisation ("Age:",
        # "Performance Status:") but not all lower case ("... age: 18").
        sub_alts = [_capitalised(r.pattern) for _, r in by_kind.get("subheading", [])]
        self.subheading = (
            re.compile(rf"(?<![^\s])(?:{'|'.join(sub_alts)}):(?=\s)")
            if sub_alts
            else None
        )
        inline_alts = [
            f"(?P<{n}>{r.pattern})"
            for n, r in by_kind.get("header", []) + by_kind.get("region", [])
            if r.inline
        ]
        flags = re.IGNORECASE
        self._line = re.compile(rf"{LEAD}(?:{'|'.join(line_alts)}){TRAIL}", flags)
        self._end = (
            re.compile(rf"(?:{'|'.join(end_alts)})\s*:?\s*", flags)
            if end_alts
            else None
        )
        self._lead = (
            re.compile(rf"(?:{'|'.join(lead_alts)})\s*:\s*", flags)
            if lead_alts
            else None
        )
        # A header at the start of a line, followed by a colon and more text.
        self._start = re.compile(
            rf"\s*+{LEAD}(?P<phrase>(?:{'|'.join(line_alts)}))"
            r"(?:\s*+\([^()\n]{0,80}\))?\s*+(?::|-{2,}|–|—)",
            flags,
        )
        # A header in the middle of a (flattened) line.
        self._inline = re.compile(
            rf"(?<=\s)(?P<phrase>(?:{'|'.join(inline_alts)}))\s*"
            r"(?:\([^()\n]{0,80}\))?\s*:",
            flags,
        )

    def _rule_of(self, match: re.Match[str]) -> SectionRule:
        for name, value in match.groupdict().items():
            if value is not None and name in self._names:
                return self._names[name]
        raise AssertionError("a header match names no rule")

    def match_line(self, line: str) -> SectionRule | None:
        """The header or region rule that a whole line is, if any."""
        m = self._line.fullmatch(line.strip())
        return self._rule_of(m) if m else None

    def match_end(self, line: str) -> bool:
        """Whether a whole line is a page field that closes the criteria."""
        return bool(self._end and self._end.fullmatch(line.strip()))

    def match_lead_in(self, line: str) -> SectionRule | None:
        """The lead-in rule a sub-heading line (ending in a colon) matches."""
        if self._lead is None:
            return None
        m = self._lead.fullmatch(line.strip())
        return self._rule_of(m) if m else None

    def events(self, view: str, *, page: bool) -> list[_Event]:
        """Every header, region and (for pages) end marker in ``view``."""
        out: list[_Event] = []
        pos = 0
        for line in view.splitlines(keepends=True):
            start, body = pos, line.rstrip("\r\n")
            pos += len(line)
            stripped = body.strip()
            if not stripped:
                continue
            lead = len(body) - len(body.lstrip())
            short = len(stripped) <= MAX_HEADER_CHARS
            rule = self.match_line(body) if short else None
            if rule is not None and rule.kind in ("header", "region"):
                s = start + lead + self._phrase_offset(body[lead:])
                out.append(
                    _Event(s, start + len(body.rstrip()), rule.kind, rule.section)
                )
                continue
            if page and short and ":" not in stripped and self.match_end(body):
                out.append(_Event(start + lead, start + len(body), "end", "unknown"))
                continue
            if ":" not in stripped and "--" not in stripped and "–" not in stripped:
                continue  # headers followed by text need a colon or a dash
            m = self._start.match(body)
            if m:
                rule = self._rule_of(m)
                out.append(
                    _Event(
                        start + m.start("phrase"),
                        start + m.end(),
                        rule.kind,
                        rule.section,
                    )
                )
                out.extend(self._inline_events(body[m.end() :], start + m.end()))
            else:
                out.extend(self._inline_events(body, start))
        return out

    def _phrase_offset(self, text: str) -> int:
        m = _LEAD_RE.match(text)
        return m.end() if m else 0

    def _inline_events(self, body: str, offset: int) -> list[_Event]:
        out: list[_Event] = []
        if ":" not in body:  # every inline header ends with a colon
            return out
        for m in self._inline.finditer(body):
            if not m.group("phrase")[0].isupper():
                continue
            rule = self._rule_of(m)
            out.append(
                _Event(
                    offset + m.start("phrase"),
                    offset + m.end(),
                    rule.kind,
                    rule.section,
                )
            )
        return out


def find_sections(
    view: str,
    rules: SectionRules,
    *,
    source_format: str = "text",
    default_section: SectionName = "unknown",
) -> list[SectionBlock]:
    """Split a text into section blocks.

    Args:
        view: The reading view of the text (see :func:`reading_view`).
        rules: Compiled section rules.
        source_format: ``"text"`` for a whole page, else a registry field.
        default_section: Section of criteria that no header places.

    Returns:
        Blocks in text order; text outside every block holds no criteria.
    """
    page = source_format == "text"
    events = rules.events(view, page=page)
    opening = [e for e in events if e.kind in ("header", "region")]
    blocks: list[SectionBlock] = []
    if page and opening:
        polar = [e for e in opening if e.kind == "header"]
        first = (polar or opening)[0]
        events = [e for e in events if e.start >= first.start]
        cur: tuple[int, SectionName, tuple[int, int] | None] | None = None
    else:
        cur = (0, default_section, None)
    for ev in events:
        if cur is not None:
            blocks.append(SectionBlock(cur[0], ev.start, cur[1], cur[2]))
            cur = None
        if ev.kind == "end":
            continue
        section = ev.section if ev.kind == "header" else default_section
        cur = (ev.end, section, (ev.start, ev.end))
    if cur is not None:
        blocks.append(SectionBlock(cur[0], len(view), cur[1], cur[2]))
    return [b for b in blocks if b.header is not None or view[b.start : b.end].strip()]


class SectionDetector(RuleDataComponent):
    """spaCy component: sets ``doc.spans["sections"]`` from the doc's text."""

    RULE_FILES = (RULES_FILE,)

    def build(self, rules_data: dict[str, Any]) -> None:
        self.rules = SectionRules(
            load_rules(RULES_FILE, SectionRule, rules_data[RULES_FILE])
        )

    def __call__(self, doc: Doc) -> Doc:
        blocks = find_sections(
            doc_view(doc),
            self.rules,
            source_format=doc._.source_format,
            default_section=doc._.default_section,
        )
        doc.spans[SECTIONS] = []
        for b in blocks:
            add_span(
                doc,
                SECTIONS,
                b.section,
                {
                    "start": b.start,
                    "end": b.end,
                    "section": b.section,
                    "header": list(b.header) if b.header else None,
                },
            )
        return doc


@Language.factory(
    "eligo_sections",
    assigns=["doc.spans"],
    default_config={},
)
def make_section_detector(nlp: Language, name: str) -> "SectionDetector":
    """Factory of :class:`SectionDetector` (rules from ``rules/sections.json``)."""
    return SectionDetector(name)
