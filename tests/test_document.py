import json

from eligo.document import Document, document_json_schema, published_json_schema


def test_published_schema_is_current() -> None:
    """Regenerate with: python -m eligo.document nlp/eligo/document.schema.json"""
    assert published_json_schema() == document_json_schema()


def test_contract_field_names() -> None:
    schema = document_json_schema()
    doc_props = set(schema["properties"])
    assert {"id", "text", "structured", "criteria", "summary"} <= doc_props
    defs = schema["$defs"]
    assert {"section", "start", "end", "entities", "constraints"} <= set(
        defs["Criterion"]["properties"]
    )
    assert {"label", "start", "end", "negated"} <= set(defs["Entity"]["properties"])
    constraint = set(defs["Constraint"]["properties"])
    assert {
        "type",
        "start",
        "end",
        "negated",
        "low",
        "low_inclusive",
        "high",
        "high_inclusive",
        "unit",
        "analyte",
        "low_days",
        "high_days",
        "direction",
        "anchor",
    } <= constraint
    assert {"minimum_age", "maximum_age", "sex", "healthy_volunteers"} <= set(
        defs["Structured"]["properties"]
    )
    assert {"age", "sex"} <= set(defs["Summary"]["properties"])


def test_documents_round_trip_through_json(parser) -> None:
    from eligo.trial import StructuredFields, Trial

    trial = Trial(
        id="NCT00000001",
        text="Inclusion Criteria:\r\n- Adults\r\n",
        source_format="ctgov_v2",
        structured=StructuredFields(minimum_age=18.0, sex="all"),
    )
    doc = parser.parse(trial)
    data = json.loads(doc.model_dump_json())
    assert data["text"] == "Inclusion Criteria:\r\n- Adults\r\n"
    assert data["structured"]["minimum_age"] == 18.0
    assert data["summary"] == {
        "age": {
            "low": 18.0,
            "low_inclusive": True,
            "high": None,
            "high_inclusive": True,
        },
        "sex": None,
        "mismatches": [],
    }
    assert Document.model_validate(data) == doc
