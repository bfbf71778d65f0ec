"""``match``: one patient against parsed trials, ranked.

Matching reads :class:`~eligo.document.Document` objects only (never spaCy
objects), so trials can come from files (parsed here), from a store built by
``eligo index`` (reloaded, not re-parsed), or from a caller's own Documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from ..document import Document
from .evaluate import Context, evaluate
from .load import patient_from_data
from .patient import Patient
from .result import MatchFailure, MatchReport, TrialMatch
from .rules import match_rules

TrialSource = Document | str | Path


def match_document(doc: Document, ctx: Context) -> TrialMatch:
    """Every criterion of one trial, and the trial's verdict."""
    criteria = [evaluate(doc, i, ctx) for i in range(len(doc.criteria))]
    counts = {"met": 0, "not_met": 0, "unknown": 0, "not_computable": 0}
    for crit in criteria:
        counts[crit.verdict] += 1
    excluded_by = [c.index for c in criteria if c.verdict == "not_met"]
    missing: list[str] = []
    for crit in criteria:
        if crit.verdict == "unknown":
            missing += [m for m in crit.missing if m not in missing]
    if excluded_by:
        verdict = "excluded"
    elif counts["unknown"] or not criteria:
        verdict = "needs_review"
    else:
        verdict = "eligible"
    return TrialMatch(
        id=doc.id,
        title=doc.title,
        verdict=verdict,
        excluded_by=excluded_by,
        counts=counts,
        missing=missing,
        criteria=criteria,
    )


def rank_key(trial: TrialMatch) -> tuple[int, int, int, str]:
    """Eligible first, then needs review by fewest unknowns, then excluded."""
    order = {"eligible": 0, "needs_review": 1, "excluded": 2}[trial.verdict]
    return (order, trial.counts.get("unknown", 0), len(trial.excluded_by), trial.id)


def _is_store(path: Path) -> bool:
    return path.is_file() and path.suffix in (".duckdb", ".db")


def iter_documents(
    sources: Iterable[TrialSource], *, jobs: int = 1, concepts: bool = True
) -> Iterator[Document | MatchFailure]:
    """Documents from Documents, trial files/directories, or eligo stores."""
    pending: list[str] = []

    def parse_pending() -> Iterator[Document | MatchFailure]:
        if not pending:  # Documents alone: no parser to build (about 1.4 s)
            return
        from ..parse import ParseFailure, parse_trials
        from ..readers import read_paths
        from ..trial import ReadFailure

        for result in parse_trials(read_paths(pending), jobs=jobs, concepts=concepts):
            if isinstance(result, (ReadFailure, ParseFailure)):
                yield MatchFailure(
                    path=result.path, record=result.record, message=result.message()
                )
            else:
                yield result
        pending.clear()

    for source in sources:
        if isinstance(source, Document):
            yield source
            continue
        path = Path(source)
        if _is_store(path):
            from ..store import Store

            yield from parse_pending()
            try:
                with Store(path, read_only=True) as store:
                    yield from store.documents()
            except Exception as err:
                yield MatchFailure(
                    path=str(path), message=f"{path}: cannot read store: {err}"
                )
            continue
        pending.append(str(source))
    yield from parse_pending()


def match(
    patient: Patient | dict,
    trials: Iterable[TrialSource],
    *,
    as_of: date | None = None,
    lab_max_age_days: float | None = None,
    complete: Iterable[str] = (),
    jobs: int = 1,
) -> MatchReport:
    """Match one patient against trials: per-criterion verdicts, ranked trials.

    Args:
        patient: A :class:`Patient`, a profile dict or a FHIR R4 Bundle dict.
        trials: Documents, trial files or directories, or ``.duckdb`` stores.
        as_of: The reference date (today when ``None``): ages, windows and the
            age of lab results are computed on it.
        lab_max_age_days: Oldest lab result used when a criterion gives no
            window (``rules/match.json`` when ``None``).
        complete: Patient lists to treat as complete in addition to the
            profile's own ``complete`` ("conditions", "medications", ...).
        jobs: Worker processes for parsing trial files.

    Returns:
        The report: trials ranked (eligible, then fewest unknowns), failures,
        and warnings (strings that UTF-8 cannot encode, replaced, in the
        patient given as a dict or in a trial).
    """
    warnings: list[str] = []
    if not isinstance(patient, Patient):
        patient = patient_from_data(patient, on_warning=warnings.append)
    extra = [c for c in complete if c not in patient.complete]
    if extra:
        patient = patient.model_copy(update={"complete": [*patient.complete, *extra]})
    day = as_of or date.today()
    ctx = Context(
        patient=patient,
        as_of=day,
        lab_max_age_days=lab_max_age_days or match_rules().lab_max_age_days,
    )
    report = MatchReport(patient=patient.id, as_of=day.isoformat(), warnings=warnings)
    for item in iter_documents(trials, jobs=jobs):
        if isinstance(item, MatchFailure):
            report.failures.append(item)
        else:
            report.warnings += item.warning_lines()
            report.trials.append(match_document(item, ctx))
    report.trials.sort(key=rank_key)
    return report
