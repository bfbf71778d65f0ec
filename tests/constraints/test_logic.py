import pytest

from eligo.constraints.logic import criterion_logic


def crit(text: str, spans: list[str], items: list[str] = ()) -> dict:
    cons = []
    pos = 0
    for s in spans:
        i = text.index(s, pos)
        cons.append({"type": "x", "start": i, "end": i + len(s)})
        pos = i + len(s)
    its = []
    pos = text.find("\n") + 1  # sub-items follow the first line
    for s in items:
        i = text.index(s, pos)
        its.append([i, i + len(s)])
        pos = i + len(s)
    return {"start": 0, "end": len(text), "constraints": cons, "items": its}


@pytest.mark.parametrize(
    ("text", "spans", "items", "logic"),
    [
        (
            "INR ≥ 1.5 or PT activity < 40%",
            ["INR ≥ 1.5", "PT activity < 40%"],
            [],
            {"op": "or", "args": [0, 1]},
        ),
        (
            "bilirubin ≥ 5 mg/dl and INR ≥ 1.5",
            ["bilirubin ≥ 5 mg/dl", "INR ≥ 1.5"],
            [],
            {"op": "and", "args": [0, 1]},
        ),
        (
            "Younger than 18 or older than 70",
            ["Younger than 18", "older than 70"],
            [],
            {"op": "or", "args": [0, 1]},
        ),
        ("A, B or C", ["A", "B", "C"], [], {"op": "or", "args": [0, 1, 2]}),
        ("A, B and C", ["A", "B", "C"], [], {"op": "and", "args": [0, 1, 2]}),
        (
            "A and B or C",
            ["A", "B", "C"],
            [],
            {"op": "or", "args": [{"op": "and", "args": [0, 1]}, 2]},
        ),
        ("A/B", ["A", "B"], [], {"op": "or", "args": [0, 1]}),
        (
            "Any of the following:\n- X1\n- X2",
            ["X1", "X2"],
            ["X1", "X2"],
            {"op": "or", "args": [0, 1]},
        ),
        (
            "All of the following:\n- X1\n- X2",
            ["X1", "X2"],
            ["X1", "X2"],
            {"op": "and", "args": [0, 1]},
        ),
        (
            "Adults with one of the following:\n- X1\n- X2",
            ["Adults", "X1", "X2"],
            ["X1", "X2"],
            {"op": "and", "args": [0, {"op": "or", "args": [1, 2]}]},
        ),
        ("Only A", ["A"], [], None),
        (
            "X1 (X2 or X3) and X4",
            ["X1", "X2", "X3", "X4"],
            [],
            {"op": "and", "args": [0, {"op": "or", "args": [1, 2]}, 3]},
        ),
        (
            "jaundice (X1) and coagulopathy (X2, or X3) complicated",
            ["X1", "X2", "X3"],
            [],
            {"op": "and", "args": [0, {"op": "or", "args": [1, 2]}]},
        ),
        ("Either A or B", ["A", "B"], [], {"op": "or", "args": [0, 1]}),
    ],
)
def test_logic(text: str, spans: list[str], items: list[str], logic) -> None:
    assert criterion_logic(text, crit(text, spans, items)) == logic
