"""Tests of eligo.readers.ctgov_xml: the legacy ClinicalTrials.gov XML export."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligo.readers.ctgov_xml import read_xml_bytes, read_xml_text
from eligo.trial import ReadFailure, StructuredFields, Trial

from .helpers import only_failure, only_trial, read, write


def study_xml(
    nct_id: str | None = "NCT09000070",
    criteria: str | None = "\n   - Adults\n   ",
    gender: str = "Female",
) -> str:
    """An invented ``<clinical_study>`` element."""
    ident = f"<id_info><nct_id>{nct_id}</nct_id></id_info>" if nct_id else ""
    block = (
        f"<criteria><textblock>{criteria}</textblock></criteria>"
        if criteria is not None
        else ""
    )
    return (
        f"<clinical_study>{ident}<official_title>Invented {nct_id}</official_title>"
        f"<eligibility>{block}<gender>{gender}</gender>"
        "<minimum_age>2 Weeks</minimum_age><maximum_age>120 Years</maximum_age>"
        "</eligibility></clinical_study>"
    )


def test_single_study(fixtures: Path) -> None:
    trial = only_trial(read(fixtures / "study.xml"))
    assert trial.id == "NCT09000007"
    assert trial.source_format == "ctgov_xml"
    assert trial.title == "Invented Study of Night Splints for Plantar Fasciitis"
    assert trial.conditions == ("Plantar Fasciitis", "Heel Pain")
    assert trial.structured == StructuredFields(0.5, None, "male", True)
    assert trial.text.startswith("\n        Inclusion Criteria:\n\n          -  Heel")
    assert trial.text.endswith("Prior heel surgery\n      ")
    assert trial.record is None


def test_wrapped_studies(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<search_results count="3">'
        + study_xml("NCT09000071")
        + study_xml(None, criteria="\tChildren\r\n")
        + study_xml("NCT09000073", criteria=None)
        + "</search_results>"
    )
    results = read(write(tmp_path, "many.xml", text))
    assert [type(r) for r in results] == [Trial, Trial, ReadFailure]
    first, second, failure = results
    assert isinstance(first, Trial) and isinstance(second, Trial)
    assert (first.id, first.record, first.title) == (
        "NCT09000071",
        "NCT09000071",
        "Invented NCT09000071",
    )
    assert first.structured == StructuredFields(14 / 365.25, 120.0, "female", None)
    assert (second.id, second.record) == ("many:2", "record 2")
    assert second.text == "\tChildren\n"  # XML parsers normalise CRLF
    assert failure == ReadFailure(
        str(tmp_path / "many.xml"), "no eligibility criteria in record", "NCT09000073"
    )


def test_namespaced_study() -> None:
    text = study_xml().replace("<clinical_study>", '<clinical_study xmlns="urn:x">')
    assert only_trial(list(read_xml_text(text))).id == "NCT09000070"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "<clinical_study><id_info></clinical_study>",
            "invalid XML: mismatched tag: line 1, column",
        ),
        ("<a>\n<b>\n</a>", "invalid XML: mismatched tag: line 3, column 2"),
        ("<clinical_study>", "invalid XML: no element found: line 1, column 16"),
        ("<root><other/></root>", "no <clinical_study> element in XML"),
        ("", "empty file"),
        (
            '<!DOCTYPE x [<!ENTITY a "aaaa">]><clinical_study>&a;</clinical_study>',
            "forbidden XML construct (EntitiesForbidden)",
        ),
        (study_xml(criteria="   "), "no eligibility criteria in record"),
    ],
)
def test_bad_xml(tmp_path: Path, text: str, reason: str) -> None:
    failure = only_failure(read(write(tmp_path, "bad.xml", text)))
    assert failure.reason.startswith(reason)


def test_bytes_with_declared_encoding() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>' + study_xml(criteria="Âge")
    results = list(read_xml_bytes(text.encode("latin-1"), path="x.xml"))
    assert only_trial(results).text == "Âge"
