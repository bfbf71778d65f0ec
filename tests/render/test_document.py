"""The HTML view: highlighted text is the Document's text at its offsets."""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligo.cli import app
from eligo.document import Analyte, CanonicalBounds, Constraint, Document
from eligo.readers import read_paths
from eligo.render.document import _Mark, constraint_label, highlight, render_html
from eligo.trial import Trial

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "trials"
PAYLOAD = "<script>window.__pwned=1</script>"


class _Spans(HTMLParser):
    """Text under each ``data-span`` id, and each criterion's whole text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: dict[str, list[str]] = defaultdict(list)
        self.attrs: dict[str, list[dict[str, str | None]]] = defaultdict(list)
        self.criteria: dict[str, str] = {}
        self._open: list[str | None] = []
        self._crit: str | None = None
        self._in_text = 0
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "li" and a.get("class", "").startswith("crit"):
            self._crit = a["id"]
            self.criteria[self._crit] = ""
        if tag == "div" and a.get("class") == "text":
            self._in_text += 1
        if tag == "mark":
            self._open.append(a.get("data-span"))
            if a.get("data-span"):
                self.attrs[a["data-span"]].append(a)

    def handle_endtag(self, tag):
        if tag == "mark":
            self._open.pop()
        if tag == "div" and self._in_text:
            self._in_text -= 1

    def handle_data(self, data):
        if self._in_text and self._crit:
            self.criteria[self._crit] += data
        for span in self._open:
            if span:
                self.text[span].append(data)


def spans_of(html: str) -> _Spans:
    parser = _Spans()
    parser.feed(html)
    parser.close()
    return parser


def check_view(docs: list[Document], html: str) -> int:
    """Every constraint and entity is highlighted once, over exactly its text;
    returns how many were checked."""
    found = spans_of(html)
    checked = 0
    expected_ids = set()
    for k, doc in enumerate(docs):
        for i, crit in enumerate(doc.criteria):
            shown = found.criteria[f"d{k}-c{i}"]
            assert doc.text[crit.start : crit.end] in shown
            spans = [("k", j, c) for j, c in enumerate(crit.constraints)]
            spans += [("e", j, e) for j, e in enumerate(crit.entities)]
            for kind, j, span in spans:
                sid = f"d{k}-c{i}-{kind}{j}"
                expected_ids.add(sid)
                assert "".join(found.text[sid]) == doc.text[span.start : span.end], sid
                labelled = [a for a in found.attrs[sid] if a.get("data-label")]
                assert len(labelled) == 1, sid  # the label is shown once
                assert found.attrs[sid][0]["data-start"] == str(span.start)
                assert found.attrs[sid][0]["data-end"] == str(span.end)
                checked += 1
    shown_ids = {s for s in found.attrs if not re.search(r"-t\d+$", s)}
    assert shown_ids == expected_ids  # nothing highlighted that is not in the Doc
    return checked


def mark(start: int, end: int, rank: int, sid: str) -> _Mark:
    return _Mark(start, end, rank, sid, "entity", "ent", sid, sid)


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("Age 18 to 65", [(0, 12, 0), (0, 3, 1), (4, 12, 1)]),
        ("no history of stroke", [(0, 14, 2), (3, 10, 1), (15, 20, 1)]),
        ("crossing spans here", [(0, 12, 0), (9, 19, 1)]),  # split in two
        ("same span twice", [(0, 4, 0), (0, 4, 1)]),
        ("a < b & c > d", [(0, 5, 0), (4, 13, 1)]),
        ("nothing marked", []),
    ],
)
def test_highlight_keeps_every_span_text(text, marks) -> None:
    ms = [mark(s, e, r, f"m{n}") for n, (s, e, r) in enumerate(marks)]
    html = f'<li class="crit" id="d0-c0"><div class="text">{highlight(text, 0, len(text), ms)}</div></li>'
    found = spans_of(html)
    assert found.criteria["d0-c0"] == text
    for m in ms:
        assert "".join(found.text[m.id]) == text[m.start : m.end]
        assert sum(1 for a in found.attrs[m.id] if a.get("data-label")) == 1


def test_highlight_escapes_text() -> None:
    html = str(highlight(PAYLOAD, 0, len(PAYLOAD), [mark(0, 8, 0, "m")]))
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("constraint", "parts"),
    [
        (
            Constraint(
                type="measurement",
                start=0,
                end=5,
                high=2.0,
                high_inclusive=False,
                unit="mg/dL",
                analyte=Analyte(start=0, end=3, text="Bilirubin", code="1975-2"),
                canonical=CanonicalBounds(high=34.2, unit="umol/L"),
            ),
            ["Bilirubin < 2 mg/dL", "= < 34.2 umol/L", "LOINC 1975-2"],
        ),
        (
            Constraint(
                type="temporal",
                start=0,
                end=5,
                low_days=0,
                low_inclusive=True,
                high_days=28,
                high_inclusive=True,
                direction="before",
                anchor="screening",
            ),
            ["[0 d, 4 wk] before screening", "(0–28 d)"],
        ),
        (
            Constraint(type="pregnancy", start=0, end=5, assertion="hypothetical"),
            ["pregnancy", "[hypothetical]"],
        ),
    ],
)
def test_constraint_label(constraint, parts) -> None:
    label = constraint_label(constraint)
    for part in parts:
        assert part in label


def bundled_documents(parser) -> list[Document]:
    trials = [t for t in read_paths([EXAMPLES]) if isinstance(t, Trial)]
    return [parser.parse(t) for t in trials]


def test_bundled_examples_show_every_span(parser) -> None:
    import eligo

    docs = bundled_documents(parser)
    assert eligo.render_html is render_html
    assert check_view(docs, eligo.render_html(docs)) > 20


@pytest.mark.shared
def test_seed_pages_show_every_span(parser, shared_dir) -> None:
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    docs = [
        parser.parse(
            Trial(id=p.stem, text=p.read_text(encoding="utf-8"), source_format="text")
        )
        for p in seeds
    ]
    html = render_html(docs)
    checked = check_view(docs, html)
    assert checked == sum(
        len(c.constraints) + len(c.entities) for d in docs for c in d.criteria
    )
    assert checked > 100
    # the assertions are marked, with their trigger
    assert 'class="trg"' in html and "asr-negated" in html


def test_untrusted_text_is_escaped_and_nothing_is_loaded(parser) -> None:
    text = f"Inclusion Criteria:\n- Age 18 to 65 {PAYLOAD}\n- Title <b>x</b>\n"
    doc = parser.parse(Trial(id=f"id{PAYLOAD}", text=text, source_format="text"))
    doc.title = PAYLOAD
    html = render_html(doc)
    assert PAYLOAD not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    found = spans_of(html)
    assert not [t for t, _ in found.tags if t in ("script", "link", "img", "iframe")]
    for _, attrs in found.tags:
        for name in ("src", "href"):
            assert not attrs.get(name), attrs
    assert PAYLOAD in found.criteria["d0-c0"]


def test_logic_tree_is_shown(parser) -> None:
    text = "Inclusion Criteria:\n- ALT <= 2.5 x ULN or bilirubin < 2 mg/dL\n"
    doc = parser.parse(Trial(id="t", text=text, source_format="text"))
    assert doc.criteria[0].logic is not None
    html = render_html(doc)
    assert '<span class="op">OR</span>' in html
    assert "[0] ALT ≤ 2.5 × ULN" in html and "[1] bilirubin &lt; 2 mg/dL" in html


def test_cli_render(tmp_path) -> None:
    out = tmp_path / "view.html"
    result = CliRunner().invoke(app, ["render", str(EXAMPLES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 documents" in result.stderr
    html = out.read_text(encoding="utf-8")
    assert html.count('<section class="document"') == 3
    bad = tmp_path / "bad.xml"
    bad.write_text("<clinical_study>", encoding="utf-8")
    failed = CliRunner().invoke(app, ["render", str(bad), "-o", str(out)])
    assert failed.exit_code == 1
    assert "bad.xml" in failed.stderr
