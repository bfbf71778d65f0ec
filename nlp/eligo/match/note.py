"""Read a free-text patient note into a :class:`~eligo.match.patient.Patient`.

Coordinators screen patients from notes ("A 58-year-old woman presents with
..."). :func:`read_note` turns one into the profile ``eligo match`` reads,
every fact carrying a :class:`~eligo.match.patient.Source`: its words and its
sentence, as offsets into the note.

How each fact is read, and by what:

- **sentences and concepts**: the note is parsed with eligo's own pipeline
  (:class:`eligo.parse.Parser`): its segmenter gives the sentences, the
  concept model the Condition, Drug, Procedure and Measurement mentions, and
  eligo's ConText their assertion (negated, historical, hypothetical,
  family). A negated mention is a fact known to be absent; a family or
  hypothetical one is not the patient's and is left out.
- **note sections**: medSpaCy's sectionizer (its clinical section rules:
  "Past Medical History", "Medications", "Allergies", "Family History", ...)
  places every mention: under a family-history heading a mention is the
  family's, under allergies it is an allergy (neither is a condition or a
  drug the patient has), under past medical or surgical history it is
  historical, under medications any mention is a drug.
- **age, sex, pregnancy, consent**: rules over the text ("58-year-old",
  "aged 7 months"; the first sex noun, else the pronouns; eligo's pregnancy
  and breastfeeding constraints with their assertion; "will provide informed
  consent").
- **lab and vital values**: an analyte (the lexicon's, or a Measurement
  mention) followed closely by a value with its unit (eligo's quantity
  reader), and "BP 150/95" as systolic and diastolic pressure. A value is
  dated the note's date.

A note is read as a screening note is: it lists what is relevant, so what it
does not mention is presumed absent for exclusion criteria
(``complete_for="exclusion"``), while an inclusion requirement it does not
document stays unknown.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..normalise.lexicon import Lexicon
from ..normalise.quantities import find_quantities
from ..readers.sanitise import clean_text
from ..segment.view import reading_view
from .findings import NOT_NOW, find_findings, finding_observation
from .patient import (
    Condition,
    Medication,
    Observation,
    Patient,
    PatientError,
    Procedure,
    Source,
)

if TYPE_CHECKING:
    from ..document import Document
    from ..parse import Parser

#: File suffixes ``eligo match`` reads as a note (others as JSON).
NOTE_SUFFIXES = frozenset({".txt", ".text", ".note", ".md"})
#: Longest note read (characters); the rest is skipped with a warning.
MAX_NOTE_CHARS = 100_000

_AGE = re.compile(
    r"\b(?P<n>\d{1,3}(?:\.\d+)?)[- ]?(?P<unit>years?|yrs?|months?|mos?|weeks?|wks?"
    r"|days?)[- ]old\b"
    r"|\b(?P<n2>\d{1,3})[- ]?(?:y/?o|yo|y\.o\.)(?![a-z])"
    r"|\baged?\s+(?P<n3>\d{1,3})\b(?!\s*(?:months?|weeks?|days?)\b)",
    re.IGNORECASE,
)
_AGE_UNIT_YEARS = {"y": 1.0, "m": 1 / 12, "w": 7 / 365.25, "d": 1 / 365.25}
_FEMALE = re.compile(r"\b(?:woman|female|lady|girl|mrs|ms)\b", re.IGNORECASE)
_MALE = re.compile(r"\b(?:man|male|gentleman|boy|mr)\b", re.IGNORECASE)
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_HE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)
_CONSENT_ACT = (
    r"\b(?:provide|give|sign|giving|providing|signing)\s+"
    r"(?:(?:written|voluntary|her|his|their)\s+)*informed\s+consent\b"
)
_NO_CONSENT = re.compile(
    r"\b(?:refuses?|refused|declines?|declined|unable|unwilling|cannot|will\s+not"
    r"|won't)\b[^.;\n]{0,30}?" + _CONSENT_ACT,
    re.IGNORECASE,
)
_CONSENT = re.compile(r"\b[^.;\n]{0,30}?" + _CONSENT_ACT, re.IGNORECASE)
_BP = re.compile(
    r"\b(?:blood\s+pressure|BP)\b[^0-9.;\n]{0,20}?(?P<sys>\d{2,3})\s*/\s*(?P<dia>\d{2,3})"
    r"(?:\s*(?P<unit>mm\s*Hg))?",
    re.IGNORECASE,
)
#: Characters a value may be from its analyte ("hemoglobin of 9.2", "pulse 110").
_VALUE_GAP = 24
_GAP_OK = re.compile(r"[\s:=,(]*(?:(?:is|was|of|at|measured|level|levels|count)\s*)*")

#: medSpaCy section categories and what they make of a mention under them.
SECTION_ASSERTIONS = {
    "family_history": "family",
    "allergy": "allergy",
    "past_medical_history": "historical",
    "past_surgical_history": "historical",
}
MEDICATION_SECTIONS = frozenset({"medications"})
_LISTS = {"Condition": "conditions", "Drug": "medications", "Procedure": "procedures"}


@dataclass
class NoteResult:
    """A note read: the profile and one line per thing skipped or changed."""

    patient: Patient
    warnings: list[str]


def _sentences(doc: Document) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in doc.criteria]


class _Sentences:
    """The sentence around an offset (the parse's criteria, else the line)."""

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.text = text
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]

    def around(self, start: int, end: int) -> tuple[int, int]:
        k = bisect_right(self.starts, start) - 1
        if k >= 0 and self.spans[k][1] >= end:
            return self.spans[k]
        lo = self.text.rfind("\n", 0, start) + 1
        hi = self.text.find("\n", end)
        return lo, len(self.text) if hi < 0 else hi

    def source(self, start: int, end: int, assertion: str | None = None) -> Source:
        s, e = self.around(start, end)
        return Source(
            start=start,
            end=end,
            text=self.text[start:end],
            sentence_start=s,
            sentence_end=e,
            assertion=assertion,
        )


#: msgpack decoders medSpaCy registers for the whole process (srsly).
_MEDSPACY_DECODERS = ("section", "modifiers", "modifier", "context_graph")


@lru_cache(maxsize=1)
def _import_medspacy() -> None:
    """Import medSpaCy (its factories), without its process-wide msgpack hooks.

    medSpaCy registers srsly msgpack decoders that turn *any* dict with a
    "section" (or "modifier", ...) key into its own objects, so once it is
    imported, eligo Docs (whose criteria hold a "section") no longer survive
    ``Doc.to_bytes``: ``nlp.pipe(n_process=2)`` fails. The note reader never
    serialises medSpaCy's objects, so the decoders are removed again.
    """
    import catalogue
    import medspacy  # noqa: F401  (registers the factories)

    for name in _MEDSPACY_DECODERS:
        catalogue.REGISTRY.pop(("srsly", "msgpack_decoders", name), None)


@lru_cache(maxsize=1)
def _sectionizer() -> Any:
    """A blank spaCy pipeline with medSpaCy's sectionizer (clinical rules)."""
    import spacy

    _import_medspacy()

    nlp = spacy.blank("en")
    nlp.add_pipe("medspacy_sectionizer")
    return nlp


def note_sections(text: str) -> list[tuple[int, int, str]]:
    """The sections medSpaCy finds in a note: ``(start, end, category)``."""
    with warnings.catch_warnings():
        # medSpaCy's sectionizer holds a spaCy Matcher it may leave empty
        # (W036 on every call): not ours to fix, and harmless.
        warnings.filterwarnings("ignore", message=r"\[W036\]")
        doc = _sectionizer()(text)
    out = []
    for sec in doc._.sections:
        body = sec.body_span
        start = doc[sec.title_span[0]].idx if sec.title_span else doc[body[0]].idx
        end_tok = doc[body[1] - 1] if body[1] > body[0] else None
        end = end_tok.idx + len(end_tok) if end_tok is not None else start
        out.append((start, end, sec.category))
    return out


def _section_at(sections: list[tuple[int, int, str]], pos: int) -> str | None:
    for start, end, category in sections:
        if start <= pos < end:
            return category
    return None


def read_age(text: str) -> tuple[float, tuple[int, int]] | None:
    """The first age the note states, in years, with its offsets."""
    for m in _AGE.finditer(text):
        raw = m.group("n") or m.group("n2") or m.group("n3")
        unit = (m.group("unit") or "y")[0].lower()
        age = float(raw) * _AGE_UNIT_YEARS[unit]
        if 0 <= age <= 125:
            return round(age, 2), m.span()
    return None


def read_sex(text: str) -> tuple[str, tuple[int, int]] | None:
    """The patient's sex: the first sex noun, else the pronouns' majority."""
    female, male = _FEMALE.search(text), _MALE.search(text)
    nouns = [
        (m.start(), sex, m) for sex, m in (("female", female), ("male", male)) if m
    ]
    if nouns:
        _, sex, m = min(nouns, key=lambda n: n[0])
        return sex, m.span()
    she, he = list(_SHE.finditer(text)), list(_HE.finditer(text))
    if len(she) > 2 * len(he) and she:
        return "female", she[0].span()
    if len(he) > 2 * len(she) and he:
        return "male", he[0].span()
    return None


_NON_SMOKER = re.compile(
    r"\b(?:non-?\s?smok(?:er|ing)|never\s+(?:a\s+)?smok(?:ed|er)"
    r"|(?:denies|no(?:\s+history\s+of)?)\s+(?:tobacco|smoking|cigarette)"
    r"|does\s+not\s+smoke|doesn't\s+smoke|quit\s+smoking|former\s+smoker"
    r"|ex-?\s?smoker)\b",
    re.IGNORECASE,
)
_SMOKER = re.compile(
    r"\b(?:smoker|smokes|smoking\s+history|history\s+of\s+smoking|smoked"
    r"|(?:\d+|one|two|three)[- ]pack[- ]years?|packs?\s+(?:per|a)\s+day"
    r"|cigarettes?\s+(?:per|a)\s+day|tobacco\s+use)\b",
    re.IGNORECASE,
)


def read_smoking(text: str) -> tuple[bool, tuple[int, int]] | None:
    """Whether the patient smokes now: a non-smoker or former-smoker phrase
    says no (it wins), a smoking phrase says yes ("smoked 1 pack a day")."""
    m = _NON_SMOKER.search(text)
    if m is not None:
        return False, m.span()
    m = _SMOKER.search(text)
    if m is not None:
        return True, m.span()
    return None


def read_consent(text: str) -> tuple[bool, tuple[int, int]] | None:
    """Whether the note says the patient will (or will not) give consent."""
    m = _NO_CONSENT.search(text)
    if m is not None:
        return False, m.span()
    m = _CONSENT.search(text)
    return None if m is None else (True, m.span())


def _observations(
    text: str,
    doc: Document,
    sentences: _Sentences,
    lexicon: Lexicon,
    on: str,
) -> list[Observation]:
    view = reading_view(text)
    out: list[Observation] = []
    taken: list[tuple[int, int]] = []
    for m in _BP.finditer(view):
        src = sentences.source(m.start(), m.end())
        for name, group in (
            ("systolic blood pressure", "sys"),
            ("diastolic blood pressure", "dia"),
        ):
            out.append(
                Observation(
                    name=name,
                    value=float(m.group(group)),
                    unit="mm[Hg]",
                    date=on,
                    source=src,
                )
            )
        taken.append(m.span())
    spans = [(c.start, c.end, c.entities) for c in doc.criteria]
    for start, end, entities in spans or [(0, len(text), [])]:
        analytes = [(a.start, a.end) for a in lexicon.find(view, start, end)]
        for ent in entities:
            span = (ent.start, ent.end)
            if ent.label == "Measurement" and not any(
                a < span[1] and span[0] < b for a, b in analytes
            ):
                analytes.append(span)
        analytes.sort()
        quantities = find_quantities(view, start, end)
        for k, (a_start, a_end) in enumerate(analytes):
            if any(a < a_end and a_start < b for a, b in taken):
                continue
            limit = analytes[k + 1][0] if k + 1 < len(analytes) else end
            q = next((q for q in quantities if q.start >= a_end), None)
            if q is None or q.start >= limit or q.start - a_end > _VALUE_GAP:
                continue
            gap = _GAP_OK.match(view, a_end, q.start)
            if gap is None or gap.end() != q.start or q.relative_to is not None:
                continue
            out.append(
                Observation(
                    name=text[a_start:a_end],
                    value=q.value,
                    unit=q.unit,
                    date=on,
                    source=sentences.source(a_start, q.end),
                )
            )
    return out


def _findings(
    text: str,
    doc: Document,
    sentences: _Sentences,
    sections: list[tuple[int, int, str]],
    lexicon: Lexicon,
    on: str,
    age: float | None,
) -> list[Observation]:
    """Findings stated in words ("tachycardic", "thrombocytopenia") as
    observations with a value range (:mod:`eligo.match.findings`)."""
    not_now = [
        (e.start, e.end)
        for c in doc.criteria
        for e in c.entities
        if e.negated or (e.assertion or "present") in NOT_NOW
    ]
    not_now += [
        (start, end) for start, end, cat in sections if cat in SECTION_ASSERTIONS
    ]
    out = []
    for found in find_findings(
        text,
        adult=None if age is None else age >= 18,
        not_now=not_now,
        lexicon=lexicon,
    ):
        s, _ = sentences.around(found.start, found.end)
        if _said_of_family(text, s, found.start):
            continue
        source = sentences.source(found.start, found.end)
        out.append(finding_observation(found, text, lexicon, date=on, source=source))
    return out


_FAMILY = re.compile(
    r"\b(?:mother|father|sister|brother|sibling|son|daughter|aunt|uncle|cousin"
    r"|parent|grand(?:mother|father|parent)|niece|nephew)s?\b"
    r"|\bfamily (?:history|hx)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:.]|\b(?:and|but|while|whereas)\b", re.IGNORECASE)


def _said_of_family(text: str, sentence_start: int, start: int) -> bool:
    """Whether a family member is the subject of the clause a mention is in
    ("His mother had breast cancer"), not the patient."""
    clause_start = sentence_start
    for m in _CLAUSE_BREAK.finditer(text, sentence_start, start):
        clause_start = m.end()
    return _FAMILY.search(text, clause_start, start) is not None


@lru_cache(maxsize=1)
def _medspacy_context() -> Any:
    """A blank spaCy pipeline: sentencizer and medSpaCy's ConText (its
    clinical rules, written for notes)."""
    import spacy

    _import_medspacy()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("medspacy_context")
    return nlp


def medspacy_assertions(
    text: str, spans: list[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """The assertion medSpaCy's ConText gives each ``(start, end)`` of ``text``
    (negated, family, hypothetical, historical or present)."""
    nlp = _medspacy_context()
    doc = nlp.make_doc(text)
    ents: list[Any] = []
    keys: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        span = doc.char_span(start, end, label="ENT", alignment_mode="expand")
        if span is not None and (not ents or span.start >= ents[-1].end):
            ents.append(span)
            keys.append((start, end))
    doc.ents = ents
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W036\]")
        for _, component in nlp.pipeline:
            doc = component(doc)
    out = {}
    for key, ent in zip(keys, doc.ents, strict=True):
        x = ent._
        out[key] = (
            "negated"
            if x.is_negated
            else "family"
            if x.is_family
            else "hypothetical"
            if x.is_hypothetical
            else "historical"
            if x.is_historical
            else "present"
        )
    return out


def _facts(
    doc: Document,
    sentences: _Sentences,
    sections: list[tuple[int, int, str]],
    assertions: str = "eligo",
) -> dict[str, list[Any]]:
    lists: dict[str, list[Any]] = {
        "conditions": [],
        "medications": [],
        "procedures": [],
    }
    theirs: dict[tuple[int, int], str] = {}
    if assertions == "medspacy":
        theirs = medspacy_assertions(
            doc.text,
            [
                (e.start, e.end)
                for c in doc.criteria
                for e in c.entities
                if e.label in _LISTS
            ],
        )
    for crit in doc.criteria:
        for ent in crit.entities:
            label = ent.label
            section = _section_at(sections, ent.start)
            if section in MEDICATION_SECTIONS and label in ("Condition", "Procedure"):
                continue  # an indication or a route under "Medications"
            if label not in _LISTS:
                continue
            assertion = ent.assertion or ("negated" if ent.negated else "present")
            assertion = theirs.get((ent.start, ent.end), assertion)
            assertion = SECTION_ASSERTIONS.get(section or "", assertion)
            if assertion != "negated" and _said_of_family(
                doc.text, crit.start, ent.start
            ):
                assertion = "family"
            if assertion in ("family", "hypothetical", "allergy"):
                continue
            text = doc.text[ent.start : ent.end]
            src = sentences.source(ent.start, ent.end, assertion)
            present = assertion != "negated"
            fact: Any
            if label == "Condition":
                fact = Condition(text=text, present=present, source=src)
            elif label == "Drug":
                fact = Medication(text=text, present=present, source=src)
            else:
                fact = Procedure(text=text, present=present, source=src)
            lists[_LISTS[label]].append(fact)
    return lists


def _status(doc: Document, kind: str) -> tuple[bool, int, int] | None:
    """A pregnancy or breastfeeding status the note asserts (first one)."""
    for crit in doc.criteria:
        for con in crit.constraints:
            if con.type != kind:
                continue
            assertion = getattr(con, "assertion", None) or "present"
            if assertion in ("hypothetical", "family"):
                continue
            return assertion != "negated", con.start, con.end
    return None


class NoteReader:
    """Reads notes into profiles; the parser is built once (lazily).

    Args:
        parser: A :class:`~eligo.parse.Parser` with the concept model (one
            is made on first use when ``None``).
        lexicon: The analyte lexicon (the packaged one by default).
        closed_world: Read the note as complete for exclusion criteria (see
            the module docstring); False reads it as an open record.
        assertions: Whose ConText asserts the mentions: ``"eligo"`` (eligo's,
            written for criteria) or ``"medspacy"`` (medSpaCy's clinical
            rules, written for notes).
    """

    def __init__(
        self,
        parser: Parser | None = None,
        *,
        lexicon: Lexicon | None = None,
        closed_world: bool = True,
        assertions: str = "eligo",
    ) -> None:
        if assertions not in ("eligo", "medspacy"):
            raise ValueError(f"assertions: 'eligo' or 'medspacy', not {assertions!r}")
        self._parser = parser
        self.lexicon = lexicon or Lexicon.default()
        self.closed_world = closed_world
        self.assertions = assertions

    @property
    def parser(self) -> Parser:
        if self._parser is None:
            from ..parse import Parser

            self._parser = Parser(concepts=True)
        return self._parser

    def read(
        self,
        text: str,
        *,
        id: str = "note",
        on: date | None = None,
        where: str = "note",
    ) -> NoteResult:
        """The profile of one note.

        Args:
            text: The note.
            id: The patient's id in the profile.
            on: The note's date (values and statuses are dated by it);
                today when ``None``.
            where: How messages name the note (its file).

        Raises:
            PatientError: An empty note (one line naming ``where``).
        """
        from ..trial import Trial

        warnings: list[str] = []
        text, note = clean_text(text, "note")
        if note:
            warnings.append(f"{where}: {note}")
        if not text.strip():
            raise PatientError(f"{where}: the note is empty")
        if len(text) > MAX_NOTE_CHARS:
            warnings.append(
                f"{where}: read the first {MAX_NOTE_CHARS:,} of {len(text):,} "
                "characters; the rest is skipped"
            )
            text = text[:MAX_NOTE_CHARS]
        day = (on or date.today()).isoformat()
        doc = self.parser.parse(Trial(id=id, text=text, source_format="text"))
        sentences = _Sentences(text, _sentences(doc))
        sections = note_sections(text)
        sources: dict[str, Source] = {}
        fields: dict[str, Any] = {}
        age = read_age(text)
        if age is not None:
            fields["age"] = age[0]
            sources["age"] = sentences.source(*age[1])
        sex = read_sex(text)
        if sex is not None:
            fields["sex"] = sex[0]
            sources["sex"] = sentences.source(*sex[1])
        for kind, name in (
            ("pregnancy", "pregnant"),
            ("breastfeeding", "breastfeeding"),
        ):
            status = _status(doc, kind)
            if status is not None:
                fields[name] = status[0]
                sources[name] = sentences.source(status[1], status[2])
                fields["status_date"] = day
        consent = read_consent(text)
        if consent is not None:
            fields["consent"] = consent[0]
            sources["consent"] = sentences.source(*consent[1])
        lists = _facts(doc, sentences, sections, self.assertions)
        smoking = read_smoking(text)
        if smoking is not None:
            lists["conditions"].append(
                Condition(
                    text="smoker",
                    present=smoking[0],
                    source=sentences.source(
                        *smoking[1], "present" if smoking[0] else "negated"
                    ),
                )
            )
        observations = _observations(text, doc, sentences, self.lexicon, day)
        observations += _findings(
            text, doc, sentences, sections, self.lexicon, day, fields.get("age")
        )
        complete: list[str] = (
            ["conditions", "medications", "procedures"] if self.closed_world else []
        )
        patient = Patient(
            id=id,
            **fields,
            **lists,
            observations=observations,
            complete=complete,
            complete_for="exclusion",
            sources=sources,
        )
        return NoteResult(patient, warnings)


def read_note(
    text: str,
    *,
    id: str = "note",
    on: date | None = None,
    on_warning: Callable[[str], None] | None = None,
    reader: NoteReader | None = None,
) -> Patient:
    """Read one free-text note into a patient profile (see the module docstring).

    Raises:
        PatientError: The note is empty.
    """
    result = (reader or NoteReader()).read(text, id=id, on=on)
    if on_warning is not None:
        for line in result.warnings:
            on_warning(line)
    return result.patient


def load_note(
    path: str | Path,
    *,
    on: date | None = None,
    on_warning: Callable[[str], None] | None = None,
    reader: NoteReader | None = None,
) -> Patient:
    """Read a note from a text file (UTF-8).

    Raises:
        PatientError: One line naming the file: unreadable, not UTF-8 text
            (a binary file), or empty.
    """
    where = clean_text(str(path))[0]
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise PatientError(f"{where}: cannot read: {err.strerror or err}") from err
    if b"\x00" in raw[:8192]:
        raise PatientError(f"{where}: not a text note (binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise PatientError(
            f"{where}: not UTF-8 text (byte {err.start}); save the note as UTF-8"
        ) from err
    reader = reader or NoteReader()
    result = reader.read(text, id=Path(path).stem, on=on, where=where)
    if on_warning is not None:
        for line in result.warnings:
            on_warning(line)
    return result.patient
