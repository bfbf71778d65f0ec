import pytest

from eligo.errors import RuleError
from eligo.pipeline.resources import load_rules, read_rule_json
from eligo.segment.sections import SectionRule


def test_shipped_section_rules_validate() -> None:
    rules = load_rules("sections.json", SectionRule)
    kinds = {r.kind for r in rules}
    assert {"header", "region", "lead_in", "end", "subheading"} <= kinds


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"kind": "header", "section": "inclusion", "pattern": "x", "colour": "red"},
            "entry 0 (colour): Extra inputs are not permitted",
        ),
        ({"kind": "footer", "section": "inclusion", "pattern": "x"}, "entry 0 (kind)"),
        ({"kind": "header", "section": "maybe", "pattern": "x"}, "entry 0 (section)"),
        (
            {"kind": "header", "section": "inclusion", "pattern": "(x"},
            "pattern does not compile",
        ),
    ],
)
def test_bad_rules_are_rejected_clearly(entry: dict, message: str) -> None:
    with pytest.raises(RuleError, match=r"rules/sections\.json") as info:
        load_rules("sections.json", SectionRule, [entry])
    assert message in str(info.value)


def test_missing_rule_file() -> None:
    with pytest.raises(RuleError, match=r"rules/nope\.json: file not found"):
        read_rule_json("nope.json")
