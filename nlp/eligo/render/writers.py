"""Writers for parsed documents: JSON Lines, a streamed JSON array, a table.

Each writer writes a document as soon as it gets it and flushes, so output
already written stays complete and valid whatever happens to the rest of a
batch; the JSON array writer closes its array when it is closed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol, TextIO

from ..document import Criterion, Document
from .document import render_age_range, render_constraint

if TYPE_CHECKING:
    from rich.text import Text


class Writer(Protocol):
    """Something that takes documents one by one."""

    def write(self, doc: Document) -> None: ...

    def close(self) -> None: ...


class JsonLinesWriter:
    """One JSON object per line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, doc: Document) -> None:
        self.write_json(doc.model_dump_json())

    def write_json(self, text: str) -> None:
        self.stream.write(text)
        self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        self.stream.flush()


class JsonArrayWriter:
    """A JSON array, streamed: ``[`` first, ``]`` on close."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.count = 0
        self.stream.write("[")

    def write(self, doc: Document) -> None:
        self.write_json(doc.model_dump_json())

    def write_json(self, text: str) -> None:
        self.stream.write(",\n" if self.count else "\n")
        self.stream.write(text)
        self.stream.flush()
        self.count += 1

    def close(self) -> None:
        self.stream.write("\n]\n" if self.count else "]\n")
        self.stream.flush()


class TableWriter:
    """A readable terminal view: one table of criteria per document."""

    def __init__(self, stream: TextIO, *, width: int | None = None) -> None:
        from rich.console import Console

        self.console = Console(file=stream, width=width, highlight=False)

    def write(self, doc: Document) -> None:
        from rich.table import Table
        from rich.text import Text

        title = doc.id if not doc.title else f"{doc.id}  {doc.title}"
        table = Table(title=title, title_justify="left", show_lines=False, expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("section", no_wrap=True)
        table.add_column("criterion", ratio=3)
        table.add_column("constraints", ratio=2)
        table.add_column("concepts", ratio=2)
        table.add_column("chars", justify="right", no_wrap=True)
        style = {"inclusion": "green", "exclusion": "red", "unknown": "yellow"}
        for i, crit in enumerate(doc.criteria, 1):
            text = " ".join(_unescape(doc.text[crit.start : crit.end]).split())
            if crit.heading is not None:
                text = f"[{' '.join(crit.heading.text.split())}] {text}"
            table.add_row(
                str(i),
                Text(crit.section, style=style[crit.section]),
                Text(text),
                Text("\n".join(render_constraint(c) for c in crit.constraints)),
                _concepts(doc, crit),
                f"{crit.start}-{crit.end}",
            )
        self.console.print(table)
        age = doc.summary.age
        if age is not None or doc.summary.sex:
            span = "any"
            if age is not None:
                span = render_age_range(age)
            self.console.print(f"  summary: {span}, sex {doc.summary.sex or '?'}")
        for mismatch in doc.summary.mismatches:
            self.console.print(f"  [yellow]text vs registry:[/] {mismatch}")
        if doc.structured is not None:
            s = doc.structured
            self.console.print(
                f"  registry fields: age {_fmt(s.minimum_age)}–{_fmt(s.maximum_age)},"
                f" sex {s.sex or '?'}, healthy volunteers "
                f"{'?' if s.healthy_volunteers is None else s.healthy_volunteers}"
            )

    def close(self) -> None:
        return None


def _concepts(doc: Document, crit: Criterion) -> Text:
    """One line per concept: "Condition stroke", with its assertion and trigger
    when it is not "present" ("Condition stroke [negated: no history of]")."""
    from rich.text import Text

    out = Text()
    for i, ent in enumerate(crit.entities):
        if i:
            out.append("\n")
        out.append(f"{ent.label} ", style="dim")
        out.append(" ".join(_unescape(doc.text[ent.start : ent.end]).split()))
        assertion = ent.assertion or ("negated" if ent.negated else None)
        if assertion and assertion != "present":
            trigger = f": {ent.trigger.text}" if ent.trigger is not None else ""
            out.append(f" [{assertion}{trigger}]", style="bold magenta")
    return out


def _unescape(text: str) -> str:
    """Markdown escapes dropped, for display only ("\\>=" -> ">=")."""
    return re.sub(r"\\(?=[!-/:-@\[-`{-~])", "", text)


def _fmt(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:g}"


def make_writer(fmt: str, stream: TextIO) -> Writer:
    """The writer for an output format name (``jsonl``, ``json`` or ``table``)."""
    if fmt == "jsonl":
        return JsonLinesWriter(stream)
    if fmt == "json":
        return JsonArrayWriter(stream)
    if fmt == "table":
        return TableWriter(stream)
    if fmt == "parquet":
        raise ValueError("Parquet output goes to a directory: see ParquetWriter")
    raise ValueError(f"unknown output format {fmt!r}")
