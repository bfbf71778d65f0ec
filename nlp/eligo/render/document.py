"""Human-readable renderings of Documents: one line per constraint (the
terminal table, the audit) and the offline HTML view.

The HTML view (:func:`render_html`, ``eligo render``, the page of
``eligo serve``) shows each criterion in its section with its text as written,
constraint spans and concept mentions highlighted over it (displaCy-style),
assertion triggers marked, and the AND/OR tree. It is one Jinja2 template with
autoescaping on; criteria text, which comes from registries and so is
untrusted, is escaped by :func:`highlight` with ``markupsafe.escape`` before it
becomes markup. The page loads nothing and runs no script: its
Content-Security-Policy allows inline styles only.

Every highlighted element carries ``data-span`` (one id per span; a span that
crosses another is split into fragments with the same id), ``data-kind``
(constraint, entity, trigger) and ``data-start``/``data-end``: the text of a
span's fragments, joined, is ``Document.text[start:end]``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..document import AgeRange, Constraint, Criterion, Document, Entity, Logic

if TYPE_CHECKING:
    from jinja2 import Template

    from ..match.result import MatchReport

_DAYS = ((365.25, "y"), (30.4375, "mo"), (7.0, "wk"), (1.0, "d"))


def _num(value: float) -> str:
    return f"{value:g}"


def _days(value: float) -> str:
    for size, unit in _DAYS:
        if value >= size and abs(value / size - round(value / size)) < 1e-6:
            return f"{_num(round(value / size))} {unit}"
    return f"{_num(value)} d"


def _interval(
    low: float | None,
    low_inc: bool | None,
    high: float | None,
    high_inc: bool | None,
    fmt: Callable[[float], str] = _num,
) -> str:
    if low is not None and high is not None:
        if low == high:
            return f"= {fmt(low)}"
        left = "[" if low_inc else "("
        right = "]" if high_inc else ")"
        return f"{left}{fmt(low)}, {fmt(high)}{right}"
    if low is not None:
        return f"{'≥' if low_inc else '>'} {fmt(low)}"
    if high is not None:
        return f"{'≤' if high_inc else '<'} {fmt(high)}"
    return ""


def render_age_range(age: AgeRange) -> str:
    """A summary's age range as text, as :func:`render_constraint` writes an age."""
    return render_constraint(
        Constraint(
            type="age",
            start=0,
            end=0,
            low=age.low,
            low_inclusive=age.low_inclusive,
            high=age.high,
            high_inclusive=age.high_inclusive,
            unit="a",
        )
    )


def render_constraint(c: Constraint) -> str:
    """One line such as "platelets ≥ 75 10*9/L" or "within ≤ 4 wk before X"."""
    neg = "NOT " if c.negated else ""
    if c.type in ("temporal", "duration"):
        if c.value == "ever":
            body = "ever"
        else:
            body = _interval(
                c.low_days, c.low_inclusive, c.high_days, c.high_inclusive, _days
            )
        where = f" {c.direction}" if c.direction and c.type == "temporal" else ""
        anchor = f" {c.anchor}" if c.anchor else ""
        subject = f"{c.subject.text}: " if c.subject is not None else ""
        return f"{neg}{c.type} {subject}{body}{where}{anchor}".strip()
    if c.type in ("sex", "pregnancy", "breastfeeding"):
        value = f" {c.value}" if c.value else ""
        plan = " (planned)" if c.direction == "after" else ""
        return f"{neg}{c.type}{value}{plan}"
    name = c.analyte.text if c.analyte is not None else c.type
    bounds = _interval(c.low, c.low_inclusive, c.high, c.high_inclusive)
    if c.value and c.type in ("measurement", "score"):
        bounds = f"{bounds} ({c.value})"
    unit = ""
    if c.relative_to:
        unit = (
            f" × {c.relative_to}"
            if c.relative_to in ("ULN", "LLN")
            else f" vs {c.relative_to}"
        )
    elif c.unit and c.unit not in ("{rank}", "1", "{score}"):
        unit = f" {c.unit}" if c.type not in ("age", "age_group") else " y"
    return f"{neg}{name} {bounds}{unit}".strip()


def _days_range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{_num(low)}–{_num(high)} d" if low != high else f"{_num(low)} d"
    if low is not None:
        return f"≥ {_num(low)} d"
    if high is not None:
        return f"≤ {_num(high)} d"
    return ""


def constraint_label(c: Constraint) -> str:
    """:func:`render_constraint` with what a reviewer checks besides: the
    canonical bounds and the analyte's code (LOINC), a window in days, and an
    assertion other than "present"."""
    parts = [render_constraint(c)]
    if c.canonical is not None and (c.canonical.low, c.canonical.high) != (
        c.low,
        c.high,
    ):
        bounds = _interval(
            c.canonical.low, c.low_inclusive, c.canonical.high, c.high_inclusive
        )
        parts.append(f"= {bounds} {c.canonical.unit}")
    if c.analyte is not None and c.analyte.code:
        parts.append(f"LOINC {c.analyte.code}")
    if c.type in ("temporal", "duration"):
        days = _days_range(c.low_days, c.high_days)
        if days:
            parts.append(f"({days})")
    if c.assertion and c.assertion != "present":
        parts.append(f"[{c.assertion}]")
    return " ".join(parts)


def entity_label(e: Entity) -> str:
    """The type of a concept mention, with its assertion when not "present"."""
    if e.assertion and e.assertion != "present":
        return f"{e.label} · {e.assertion}"
    if e.negated:
        return f"{e.label} · negated"
    return e.label


#: Entity colours by Chia type (others are grey).
ENTITY_COLOURS: dict[str, str] = {
    "Condition": "#ffd6d6",
    "Drug": "#d6e9ff",
    "Procedure": "#dcf5dc",
    "Measurement": "#fff0c2",
    "Observation": "#eadcff",
    "Device": "#d7f2f2",
    "Person": "#ffe3c7",
    "Visit": "#e6e6c8",
    "Value": "#f2f2f2",
    "Temporal": "#e3ecf5",
    "Qualifier": "#f5e3ef",
    "Multiplier": "#ececec",
    "Mood": "#f0e6d8",
    "Negation": "#ffc9c9",
    "Reference_point": "#e0e0f5",
}
_CSS_NAME = re.compile(r"[^A-Za-z0-9_-]")


def css_name(label: str) -> str:
    """A label made safe for a CSS class name."""
    return _CSS_NAME.sub("_", label)[:40] or "_"


@dataclass
class _Mark:
    start: int
    end: int
    rank: int  # outer first when two marks cover the same characters
    id: str
    kind: str
    classes: str
    label: str
    title: str


@dataclass
class _Open:
    mark: _Mark
    last: bool = False  # the fragment that ends the span carries the label

    def html(self) -> str:
        m = self.mark
        label = f' data-label="{escape(m.label)}"' if self.last else ""
        return (
            f'<mark class="{m.classes}" data-span="{m.id}" data-kind="{m.kind}"'
            f' data-start="{m.start}" data-end="{m.end}"'
            f' title="{escape(m.title)}"{label}>'
        )


def highlight(text: str, start: int, end: int, marks: Sequence[_Mark]) -> Markup:
    """``text[start:end]`` escaped, with each mark as nested ``<mark>``
    elements; a mark that crosses another's boundary is split."""
    inside = [m for m in marks if start <= m.start < m.end <= end]
    order = sorted(inside, key=lambda m: (m.start, -m.end, m.rank))
    points = sorted({start, end, *(m.start for m in order), *(m.end for m in order)})
    out: list[str | _Open] = []
    stack: list[tuple[_Mark, _Open]] = []

    def close_from(k: int, at: int) -> None:
        while len(stack) > k:
            mark, opened = stack.pop()
            opened.last = at == mark.end
            out.append("</mark>")

    for a, b in itertools.pairwise(points):
        active = [m for m in order if m.start <= a and b <= m.end]
        k = 0
        while k < len(stack) and k < len(active) and stack[k][0] is active[k]:
            k += 1
        close_from(k, a)
        for mark in active[k:]:
            opened = _Open(mark)
            out.append(opened)
            stack.append((mark, opened))
        out.append(str(escape(text[a:b])))
    close_from(0, end)
    return Markup("".join(x if isinstance(x, str) else x.html() for x in out))


def _marks(doc: Document, crit: Criterion, prefix: str) -> list[_Mark]:
    marks: list[_Mark] = []
    for j, c in enumerate(crit.constraints):
        neg = " negated" if c.negated else ""
        marks.append(
            _Mark(
                c.start,
                c.end,
                0,
                f"{prefix}-k{j}",
                "constraint",
                f"con con-{css_name(c.type)}{neg}",
                constraint_label(c),
                f"constraint {j}: {c.type} [{c.start}, {c.end})",
            )
        )
    triggers: dict[tuple[int, int], list[str]] = {}
    for j, e in enumerate(crit.entities):
        asserted = e.assertion if e.assertion and e.assertion != "present" else None
        title = f"{e.label} [{e.start}, {e.end})"
        if e.source:
            title += f", from {e.source}"
        if asserted or e.negated:
            title += f", {asserted or 'negated'}"
            if e.trigger is not None:
                title += f" by “{e.trigger.text}”"
        marks.append(
            _Mark(
                e.start,
                e.end,
                1,
                f"{prefix}-e{j}",
                "entity",
                f"ent ent-{css_name(e.label)}"
                + (
                    f" asr asr-{css_name(asserted or 'negated')}"
                    if asserted or e.negated
                    else ""
                ),
                entity_label(e),
                title,
            )
        )
        if e.trigger is not None and (asserted or e.negated):
            triggers.setdefault((e.trigger.start, e.trigger.end), []).append(
                asserted or "negated"
            )
    for c in crit.constraints:
        if c.trigger is not None and c.assertion and c.assertion != "present":
            triggers.setdefault((c.trigger.start, c.trigger.end), []).append(
                c.assertion
            )
    for j, ((t_start, t_end), kinds) in enumerate(sorted(triggers.items())):
        what = "/".join(sorted(set(kinds)))
        marks.append(
            _Mark(
                t_start,
                t_end,
                2,
                f"{prefix}-t{j}",
                "trigger",
                "trg",
                f"{what} cue",
                f"ConText trigger ({what}) [{t_start}, {t_end})",
            )
        )
    return marks


@dataclass
class _LogicNode:
    op: str | None
    text: str
    children: list[_LogicNode] = field(default_factory=list)


def _logic_tree(logic: Logic, crit: Criterion, doc: Document) -> _LogicNode:
    node = _LogicNode(logic.op.upper(), "")
    for arg in logic.args:
        if isinstance(arg, Logic):
            node.children.append(_logic_tree(arg, crit, doc))
        elif 0 <= arg < len(crit.constraints):
            c = crit.constraints[arg]
            node.children.append(
                _LogicNode(
                    None,
                    f"[{arg}] {constraint_label(c)} — “{doc.text[c.start : c.end]}”",
                )
            )
    return node


def _criterion_view(doc: Document, i: int, crit: Criterion, prefix: str) -> dict:
    marks = _marks(doc, crit, f"{prefix}-c{i}")
    lo = min([crit.start, *(m.start for m in marks)])
    hi = max([crit.end, *(m.end for m in marks)])
    return {
        "index": i,
        "id": f"{prefix}-c{i}",
        "crit": crit,
        "html": highlight(doc.text, lo, hi, marks),
        "logic": _logic_tree(crit.logic, crit, doc) if crit.logic else None,
        "constraints": [
            (j, c, constraint_label(c), doc.text[c.start : c.end])
            for j, c in enumerate(crit.constraints)
        ],
        "entities": [
            (j, e, doc.text[e.start : e.end]) for j, e in enumerate(crit.entities)
        ],
    }


def _document_view(doc: Document, k: int) -> dict:
    prefix = f"d{k}"
    age = doc.summary.age
    age_text = render_age_range(age) if age is not None else "age any"
    return {
        "doc": doc,
        "id": prefix,
        "age": age_text,
        "counts": {
            "criteria": len(doc.criteria),
            "constraints": sum(len(c.constraints) for c in doc.criteria),
            "entities": sum(len(c.entities) for c in doc.criteria),
        },
        "criteria": [
            _criterion_view(doc, i, c, prefix) for i, c in enumerate(doc.criteria)
        ],
    }


@lru_cache(maxsize=1)
def _template() -> Template:
    from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

    from .view_template import TEMPLATE

    env = Environment(
        loader=DictLoader({"view.html": TEMPLATE}),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("view.html")


def render_html(
    documents: Document | Iterable[Document],
    *,
    title: str | None = None,
    page: dict[str, Any] | None = None,
    report: MatchReport | None = None,
) -> str:
    """The HTML view of one or more parsed trials, as one offline page.

    Args:
        documents: Documents (from :func:`eligo.parse_text`, ``eligo parse``).
        title: The page title (default: the trial ids).
        page: Set by ``eligo serve`` for its page: the forms and what was
            typed in them (``text``, ``section``, ``patient``, ``trials``,
            ``as_of``, ``error``). Omitted: a plain view, no form.
        report: A match report to show above the trials (the service's form).

    Returns:
        The page, self-contained: no script, no remote resource.
    """
    from .._version import __version__

    docs = [documents] if isinstance(documents, Document) else list(documents)
    views = [_document_view(doc, k) for k, doc in enumerate(docs)]
    return _template().render(
        title=title or ", ".join(d.id for d in docs) or "eligo",
        documents=views,
        colours=ENTITY_COLOURS,
        css_name=css_name,
        page=page,
        report=report,
        version=__version__,
    )


@dataclass
class ViewStats:
    """What :func:`write_view` did."""

    documents: int = 0
    failures: list[str] = field(default_factory=list)


def write_view(
    paths: Iterable[str],
    out: str | Path,
    *,
    section: str = "unknown",
    concepts: bool = True,
    jobs: int = 1,
    max_chars: int | None = None,
) -> ViewStats:
    """Parse trial files and write their HTML view (what ``eligo render`` does).

    Args:
        paths: Trial files or directories, as ``eligo parse`` reads them.
        out: The HTML file to write.
        section: Section of criteria that no header places.
        concepts: Run the concept model (entities).
        jobs: Worker processes.
        max_chars: Longest criteria text accepted (the parser's default if None).

    Returns:
        The number of trials shown and one message per failure.
    """
    from ..parse import ParseFailure, parse_trials
    from ..pipeline import DEFAULT_MAX_CHARS
    from ..readers import read_paths
    from ..trial import ReadFailure

    stats = ViewStats()
    docs: list[Document] = []
    for result in parse_trials(
        read_paths(paths),
        jobs=jobs,
        default_section=section,
        concepts=concepts,
        max_chars=max_chars or DEFAULT_MAX_CHARS,
    ):
        if isinstance(result, (ReadFailure, ParseFailure)):
            stats.failures.append(result.message())
        else:
            docs.append(result)
    stats.documents = len(docs)
    Path(out).write_text(render_html(docs), encoding="utf-8")
    return stats
