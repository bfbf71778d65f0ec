"""The ``eligo`` command: a thin typer layer over :mod:`eligo.parse.batch`.

Heavy imports (spaCy, the pipeline) happen inside the commands, so
``eligo --help`` answers at once.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="eligo",
    help="Clinical-trial eligibility criteria as structured, traceable constraints.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# Options shared by the commands that parse (parse, index).
JobsOption = Annotated[int, typer.Option(min=1, help="Worker processes.")]
MaxCharsOption = Annotated[
    int, typer.Option(min=1, help="Longest criteria text accepted (characters).")
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress or summary on stderr.")
]


class SectionOpt(str, Enum):
    inclusion = "inclusion"
    exclusion = "exclusion"
    unknown = "unknown"


class RecordOpt(str, Enum):
    conditions = "conditions"
    medications = "medications"
    procedures = "procedures"
    observations = "observations"
    trials = "trials"


class FormatOpt(str, Enum):
    jsonl = "jsonl"
    json = "json"
    table = "table"
    parquet = "parquet"


class EngineOpt(str, Enum):
    local = "local"
    dask = "dask"


EngineOption = Annotated[
    EngineOpt,
    typer.Option(
        help="Where to parse: local processes (--jobs), or a Dask cluster "
        "(--scheduler, else a local one of --jobs workers)."
    ),
]
SchedulerOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(help="Dask scheduler address (tcp://host:8786) for --engine dask."),
]


class _Spinner:
    """A count-and-elapsed-time spinner on stderr, or nothing when disabled."""

    def __init__(self, enabled: bool, noun: str) -> None:
        self._progress = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn(f"{{task.completed}} {noun}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(noun, total=None)

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _warn(message: str) -> None:
    """A record read and parsed all the same, with a note (one line)."""
    typer.echo(f"eligo: warning: {message}", err=True)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"eligo {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """eligo: trial records in, every criterion out as structured constraints."""


@app.command()
def parse(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files or directories (recursive); '-' reads stdin."),
    ],
    section: Annotated[
        SectionOpt,
        typer.Option(help="Section of criteria that no header places."),
    ] = SectionOpt.unknown,
    fmt: Annotated[
        Optional[FormatOpt],  # noqa: UP045 (typer needs Optional on 3.10)
        typer.Option(
            "--format",
            help="Output format [default: table on a terminal, else jsonl].",
        ),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output", "-o", help="Write here instead of stdout."),
    ] = None,
    jobs: JobsOption = 1,
    max_chars: MaxCharsOption = 1_000_000,
    no_concepts: Annotated[
        bool,
        typer.Option(
            "--no-concepts",
            help="Skip the trained concept model: no entities, several times "
            "faster (bulk runs that need constraints only).",
        ),
    ] = False,
    codes: Annotated[
        bool,
        typer.Option(
            "--codes",
            help="ICD-10-CM codes on Condition entities, only where certain "
            "(the index is built into ~/.cache/eligo or $ELIGO_CACHE on first "
            "use, about 1.5 min).",
        ),
    ] = False,
    compact: Annotated[
        bool,
        typer.Option(
            "--compact",
            help="JSON without the fields that hold their default (empty, "
            "null, false); read back unchanged.",
        ),
    ] = False,
    engine: EngineOption = EngineOpt.local,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
) -> None:
    """Parse trial records into documents: sections, criteria and constraints."""
    from .parse.batch import run_parse
    from .render.writers import Writer, make_writer

    err_tty = sys.stderr.isatty()
    chosen = (
        fmt.value
        if fmt
        else ("table" if output is None and sys.stdout.isatty() else "jsonl")
    )
    writer: Writer
    if chosen == "parquet":
        from .errors import EligoError
        from .store.parquet import ParquetWriter

        if output is None:
            typer.echo("eligo: error: --format parquet needs -o DIRECTORY", err=True)
            raise typer.Exit(code=2)
        try:
            writer = ParquetWriter(output)
        except EligoError as err:
            typer.echo(f"eligo: error: {err}", err=True)
            raise typer.Exit(code=2) from err
        out_stream = None
    else:
        out_stream = (
            sys.stdout if output is None else output.open("w", encoding="utf-8")
        )
        writer = make_writer(chosen, out_stream)

    def on_error(message: str) -> None:
        typer.echo(f"eligo: error: {message}", err=True)

    progress = _Spinner(err_tty and not quiet and chosen != "table", "documents")

    def on_document(_doc: object) -> None:
        progress.advance()

    try:
        stats = run_parse(
            paths,
            writer,
            section=section.value,
            jobs=jobs,
            max_chars=max_chars,
            concepts=not no_concepts,
            codes=codes,
            compact=compact,
            engine=engine.value,
            scheduler=scheduler,
            on_error=on_error,
            on_document=on_document,
            on_warning=_warn,
        )
    finally:
        progress.stop()
        if output is not None and out_stream is not None:
            out_stream.close()
    if not quiet:
        typer.echo(f"eligo: {stats.summary_line()}", err=True)
    if stats.failures:
        raise typer.Exit(code=1)


@app.command()
def schema(
    patient: Annotated[
        bool,
        typer.Option(
            "--patient", help="The patient profile schema that 'eligo match' reads."
        ),
    ] = False,
) -> None:
    """Print the JSON Schema of the documents that 'eligo parse' writes."""
    if patient:
        from .match.patient import published_patient_schema

        typer.echo(json.dumps(published_patient_schema(), indent=2))
        return
    from .document import published_json_schema

    typer.echo(json.dumps(published_json_schema(), indent=2))


@app.command()
def index(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files or directories (recursive); '-' reads stdin."),
    ],
    db: Annotated[
        Path, typer.Option("--db", help="The DuckDB store (created if missing).")
    ] = Path("eligo.duckdb"),
    jobs: JobsOption = 1,
    max_chars: MaxCharsOption = 1_000_000,
    engine: EngineOption = EngineOpt.local,
    scheduler: SchedulerOption = None,
    parquet: Annotated[
        bool,
        typer.Option(
            "--parquet",
            help="PATHS are directories that 'eligo parse --format parquet' "
            "wrote: load their rows, no parsing.",
        ),
    ] = False,
    memory_limit: Annotated[
        str,
        typer.Option(
            "--memory-limit",
            help="DuckDB's memory for the store while writing (e.g. 512MB, 2GB).",
        ),
    ] = "512MB",  # eligo.store.db.DEFAULT_MEMORY_LIMIT (not imported at start-up)
    quiet: QuietOption = False,
) -> None:
    """Parse trials into a DuckDB store, skipping records that did not change."""
    from .store import Store, StoreError, run_index

    def on_error(message: str) -> None:
        typer.echo(f"eligo: error: {message}", err=True)

    try:
        store = Store(db, memory_limit=memory_limit)
    except StoreError as err:
        typer.echo(f"eligo: error: {err}", err=True)
        raise typer.Exit(code=2) from err
    if parquet:
        _load_parquet(store, paths, db, quiet)
        return
    progress = _Spinner(sys.stderr.isatty() and not quiet, "records")

    def on_record(_outcome: str) -> None:
        progress.advance()

    try:
        stats = run_index(
            paths,
            store,
            jobs=jobs,
            max_chars=max_chars,
            engine=engine.value,
            scheduler=scheduler,
            on_error=on_error,
            on_record=on_record,
            on_warning=_warn,
        )
    finally:
        progress.stop()
        store.close()
    if not quiet:
        typer.echo(f"eligo: {db}: {stats.summary_line()}", err=True)
    if stats.failures:
        raise typer.Exit(code=1)


def _load_parquet(store: object, paths: list[str], db: Path, quiet: bool) -> None:
    from .errors import EligoError
    from .store import Store
    from .store.parquet import load_parquet

    assert isinstance(store, Store)
    failed = 0
    try:
        for path in paths:
            try:
                loaded = load_parquet(store, path)
            except (EligoError, OSError) as err:
                typer.echo(f"eligo: error: {err}", err=True)
                failed += 1
                continue
            if not quiet:
                typer.echo(f"eligo: {db}: {loaded} trials loaded from {path}", err=True)
    finally:
        store.close()
    if failed:
        raise typer.Exit(code=1)


@app.command()
def audit(
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="The HTML report (JSON and CSV are written beside it)."
        ),
    ],
    db: Annotated[Path, typer.Option("--db", help="The DuckDB store.")] = Path(
        "eligo.duckdb"
    ),
    trial: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--trial", help="Audit only this trial (repeatable)."),
    ] = None,
    condition: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Audit only trials whose conditions or title contain this."),
    ] = None,
    json_out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--json", help="Findings as JSON [default: OUT with .json]."),
    ] = None,
    csv_out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--csv", help="Findings as CSV [default: OUT with .csv]."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary on stderr.")
    ] = False,
) -> None:
    """Audit stored trials and write an HTML report with JSON and CSV findings."""
    from .audit import run_audit
    from .audit.report import write_report
    from .store import Store, StoreError

    try:
        store = Store(db, read_only=True)
    except StoreError as err:
        typer.echo(f"eligo: error: {err}", err=True)
        raise typer.Exit(code=2) from err
    try:
        result = run_audit(store, trial_ids=trial or None, condition=condition)
    finally:
        store.close()
    missing = sorted(set(trial or ()) - set(result.documents))
    for trial_id in missing:
        typer.echo(f"eligo: error: {trial_id}: not in the store", err=True)
    written = write_report(result, out, json_path=json_out, csv_path=csv_out)
    if not quiet:
        files = ", ".join(str(p) for p in written)
        typer.echo(f"eligo: {result.summary_line()} -> {files}", err=True)
    if missing or not result.documents:
        raise typer.Exit(code=1)


@app.command()
def render(
    paths: Annotated[
        list[str],
        typer.Argument(help="Trial files or directories (recursive); '-' reads stdin."),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The HTML file to write.")
    ] = Path("eligo.html"),
    section: Annotated[
        SectionOpt,
        typer.Option(help="Section of criteria that no header places."),
    ] = SectionOpt.unknown,
    jobs: JobsOption = 1,
    max_chars: MaxCharsOption = 1_000_000,
    no_concepts: Annotated[
        bool, typer.Option("--no-concepts", help="Skip the concept model.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Write an offline HTML view of trials: criteria, constraints, concepts."""
    from .render.document import write_view

    stats = write_view(
        paths,
        out,
        section=section.value,
        concepts=not no_concepts,
        jobs=jobs,
        max_chars=max_chars,
    )
    for message in stats.failures:
        typer.echo(f"eligo: error: {message}", err=True)
    if not quiet:
        typer.echo(f"eligo: {stats.documents} documents -> {out}", err=True)
    if stats.failures or not stats.documents:
        raise typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port.")] = 8000,
    no_concepts: Annotated[
        bool, typer.Option("--no-concepts", help="Skip the concept model.")
    ] = False,
    max_body: Annotated[
        int, typer.Option(min=1, help="Largest request body accepted (bytes).")
    ] = 1_000_000,
    max_chars: MaxCharsOption = 200_000,
) -> None:
    """Serve POST /parse, POST /match and a page to paste criteria (GET /)."""
    try:
        from .serve import serve as run_serve
    except ImportError as err:  # fastapi or uvicorn missing
        typer.echo(
            f"eligo: error: 'eligo serve' needs fastapi and uvicorn ({err}); "
            "pip install 'fastapi' 'uvicorn'",
            err=True,
        )
        raise typer.Exit(code=2) from err
    typer.echo(f"eligo: serving on http://{host}:{port}/", err=True)
    run_serve(
        host=host,
        port=port,
        concepts=not no_concepts,
        max_body=max_body,
        max_chars=max_chars,
    )


class MatchFormatOpt(str, Enum):
    json = "json"
    table = "table"


@app.command()
def match(
    patient: Annotated[
        Path,
        typer.Argument(
            help="Patient profile JSON, FHIR R4 Bundle JSON, or a free-text "
            "note (.txt)."
        ),
    ],
    trials: Annotated[
        list[str],
        typer.Argument(help="Trial files, directories, or an eligo .duckdb store."),
    ],
    as_of: Annotated[
        Optional[datetime],  # noqa: UP045
        typer.Option(
            "--as-of", formats=["%Y-%m-%d"], help="Reference date [default: today]."
        ),
    ] = None,
    fmt: Annotated[
        Optional[MatchFormatOpt],  # noqa: UP045
        typer.Option(
            "--format", help="Output format [default: table on a terminal, else json]."
        ),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output", "-o", help="Write here instead of stdout."),
    ] = None,
    complete: Annotated[
        Optional[list[RecordOpt]],  # noqa: UP045
        typer.Option(
            "--complete",
            help="Treat this patient list as the whole record: what it does not "
            "list is absent (repeatable).",
        ),
    ] = None,
    lab_days: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(
            "--lab-days",
            min=1,
            help="Oldest lab result used when a criterion gives no window "
            "[default: 90].",
        ),
    ] = None,
    jobs: JobsOption = 1,
    quiet: QuietOption = False,
) -> None:
    """Match one patient against trials: per-criterion verdicts, ranked trials."""
    from .match import match as run_match
    from .match.load import load_patient
    from .match.note import NOTE_SUFFIXES, load_note
    from .match.patient import PatientError
    from .render.match import write_table

    patient_warnings: list[str] = []
    try:
        if patient.suffix.lower() in NOTE_SUFFIXES:
            person = load_note(
                patient,
                on=as_of.date() if as_of else None,
                on_warning=patient_warnings.append,
            )
        else:
            person = load_patient(patient, on_warning=patient_warnings.append)
    except PatientError as err:
        typer.echo(f"eligo: error: {err}", err=True)
        raise typer.Exit(code=2) from err
    report = run_match(
        person,
        trials,
        as_of=as_of.date() if as_of else None,
        lab_max_age_days=lab_days,
        complete=[c.value for c in complete or ()],
        jobs=jobs,
    )
    report.warnings[:0] = patient_warnings
    for line in report.warnings:
        _warn(line)
    for failure in report.failures:
        typer.echo(f"eligo: error: {failure.message}", err=True)
    chosen = (
        fmt.value
        if fmt
        else ("table" if output is None and sys.stdout.isatty() else "json")
    )
    stream = sys.stdout if output is None else output.open("w", encoding="utf-8")
    try:
        if chosen == "table":
            write_table(report, stream)
        else:
            stream.write(report.model_dump_json(indent=2) + "\n")
    finally:
        if output is not None:
            stream.close()
    if not quiet:
        verdicts = [t.verdict for t in report.trials]
        counts = ", ".join(
            f"{verdicts.count(v)} {v.replace('_', ' ')}"
            for v in ("eligible", "needs_review", "excluded")
        )
        typer.echo(
            f"eligo: {len(verdicts)} trials: {counts}; {len(report.failures)} failures",
            err=True,
        )
    if report.failures:
        raise typer.Exit(code=1)


def main() -> None:
    """Entry point of the ``eligo`` script."""
    app()


if __name__ == "__main__":
    main()
