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

:func:`chia_category` derives a category from the Chia annotations of one
criterion line (Kury et al. 2020), first rule that fires wins:

1. ``Informed_consent`` -> consent_compliance
2. ``Pregnancy_considerations``, or an entity whose text is about pregnancy,
   lactation, childbearing potential or contraception (Chia often marks
   "pregnant" as a Condition) -> pregnancy_contraception
3. ``Competing_trial`` -> trial_participation
4. ``Subjective_judgement`` -> investigator_judgement
5. a ``Person`` entity with a ``Has_value`` relation (an age), or only
   ``Person`` entities -> demographic
6. at least one ``Measurement`` with a ``Has_value`` relation, and no more
   Conditions than Measurements -> lab_measurement
7. ``Drug`` entities at least as many as Conditions, or a ``Procedure`` with a
   ``Has_temporal`` relation and no Condition -> prior_concomitant_therapy
8. ``Condition`` entities -> diagnosis
9. ``Procedure`` or ``Device`` entities -> procedure
10. ``Observation`` (habits, performance status, life expectancy) -> other

Lines with none of these annotations (unannotated, or only error labels) give
``None`` and are not trained on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..concepts.brat import split_of

_ARG = re.compile(r"Arg\d:(T\d+)")


def is_dev(trial_id: str) -> bool:
    """Whether a trial (``NCT…``, any ``_inc``/``_exc`` suffix) is in the dev split.

    The concept model's split (:func:`eligo_train.concepts.brat.split_of`), so every
    Chia benchmark reports on the same 116 trials.
    """
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


_PREGNANCY = re.compile(
    r"pregnan|lactat|breast-?\s?feed|nursing|child-?\s?bearing|contracep"
    r"|birth control",
    re.IGNORECASE,
)


def chia_category(line: ChiaLine) -> str | None:
    """The category of one Chia line from its annotations (rules above)."""
    labels = Counter(e.label for e in line.entities)
    by_id = {e.id: e.label for e in line.entities}
    has_value = {a for name, a, _ in line.relations if name == "Has_value"}
    has_temporal = {a for name, a, _ in line.relations if name == "Has_temporal"}
    valued = Counter(by_id[a] for a in has_value if a in by_id)
    timed = Counter(by_id[a] for a in has_temporal if a in by_id)
    if labels["Informed_consent"]:
        return "consent_compliance"
    if labels["Pregnancy_considerations"] or any(
        _PREGNANCY.search(e.text) for e in line.entities
    ):
        return "pregnancy_contraception"
    if labels["Competing_trial"]:
        return "trial_participation"
    if labels["Subjective_judgement"]:
        return "investigator_judgement"
    concepts = {"Condition", "Drug", "Procedure", "Measurement", "Observation"}
    n_person = labels["Person"]
    if valued["Person"] or (
        n_person and not any(labels[c] for c in concepts | {"Device"})
    ):
        return "demographic"
    if valued["Measurement"] and labels["Condition"] <= labels["Measurement"]:
        return "lab_measurement"
    if (labels["Drug"] and labels["Drug"] >= labels["Condition"]) or (
        timed["Procedure"] and not labels["Condition"]
    ):
        return "prior_concomitant_therapy"
    if labels["Condition"]:
        return "diagnosis"
    if labels["Procedure"] or labels["Device"]:
        return "procedure"
    if labels["Observation"]:
        return "other"
    return None
