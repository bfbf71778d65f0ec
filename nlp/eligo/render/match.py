"""The terminal view of a match report (rich tables); JSON is the report itself."""

from __future__ import annotations

from typing import IO

from ..match.result import CriterionMatch, MatchReport, TrialMatch

VERDICT_STYLE = {
    "met": ("met", "green"),
    "not_met": ("NOT MET", "bold red"),
    "unknown": ("unknown", "yellow"),
    "not_computable": ("not computable", "dim"),
}
TRIAL_STYLE = {
    "eligible": "bold green",
    "excluded": "bold red",
    "needs_review": "bold yellow",
}


def _why(crit: CriterionMatch) -> str:
    lines = []
    for ev in crit.evidence:
        mark = {True: "+", False: "-", None: "?"}[ev.holds]
        fact = f" [{ev.fact}]" if ev.fact else ""
        lines.append(f"{mark} {ev.reason}{fact}")
    if crit.note:
        lines.append(crit.note)
    return "\n".join(lines)


def _trial_title(trial: TrialMatch) -> str:
    counts = ", ".join(
        f"{v} {k.replace('_', ' ')}" for k, v in trial.counts.items() if v
    )
    title = f" {trial.title}" if trial.title else ""
    return f"{trial.id}{title}: {trial.verdict.replace('_', ' ')} ({counts})"


def write_table(
    report: MatchReport, stream: IO[str], *, width: int | None = None
) -> None:
    """Write the report as one table per trial, ranked."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=width, soft_wrap=False)
    console.print(
        f"Patient {report.patient}, as of {report.as_of}: {len(report.trials)} trial(s)"
    )
    for trial in report.trials:
        table = Table(
            title=_trial_title(trial),
            title_style=TRIAL_STYLE[trial.verdict],
            title_justify="left",
            show_lines=True,
            expand=True,
        )
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("section", no_wrap=True)
        table.add_column("verdict", no_wrap=True)
        table.add_column("criterion", ratio=2)
        table.add_column("why", ratio=3)
        for crit in trial.criteria:
            label, style = VERDICT_STYLE[crit.verdict]
            table.add_row(
                str(crit.index + 1),
                crit.section[:3],
                f"[{style}]{label}[/]",
                crit.text,
                _why(crit),
            )
        console.print(table)
        if trial.missing:
            console.print("  To collect: " + "; ".join(trial.missing))
    for failure in report.failures:
        console.print(f"[red]failed:[/] {failure.message}")
