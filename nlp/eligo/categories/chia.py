"""Read the Chia corpus (Kury et al., Sci Data 2020) in its brat form.

Kury F, Butler A, Yuan C, et al. "Chia, a large annotated corpus of clinical
trial eligibility criteria." Sci Data 7:281, 2020 (CC BY 4.0,
doi:10.6084/m9.figshare.11855817). Each ``NCT…_inc.txt``/``NCT…_exc.txt`` file
holds one criterion per line; its ``.ann`` file holds entities (``T``),
relations (``R``) and OR groups (``*``). Used to train and measure eligo's
components; the corpus itself is never shipped.

:func:`is_dev` fixes the development split: a trial is in it when the SHA-1 of
its NCT id falls in the first fifth of the hash space. Nothing in it is trained
on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_ARG = re.compile(r"Arg\d:(T\d+)")


def is_dev(trial_id: str) -> bool:
    """Whether a trial (``NCT…``, any ``_inc``/``_exc`` suffix) is in the dev split.

    The concept model's split (:func:`eligo.concepts.brat.split_of`), so every
    Chia benchmark reports on the same 116 trials.
    """
    from ..concepts.brat import split_of

    nct = trial_id.split("_")[0].upper()
    return split_of(nct) == "dev"


@dataclass
class ChiaEntity:
    """A brat text-bound annotation (discontinuous spans are joined)."""

    id: str
    label: str
    start: int
    end: int
    text: str


@dataclass
class ChiaLine:
    """One criterion line of a Chia file with the annotations inside it."""

    trial: str
    section: str
    start: int
    end: int
    text: str
    entities: list[ChiaEntity] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    or_groups: list[list[str]] = field(default_factory=list)


@dataclass
class ChiaFile:
    """One Chia file: its text and annotations."""

    trial: str
    section: str
    text: str
    entities: dict[str, ChiaEntity]
    relations: list[tuple[str, str, str]]
    or_groups: list[list[str]]

    def lines(self) -> Iterator[ChiaLine]:
        """Its non-blank lines, each with the annotations that start in it."""
        pos = 0
        by_start = sorted(self.entities.values(), key=lambda e: e.start)
        for raw in self.text.split("\n"):
            body = raw.rstrip()
            start = pos + len(raw) - len(raw.lstrip())
            end = pos + len(body)
            pos += len(raw) + 1
            if end <= start:
                continue
            line = ChiaLine(self.trial, self.section, start, end, self.text[start:end])
            line.entities = [e for e in by_start if start <= e.start < end]
            ids = {e.id for e in line.entities}
            line.relations = [r for r in self.relations if r[1] in ids]
            line.or_groups = [g for g in self.or_groups if ids.intersection(g)]
            yield line


def read_file(txt: Path) -> ChiaFile:
    """Read ``NCT…_inc.txt`` and its ``.ann``."""
    text = txt.read_bytes().decode("utf-8", errors="replace")
    trial, _, section = txt.stem.partition("_")
    entities: dict[str, ChiaEntity] = {}
    relations: list[tuple[str, str, str]] = []
    or_groups: list[list[str]] = []
    ann = txt.with_suffix(".ann")
    lines = ann.read_text(encoding="utf-8").splitlines() if ann.is_file() else []
    for row in lines:
        parts = row.split("\t")
        if len(parts) < 2:
            continue
        if parts[0].startswith("T"):
            label, _, spans = parts[1].partition(" ")
            offsets = [int(x) for x in re.findall(r"\d+", spans)]
            if not offsets:
                continue
            start, end = min(offsets), max(offsets)
            entities[parts[0]] = ChiaEntity(
                parts[0], label, start, end, text[start:end]
            )
        elif parts[0].startswith("R"):
            name, *args = parts[1].split()
            ids = [m.group(1) for a in args if (m := _ARG.match(a))]
            if len(ids) == 2:
                relations.append((name, ids[0], ids[1]))
        elif parts[0].startswith("*"):
            name, *ids = parts[1].split()
            if name == "OR":
                or_groups.append(ids)
    return ChiaFile(
        trial,
        "exclusion" if section == "exc" else "inclusion",
        text,
        entities,
        relations,
        or_groups,
    )


def read_corpus(root: Path) -> Iterator[ChiaFile]:
    """Every file of a Chia directory, sorted by name."""
    for txt in sorted(root.glob("NCT*_*.txt")):
        yield read_file(txt)
