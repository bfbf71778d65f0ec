"""The audit report: escaping, JSON/CSV, no remote resource, a real browser."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from eligo.audit.findings import KINDS
from eligo.audit.report import (
    CSV_FIELDS,
    render_html,
    script_json,
    write_report,
)
from eligo.cli import app
from tests.browser import headless_page, needs_chromium

PAYLOAD = "<script>window.__pwned=1</script>"


@pytest.fixture(scope="module")
def report(audit_result, tmp_path_factory) -> tuple[Path, Path, Path]:
    out = tmp_path_factory.mktemp("report") / "report.html"
    html, js, cs = write_report(audit_result, out)
    return html, js, cs


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_untrusted_text_is_escaped(report):
    html = report[0].read_text(encoding="utf-8")
    assert PAYLOAD not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html


def test_evidence_is_marked(report):
    html = report[0].read_text(encoding="utf-8")
    assert "<mark>In the opinion of the investigator</mark>" in html
    assert "<mark>older than 65 years</mark>" in html


def test_no_remote_resources(report):
    html = report[0].read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(?:https?:)?//", value), (tag, name, value)
        if tag == "link":
            pytest.fail(f"external stylesheet/link: {attrs}")
    scripts = [a for t, a in parser.tags if t == "script"]
    assert scripts and all("src" not in a for a in scripts)


def test_summary_comes_first_and_lists_every_kind(report):
    html = report[0].read_text(encoding="utf-8")
    assert html.index('id="summary"') < html.index('id="findings"')
    for kind in KINDS:
        assert f'id="kind-{kind}"' in html


def test_json_findings(report, audit_result):
    data = json.loads(report[1].read_text(encoding="utf-8"))
    assert data["counts"] == audit_result.counts()
    assert len(data["findings"]) == len(audit_result.findings)
    assert {f["kind"] for f in data["findings"]} == set(KINDS)
    assert any(PAYLOAD in (f["text"] or "") for f in data["findings"])
    assert data["summary"]["distributions"]


def test_csv_findings(report, audit_result):
    with report[2].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_FIELDS
    assert len(rows) == len(audit_result.findings)
    assert all(json.loads(r["data"]) is not None for r in rows)


def test_script_json_cannot_close_a_script():
    raw = script_json({"x": "</script><b>&"})
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert json.loads(raw) == {"x": "</script><b>&"}


def test_render_caps_findings_per_kind(audit_result):
    html = render_html(audit_result, max_per_kind=1)
    assert "all 2 are in the JSON and CSV files" in html


def test_cli_index_and_audit(tmp_path):
    from typer.testing import CliRunner

    fixture = (
        Path(__file__).resolve().parents[1] / "fixtures" / "audit" / "trials.jsonl"
    )
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    first = runner.invoke(app, ["index", str(fixture), "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "7 added" in first.output
    again = runner.invoke(app, ["index", str(fixture), "--db", str(db)])
    assert "7 unchanged" in again.output
    out = tmp_path / "r.html"
    done = runner.invoke(
        app, ["audit", "--db", str(db), "--trial", "NCT99000001", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert out.is_file() and out.with_suffix(".json").is_file()
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert {f["trial_id"] for f in data["findings"]} == {"NCT99000001"}
    missing = runner.invoke(
        app, ["audit", "--db", str(db), "--trial", "NCT0", "--out", str(out)]
    )
    assert missing.exit_code == 1
    no_store = runner.invoke(
        app, ["audit", "--db", str(tmp_path / "none.duckdb"), "--out", str(out)]
    )
    assert no_store.exit_code == 2


@needs_chromium
def test_report_in_a_headless_browser(report):
    with headless_page(("file:", "data:", "about:")) as watched:
        page = watched.page
        page.goto(report[0].as_uri())
        page.wait_for_function(
            "window.__eligoCharts && window.__eligoCharts.done"
            " + window.__eligoCharts.failed === window.__eligoCharts.total",
            timeout=30_000,
        )
        charts = page.evaluate("window.__eligoCharts")
        sizes = page.evaluate(
            "Array.from(document.querySelectorAll('.chart svg'))"
            ".map(s => { const r = s.getBoundingClientRect();"
            " return [r.width, r.height]; })"
        )
        pwned = page.evaluate("typeof window.__pwned")
        shown = page.evaluate("document.body.innerText")
    assert charts["failed"] == 0 and charts["done"] == charts["total"] > 0
    assert len(sizes) == charts["total"]
    assert all(w > 0 and h > 0 for w, h in sizes)
    assert pwned == "undefined"
    assert PAYLOAD in shown
    assert watched.errors == []
    assert watched.remote == []
