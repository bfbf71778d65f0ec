"""AND/OR structure of a criterion's constraints.

Constraints are taken in text order. The text between two neighbours decides
how they join: "or", "/", "either" -> OR; a bare list comma takes the
connector that closes the list ("A, B or C" -> OR); anything else -> AND. OR binds
loosest ("A and B or C" is (A and B) or C), except that constraints inside
one pair of parentheses are grouped first ("A and (B or C)"). Time windows and
durations qualify other constraints and are not operands. When a criterion
lists sub-items under "any of the following" / "one of the following" /
"either", the items are OR'ed; otherwise items are AND'ed. Each time window
also gets ``qualifies``: the constraints inside the phrase it applies to.

The result is the criterion span's ``logic`` field: ``{"op": "and"|"or", "args":
[index | group, ...]}`` with indices into the criterion's ``constraints``; a
criterion with fewer than two operands has no logic.
"""

import re
from itertools import pairwise
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.extensions import doc_view, register_extensions
from ..pipeline.spans import criteria, fields, record

_OR = re.compile(r"(?<![\w])(?:or|either|and/or)(?![\w])|/", re.IGNORECASE)
_ANY_OF = re.compile(
    r"\b(?:any|one|either|at least one)\s+(?:\w+\s+){0,2}?of\s+(?:the\s+)?following\b"
    r"|\beither\b",
    re.IGNORECASE,
)
# Constraint types that restate another ("pregnancy" in "pregnancy test") stay
# in the structure like any other.


def _join(op: str, args: list[Any]) -> Any:
    flat: list[Any] = []
    for a in args:
        if isinstance(a, dict) and a["op"] == op:
            flat.extend(a["args"])
        else:
            flat.append(a)
    return flat[0] if len(flat) == 1 else {"op": op, "args": flat}


#: Constraint types that qualify others (time windows) rather than join them.
QUALIFIER_TYPES = frozenset({"temporal", "duration"})


def criterion_logic(view: str, criterion: dict[str, Any]) -> dict[str, Any] | None:
    """The AND/OR tree over ``criterion["constraints"]`` (see module docstring)."""
    cons = criterion.get("constraints") or []
    order = sorted(
        (i for i, c in enumerate(cons) if c["type"] not in QUALIFIER_TYPES),
        key=lambda i: (cons[i]["start"], cons[i]["end"]),
    )
    if len(order) < 2:
        return None
    items = criterion.get("items") or []
    if items:
        head_end = items[0][0]
        op = "or" if _ANY_OF.search(view[criterion["start"] : head_end]) else "and"
        groups: list[list[int]] = [[] for _ in range(len(items) + 1)]
        for i in order:
            pos = cons[i]["start"]
            slot = 0
            for k, (s, e) in enumerate(items, 1):
                if s <= pos < e:
                    slot = k
            groups[slot].append(i)
        parts = [_build(view, cons, g) for g in groups[1:] if g]
        tree = _join(op, parts) if parts else None
        if groups[0]:
            head = _build(view, cons, groups[0])
            tree = _join("and", [head, tree]) if tree is not None else head
        return tree if isinstance(tree, dict) else None
    tree = _build(view, cons, order)
    return tree if isinstance(tree, dict) else None


def _paren_spans(view: str, start: int, end: int) -> list[tuple[int, int]]:
    """Outermost balanced (...) spans in ``view[start:end]``."""
    spans, depth, opened = [], 0, -1
    for i in range(start, end):
        ch = view[i]
        if ch == "(":
            if depth == 0:
                opened = i
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append((opened, i + 1))
    return spans


def _build(view: str, cons: list[dict[str, Any]], order: list[int]) -> Any:
    """Chain constraints, grouping those that share a parenthesis first."""
    if len(order) == 1:
        return order[0]
    lo = min(cons[i]["start"] for i in order)
    hi = max(cons[i]["end"] for i in order)
    units: list[tuple[int, int, Any]] = []
    grouped: set[int] = set()
    for ps, pe in _paren_spans(view, lo, min(len(view), hi + 200)):
        inside = [i for i in order if ps < cons[i]["start"] and cons[i]["end"] <= pe]
        if 2 <= len(inside) < len(order):
            grouped.update(inside)
            units.append(
                (
                    min(cons[i]["start"] for i in inside),
                    max(cons[i]["end"] for i in inside),
                    _build(view, cons, inside),
                )
            )
    units.extend(
        (cons[i]["start"], cons[i]["end"], i) for i in order if i not in grouped
    )
    units.sort(key=lambda u: (u[0], u[1]))
    return _chain(view, units)


def _chain(view: str, units: list[tuple[int, int, Any]]) -> Any:
    # The connector between each neighbour pair: "or", "and", or "," (a list
    # comma, which takes the connector that closes the list: "A, B or C").
    links = []
    for prev, nxt in pairwise(units):
        between = view[prev[1] : nxt[0]]
        if _OR.search(between):
            links.append("or")
        elif re.fullmatch(r"[\s,;]*", between) and "," in between:
            links.append(",")
        else:
            links.append("and")
    for k in range(len(links) - 1, -1, -1):
        if links[k] == ",":
            links[k] = links[k + 1] if k + 1 < len(links) else "and"
    ors: list[Any] = []
    current: list[Any] = [units[0][2]]
    for link, nxt in zip(links, units[1:], strict=True):
        if link == "or":
            ors.append(_join("and", list(current)))
            current = [nxt[2]]
        else:
            current.append(nxt[2])
    ors.append(_join("and", list(current)))
    return _join("or", ors)


class LogicComponent:
    """spaCy component ``eligo_logic``: sets each criterion's ``logic`` field."""

    def __init__(self, name: str = "eligo_logic") -> None:
        register_extensions()
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        view = doc_view(doc)
        for span in criteria(doc, "eligo_logic"):
            criterion = record(span)
            link_qualifiers(criterion)
            logic = criterion_logic(view, criterion)
            if logic is not None:
                fields(span)["logic"] = logic
        return doc


def link_qualifiers(criterion: dict[str, Any]) -> None:
    """Point each time window at the constraints inside the phrase it qualifies.

    A window's ``subject`` is the phrase before it in its clause; every other
    (non-window) constraint that lies in that phrase is listed in the window's
    ``qualifies`` ("Platelets < 50 x 10^9/L within 4 weeks": the window
    qualifies the platelet threshold).
    """
    cons = criterion.get("constraints") or []
    for window in cons:
        subject = window.get("subject")
        if window["type"] not in QUALIFIER_TYPES or not subject:
            continue
        window["qualifies"] = [
            i
            for i, c in enumerate(cons)
            if c["type"] not in QUALIFIER_TYPES
            and c["start"] < subject["end"]
            and subject["start"] < c["end"]
        ]


@Language.factory("eligo_logic", assigns=["doc.spans"], requires=["doc.spans"])
def make_logic_component(nlp: Language, name: str) -> LogicComponent:
    """Factory of :class:`LogicComponent`."""
    return LogicComponent(name)
