"""Read Chia's brat annotations as per-criterion entity spans, flat and nested.

Chia (Kury et al., "Chia, a large annotated corpus of clinical trial
eligibility criteria", Sci Data 7:281, 2020; CC BY 4.0) annotates each trial as
two brat documents, ``NCT…_inc`` and ``NCT…_exc``, one criterion per line. This
module turns them into what a concept model learns from (every span for a
span categorizer, ``Criterion.gold``; a flat, overlap-resolved set for a NER,
``Criterion.entities``) and what the benchmark scores against. Every choice
is made here, once:

- Labels: the eight concept types (:data:`CONCEPT_TYPES`) and the seven
  annotation types that help matching (:data:`ANNOTATION_TYPES`). ``Scope`` and
  ``Line`` are not learned.
- Out-of-scope regions: the error types (:data:`OUT_OF_SCOPE_TYPES`, e.g.
  ``Non-query-able``, ``Parsing_Error``, ``Not_a_criteria``) mark text the
  annotators did not annotate as a criterion. They are never labels; their
  characters that no kept entity covers become *missing* in training (neither
  entity nor "outside"), and the benchmark ignores predictions there.
- Discontinuous entities (``T23 Value 751 763;770 771``) become their covering
  span (first fragment's start to last fragment's end). A covering span that
  overlaps another entity then loses to it under the overlap rule below, which
  is what happens with coordinations ("medical or psychiatric illness").
- Overlaps, for the flat set (a NER cannot nest): concept types win over
  annotation types; within a tier the shortest span wins, then the earliest,
  then label order. Gold that loses here stays in ``gold`` (the span
  categorizer learns it, the benchmark's "all gold" scores count it).
- Entities that cross a line break are dropped (counted).
- Dev split: a fixed function of the NCT id (:func:`split_of`), so a trial's
  inclusion and exclusion files are always on the same side.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

CONCEPT_TYPES: tuple[str, ...] = (
    "Condition",
    "Drug",
    "Procedure",
    "Measurement",
    "Observation",
    "Device",
    "Person",
    "Visit",
)
ANNOTATION_TYPES: tuple[str, ...] = (
    "Value",
    "Temporal",
    "Negation",
    "Qualifier",
    "Multiplier",
    "Reference_point",
    "Mood",
)
#: Every label the model learns, in priority order for ties.
LABELS: tuple[str, ...] = CONCEPT_TYPES + ANNOTATION_TYPES
#: The types the benchmark reports micro-F1 over (the issue's six).
SCORED_TYPES: tuple[str, ...] = CONCEPT_TYPES[:6]
#: Chia's error types: regions outside what was annotated as a criterion.
OUT_OF_SCOPE_TYPES: frozenset[str] = frozenset(
    {
        "Non-query-able",
        "Post-eligibility",
        "Pregnancy_considerations",
        "Competing_trial",
        "Informed_consent",
        "Intoxication_considerations",
        "Non-representable",
        "Parsing_Error",
        "Undefined_semantics",
        "Subjective_judgement",
        "Context_Error",
        "Not_a_criteria",
        "Grammar_Error",
    }
)
#: Percent of trials (by hash of the NCT id) in the dev and tune splits.
DEV_PERCENT = 15
TUNE_PERCENT = 10

Split = Literal["train", "tune", "dev"]


@dataclass(frozen=True)
class BratSpan:
    """One text-bound annotation (``T`` line) of a brat file."""

    id: str
    label: str
    fragments: tuple[tuple[int, int], ...]
    text: str = ""

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


@dataclass
class Criterion:
    """One line of a Chia file with its spans, offsets relative to the line.

    ``entities`` is the flat, resolved set a model learns; ``gold`` holds every
    annotation of a learned label (nested ones too, discontinuous as covering
    spans); ``out_of_scope`` the error-type regions.
    """

    trial: str
    part: str
    line: int
    text: str
    entities: list[tuple[int, int, str]] = field(default_factory=list)
    gold: list[tuple[int, int, str]] = field(default_factory=list)
    out_of_scope: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class ReadStats:
    """What reading lost, by reason."""

    entities: int = 0
    discontinuous: int = 0
    cross_line: int = 0
    overlap_dropped: int = 0
    out_of_scope: int = 0
    unlearned: int = 0

    def add(self, other: ReadStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def split_of(
    trial_id: str, *, dev_percent: int = DEV_PERCENT, tune_percent: int = TUNE_PERCENT
) -> Split:
    """The split a trial belongs to: a fixed function of its NCT id.

    ``sha256(id)`` read as an integer, modulo 100: below ``dev_percent`` is
    dev (never trained on, reported), the next ``tune_percent`` is tune
    (spaCy's checkpoint selection), the rest is train.
    """
    bucket = int(hashlib.sha256(trial_id.encode("utf-8")).hexdigest(), 16) % 100
    if bucket < dev_percent:
        return "dev"
    if bucket < dev_percent + tune_percent:
        return "tune"
    return "train"


def parse_ann(text: str) -> list[BratSpan]:
    """The text-bound annotations of a ``.ann`` file (relations are ignored)."""
    spans = []
    for line in text.splitlines():
        if not line.startswith("T"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        label, _, offsets = parts[1].partition(" ")
        fragments = []
        for frag in offsets.split(";"):
            bounds = frag.split()
            if len(bounds) != 2:
                break
            fragments.append((int(bounds[0]), int(bounds[1])))
        else:
            if fragments:
                text = parts[2] if len(parts) > 2 else ""
                spans.append(BratSpan(parts[0], label, tuple(sorted(fragments)), text))
    return spans


def resolve_overlaps(
    spans: Iterable[tuple[int, int, str]],
) -> list[tuple[int, int, str]]:
    """A non-overlapping subset: concept types first, then shortest, earliest."""
    rank = {label: i for i, label in enumerate(LABELS)}

    def key(span: tuple[int, int, str]) -> tuple[int, int, int, int]:
        start, end, label = span
        tier = 0 if label in CONCEPT_TYPES else 1
        return (tier, end - start, start, rank.get(label, len(rank)))

    kept: list[tuple[int, int, str]] = []
    for span in sorted(set(spans), key=key):
        if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
            kept.append(span)
    return sorted(kept)


def _crlf_map(text: str) -> list[int]:
    """Offsets in ``text`` rendered with CRLF line breaks -> offsets in ``text``."""
    out: list[int] = []
    for i, char in enumerate(text):
        if char == "\n":
            out.append(i)
        out.append(i)
    out.append(len(text))
    return out


def _squash(text: str) -> str:
    return " ".join(text.split())


def fix_offsets(text: str, spans: list[BratSpan]) -> tuple[list[BratSpan], bool]:
    """Spans whose offsets index ``text``, trimmed of surrounding whitespace.

    About a third of Chia's ``.ann`` files count each line break as two
    characters (they were annotated on a CRLF copy of the LF ``.txt``). A
    file's offsets are read as CRLF offsets when that makes more of its
    spans' texts match.

    Returns:
        The fixed spans, and whether the file was read as CRLF.
    """
    crlf = _crlf_map(text)

    def hits(mapping: list[int] | None) -> int:
        n = 0
        for span in spans:
            if len(span.fragments) != 1:
                continue
            s, e = span.fragments[0]
            if mapping is not None:
                if e >= len(mapping):
                    continue
                s, e = mapping[s], mapping[e]
            n += _squash(text[s:e]) == _squash(span.text)
        return n

    use_crlf = "\n" in text and hits(crlf) > hits(None)
    fixed = []
    for span in spans:
        fragments = []
        for s, e in span.fragments:
            if use_crlf:
                s, e = crlf[min(s, len(crlf) - 1)], crlf[min(e, len(crlf) - 1)]
            s, e = min(s, len(text)), min(e, len(text))
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e:
                fragments.append((s, e))
        if fragments:
            fixed.append(BratSpan(span.id, span.label, tuple(fragments), span.text))
    return fixed, use_crlf


def read_pair(
    txt_path: Path, labels: Iterable[str] = LABELS
) -> tuple[list[Criterion], ReadStats]:
    """The criteria of one brat document (``.txt`` with its ``.ann``).

    Args:
        txt_path: The ``NCT…_inc.txt`` or ``NCT…_exc.txt`` file.
        labels: Labels to keep.

    Returns:
        One :class:`Criterion` per non-blank line, and the loss counts.
    """
    wanted = frozenset(labels)
    text = txt_path.read_text(encoding="utf-8")
    ann_path = txt_path.with_suffix(".ann")
    ann = ann_path.read_text(encoding="utf-8") if ann_path.is_file() else ""
    trial, _, part = txt_path.stem.partition("_")
    stats = ReadStats()
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw)))
        pos += len(raw) + 1

    def line_of(start: int, end: int) -> int | None:
        for i, (ls, le) in enumerate(lines):
            if ls <= start and end <= le:
                return i
        return None

    raw_spans: dict[int, list[tuple[int, int, str]]] = {}
    oos: dict[int, list[tuple[int, int]]] = {}
    spans, _ = fix_offsets(text, parse_ann(ann))
    for span in spans:
        if span.label in OUT_OF_SCOPE_TYPES:
            for fs, fe in span.fragments:
                i = line_of(fs, fe)
                if i is not None:
                    oos.setdefault(i, []).append((fs - lines[i][0], fe - lines[i][0]))
            continue
        if span.label not in wanted:
            stats.unlearned += 1
            continue
        stats.entities += 1
        if len(span.fragments) > 1:
            stats.discontinuous += 1
        i = line_of(span.start, span.end)
        if i is None:
            stats.cross_line += 1
            continue
        offset = lines[i][0]
        raw_spans.setdefault(i, []).append(
            (span.start - offset, span.end - offset, span.label)
        )
    criteria = []
    for i, (ls, le) in enumerate(lines):
        line_text = text[ls:le]
        if not line_text.strip():
            continue
        gold = sorted(set(raw_spans.get(i, [])))
        flat = resolve_overlaps(gold)
        stats.overlap_dropped += len(raw_spans.get(i, [])) - len(flat)
        regions = sorted(oos.get(i, []))
        stats.out_of_scope += len(regions)
        criteria.append(Criterion(trial, part, i, line_text, flat, gold, regions))
    return criteria, stats


def iter_chia(
    chia_dir: Path, *, splits: Iterable[Split] = ("train", "tune", "dev")
) -> Iterator[tuple[Split, Path]]:
    """Every brat ``.txt`` file of a Chia folder, with its split, in name order."""
    wanted = set(splits)
    for path in sorted(chia_dir.glob("NCT*.txt")):
        split = split_of(path.stem.partition("_")[0])
        if split in wanted:
            yield split, path
