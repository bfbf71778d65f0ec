"""Write an audit: a self-contained HTML report, and the findings as JSON and CSV.

The HTML works offline and loads nothing: the charts are Vega-Lite
specifications made with altair and drawn by the Vega, Vega-Lite and
vega-embed JavaScript that ``vl-convert-python`` bundles, inlined in the page.
Registry text is untrusted: the template autoescapes every value, the evidence
span is highlighted with ``<mark>`` around separately escaped pieces, and JSON
or JavaScript put inside ``<script>`` has ``<``, ``>`` and ``&`` escaped so it
cannot close the element. A Content-Security-Policy forbids any network load.

The HTML shows at most ``max_per_kind`` findings per kind (the JSON and CSV
hold all of them) and charts the largest distributions of each family.
"""

from __future__ import annotations

import csv
import json
import statistics
from functools import cache
from pathlib import Path
from typing import Any

from .. import __version__
from ..document import Document
from . import AuditResult
from .cohort import Distribution
from .findings import KINDS, Finding
from .rules import audit_rules

MAX_PER_KIND = 300
_MAX_THRESHOLD_CHARTS = 12
CSV_FIELDS = (
    "kind",
    "severity",
    "trial_id",
    "criterion",
    "section",
    "start",
    "end",
    "evidence",
    "message",
    "text",
    "data",
)


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``<``, ``>`` or ``&``)."""
    raw = json.dumps(value, ensure_ascii=False)
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_text(code: str) -> str:
    """JavaScript safe inside a ``<script>`` element."""
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


@cache
def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (``window.vegaEmbed``)."""
    import vl_convert

    snippet = (
        "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
    )
    return script_text(vl_convert.javascript_bundle(snippet))


def findings_json(result: AuditResult) -> dict[str, Any]:
    """The JSON document of an audit: counts, cross-trial summary, findings."""
    return {
        "eligo": __version__,
        "scope": result.scope,
        "trials": len(result.documents),
        "counts": result.counts(),
        "not_computable": {k: round(v, 4) for k, v in result.not_computable.items()},
        "summary": result.summary.to_dict(),
        "findings": [f.model_dump(mode="json") for f in result.findings],
    }


def write_json(result: AuditResult, path: str | Path) -> None:
    """Write :func:`findings_json` to ``path``."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(findings_json(result), handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def write_csv(result: AuditResult, path: str | Path) -> None:
    """Write one row per finding (``data`` as a JSON string) to ``path``."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for f in result.findings:
            row = f.model_dump(mode="json", include=set(CSV_FIELDS))
            row["data"] = json.dumps(f.data, ensure_ascii=False, sort_keys=True)
            writer.writerow(row)


def _pieces(
    doc: Document, criterion: int, start: int | None, end: int | None
) -> tuple[str, str, str]:
    crit = doc.criteria[criterion]
    a, b = crit.start, crit.end
    if start is None or end is None:
        return (doc.text[a:b], "", "")
    s, e = max(a, min(start, b)), max(a, min(end, b))
    return (doc.text[a:s], doc.text[s:e], doc.text[e:b])


def _where(doc: Document, criterion: int | None) -> str:
    if criterion is None:
        return ""
    return f"criterion {criterion + 1} ({doc.criteria[criterion].section})"


def _finding_view(result: AuditResult, f: Finding) -> dict[str, Any]:
    doc = result.documents.get(f.trial_id)
    view: dict[str, Any] = {
        "severity": f.severity,
        "trial_id": f.trial_id,
        "message": f.message,
        "title": doc.title if doc else None,
        "where": "",
        "pieces": None,
        "related": [],
    }
    if doc is None or f.criterion is None or f.criterion >= len(doc.criteria):
        return view
    view["where"] = _where(doc, f.criterion)
    view["pieces"] = _pieces(doc, f.criterion, f.start, f.end)
    for r in f.related:
        c = r.get("criterion")
        if c is None or c >= len(doc.criteria) or c == f.criterion:
            continue
        view["related"].append(
            {"where": _where(doc, c), "pieces": _pieces(doc, c, r["start"], r["end"])}
        )
    return view


def _chart(dists: list[Distribution], title: str) -> dict[str, Any]:
    """A strip chart: one row per distribution, one dot per value."""
    import altair as alt

    rows = [
        {
            "trial": p.trial_id,
            "value": p.value,
            "group": d.name,
            "outlier": "outlier" if p.outlier else "typical",
        }
        for d in dists
        for p in d.points
    ]
    log = all(d.log for d in dists) and all(
        p.value > 0 for d in dists for p in d.points
    )
    unit = dists[0].unit
    chart = (
        alt.Chart(alt.Data(values=rows), title=title)
        .mark_circle(size=40, opacity=0.6)
        .encode(
            x=alt.X(
                "value:Q",
                title=unit,
                scale=alt.Scale(type="log") if log else alt.Scale(zero=False),
            ),
            y=alt.Y("group:N", title=None),
            color=alt.Color(
                "outlier:N",
                scale=alt.Scale(
                    domain=["typical", "outlier"], range=["#4c78a8", "#e45756"]
                ),
                legend=alt.Legend(title=None),
            ),
            tooltip=["trial:N", "value:Q", "outlier:N"],
        )
        .properties(width=640)
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def chart_specs(result: AuditResult) -> list[dict[str, Any]]:
    """Vega-Lite specifications of the report's charts.

    One chart of the text's minimum and maximum ages, one per threshold group
    (the twelve with most trials), and one of washout windows by drug class.
    """
    dists = result.summary.distributions
    specs = []
    ages = [d for d in dists if d.family == "age"]
    if ages:
        specs.append(_chart(ages, "Age limits in the text (years)"))
    thresholds = sorted(
        (d for d in dists if d.family == "threshold"), key=lambda d: -d.trials
    )
    for d in thresholds[:_MAX_THRESHOLD_CHARTS]:
        specs.append(_chart([d], f"Thresholds: {d.name} ({d.unit}), {d.trials} trials"))
    washouts = [d for d in dists if d.family == "washout"]
    if washouts:
        specs.append(_chart(washouts, "Washout windows by drug class (days)"))
    return specs


def render_html(result: AuditResult, *, max_per_kind: int = MAX_PER_KIND) -> str:
    """The report as one self-contained HTML string."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    from .template import TEMPLATE

    rules = audit_rules()
    counts = result.counts()
    by_kind: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_kind.setdefault(f.kind, []).append(f)
    groups = [
        {
            "kind": kind,
            "count": len(items),
            "meaning": KINDS.get(kind, ""),
            "hidden": len(items) > max_per_kind,
            "entries": [_finding_view(result, f) for f in items[:max_per_kind]],
        }
        for kind, items in sorted(
            by_kind.items(), key=lambda kv: list(KINDS).index(kv[0])
        )
    ]
    shares = result.not_computable
    top = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    specs = chart_specs(result)
    summary = result.summary.to_dict()
    return env.from_string(TEMPLATE).render(
        scope=result.scope,
        trials=len(result.documents),
        total=len(result.findings),
        version=__version__,
        seconds=result.seconds,
        counts=[
            {
                "kind": k,
                "severity": rules.severities[k],
                "count": n,
                "meaning": KINDS[k],
            }
            for k, n in counts.items()
        ],
        nc_mean=statistics.fmean(shares.values()) if shares else 0.0,
        nc_top=[(k, v) for k, v in top if v > 0],
        charts=specs,
        distributions=summary["distributions"],
        units=[
            (a, sorted(u.items(), key=lambda kv: -kv[1]))
            for a, u in sorted(result.summary.units.items())
            if len(u) > 1
        ],
        common=summary["common_signatures"],
        common_texts=summary["common_texts"],
        groups=groups,
        charts_json=jinja2.utils.markupsafe.Markup(script_json(specs)),
        bundle=jinja2.utils.markupsafe.Markup(javascript_bundle()),
    )


def write_html(result: AuditResult, path: str | Path) -> None:
    """Write :func:`render_html` to ``path``."""
    Path(path).write_text(render_html(result), encoding="utf-8")


def write_report(
    result: AuditResult,
    out: str | Path,
    *,
    json_path: str | Path | None = None,
    csv_path: str | Path | None = None,
) -> list[Path]:
    """Write the HTML report and, next to it or where given, JSON and CSV.

    Args:
        result: The audit.
        out: The HTML file.
        json_path: The JSON file (``out`` with ``.json`` when ``None``).
        csv_path: The CSV file (``out`` with ``.csv`` when ``None``).

    Returns:
        The files written.
    """
    out = Path(out)
    json_out = Path(json_path) if json_path else out.with_suffix(".json")
    csv_out = Path(csv_path) if csv_path else out.with_suffix(".csv")
    write_html(result, out)
    write_json(result, json_out)
    write_csv(result, csv_out)
    return [out, json_out, csv_out]
