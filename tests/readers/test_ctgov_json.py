"""Tests of eligo.readers.ctgov_json: API v2 JSON, JSONL and AACT-like rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eligo.readers import read_paths
from eligo.readers.ctgov_json import read_json_text, read_jsonl_file
from eligo.readers.fields import parse_age
from eligo.trial import ReadFailure, StructuredFields, Trial

from .helpers import failures, only_failure, only_trial, read, trials, write


def study(
    nct_id: str | None = "NCT09000002",
    criteria: str | None = "Inclusion Criteria:\n\n* Age \\>= 18 years",
    **eligibility: Any,
) -> dict[str, Any]:
    """An invented API v2 study."""
    ident: dict[str, Any] = {"briefTitle": f"Invented study {nct_id}"}
    if nct_id is not None:
        ident["nctId"] = nct_id
    elig: dict[str, Any] = dict(eligibility)
    if criteria is not None:
        elig["eligibilityCriteria"] = criteria
    return {
        "protocolSection": {
            "identificationModule": ident,
            "conditionsModule": {"conditions": ["Gout"]},
            "eligibilityModule": elig,
        }
    }


def row(
    nct_id: str = "NCT09000020", criteria: str | None = "- Adults"
) -> dict[str, Any]:
    """An invented AACT-like row (as in a legacy-XML-derived JSONL)."""
    return {
        "nct_id": nct_id,
        "brief_title": "Invented row",
        "conditions": ["Migraine"],
        "gender": "All",
        "minimum_age": "18 Years",
        "maximum_age": "N/A",
        "healthy_volunteers": "Accepts Healthy Volunteers",
        "criteria": criteria,
    }


def test_single_study_file(fixtures: Path) -> None:
    trial = only_trial(read(fixtures / "study_v2.json"))
    raw = json.loads((fixtures / "study_v2.json").read_text(encoding="utf-8"))
    criteria = raw["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert trial.text == criteria
    assert "FEV1 \\> 70%" in trial.text
    assert trial.id == "NCT09000001"
    assert trial.title == "Invented Trial of Walking Exercise in Mild Asthma"
    assert trial.conditions == ("Asthma", "Exercise")
    assert trial.source_format == "ctgov_v2"
    assert trial.structured == StructuredFields(18.0, 65.0, "female", True)
    assert trial.record is None


@pytest.mark.parametrize(
    "shape",
    [
        lambda studies: studies,
        lambda studies: {"studies": studies, "nextPageToken": "NF0g5JOCkfI"},
        lambda studies: {"studies": studies},
    ],
    ids=["list", "page", "last-page"],
)
def test_list_and_page_shapes(tmp_path: Path, shape: Any) -> None:
    studies = [study("NCT09000003"), study(None), study("NCT09000005", None)]
    path = write(tmp_path, "batch.json", json.dumps(shape(studies)))
    results = read(path)
    assert [type(r) for r in results] == [Trial, Trial, ReadFailure]
    first, second, failure = results
    assert isinstance(first, Trial) and isinstance(second, Trial)
    assert (first.id, first.record) == ("NCT09000003", "NCT09000003")
    assert (second.id, second.record) == ("batch:2", "record 2")
    assert failure == ReadFailure(
        str(path), "no eligibility criteria in record", "NCT09000005"
    )


@pytest.mark.parametrize(
    ("record", "reason", "name"),
    [
        (study("NCT09000006", ""), "no eligibility criteria in record", "NCT09000006"),
        (
            study("NCT09000006", "  \n"),
            "no eligibility criteria in record",
            "NCT09000006",
        ),
        (study(None, None), "no eligibility criteria in record", "record 1"),
        ({"protocolSection": None}, "no eligibility criteria in record", "record 1"),
        (study("NCT09000006", 42), "no eligibility criteria in record", "NCT09000006"),
        (row("NCT09000021", None), "no eligibility criteria in record", "NCT09000021"),
        (row("NCT09000021", ""), "no eligibility criteria in record", "NCT09000021"),
        ({"title": "x"}, "not a ClinicalTrials.gov study", "record 1"),
        (["not", "a", "study"], "record is not a JSON object (got str)", "record 1"),
    ],
)
def test_bad_records(record: Any, reason: str, name: str) -> None:
    results = list(read_json_text(json.dumps(record), path="x.json"))
    failure = results[0]
    assert isinstance(failure, ReadFailure)
    assert failure.reason.startswith(reason)
    assert failure.record == name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            '{"a": 1\n "b": 2}',
            "invalid JSON: Expecting ',' delimiter (line 2, column 2)",
        ),
        (
            '[{"protocolSection": }]',
            "invalid JSON: Expecting value (line 1, column 22)",
        ),
        ("{", "invalid JSON: Expecting property name enclosed in double quotes"),
        ("[" * 100_000, "invalid JSON"),
        ("", "empty file"),
        ("[]", "no records in file"),
        ('{"studies": []}', "no records in file"),
    ],
)
def test_malformed_json(tmp_path: Path, text: str, reason: str) -> None:
    failure = only_failure(read(write(tmp_path, "bad.json", text)))
    assert failure.reason.startswith(reason)


def test_non_utf8_json(tmp_path: Path) -> None:
    failure = only_failure(read(write(tmp_path, "bad.json", b'{"a": "\xff"}')))
    assert failure.reason == "not valid UTF-8 (byte 0xff at offset 7)"


def test_aact_rows_in_json(tmp_path: Path) -> None:
    trial = only_trial(read(write(tmp_path, "one.json", json.dumps(row()))))
    assert trial.source_format == "aact"
    assert (trial.id, trial.title, trial.conditions) == (
        "NCT09000020",
        "Invented row",
        ("Migraine",),
    )
    assert trial.structured == StructuredFields(18.0, None, "all", True)


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
def test_jsonl_mixed_lines(tmp_path: Path, suffix: str) -> None:
    lines = [
        json.dumps(study("NCT09000030")),
        "",
        '{"protocolSection": {',
        json.dumps(row("NCT09000031")),
        json.dumps(study(None)),
        json.dumps(row("NCT09000033", None)),
    ]
    path = write(tmp_path, f"mixed{suffix}", "\r\n".join(lines) + "\n")
    results = read(path)
    assert [getattr(r, "id", None) for r in results] == [
        "NCT09000030",
        None,
        "NCT09000031",
        "mixed:4",
        None,
    ]
    bad_line, missing = failures(results)
    assert bad_line.record == "record 2"
    assert bad_line.reason.startswith("invalid JSON: Expecting")
    assert "(line 3, column" in bad_line.reason
    assert (missing.record, missing.reason) == (
        "NCT09000033",
        "no eligibility criteria in record",
    )
    assert [t.source_format for t in trials(results)] == [
        "ctgov_v2",
        "aact",
        "ctgov_v2",
    ]


def test_jsonl_bad_utf8_line_is_one_failure(tmp_path: Path) -> None:
    good = json.dumps(row("NCT09000040")).encode()
    path = write(
        tmp_path, "enc.jsonl", good + b"\n" + b'{"x": "\xfe"}\n' + good + b"\n"
    )
    results = read(path)
    assert [type(r) for r in results] == [Trial, ReadFailure, Trial]
    failure = results[1]
    assert isinstance(failure, ReadFailure)
    assert failure.reason == f"not valid UTF-8 (byte 0xfe at offset {len(good) + 8})"


def test_jsonl_is_streamed(tmp_path: Path) -> None:
    path = write(tmp_path, "grow.jsonl", json.dumps(row("NCT09000050")) + "\n")
    results = read_jsonl_file(str(path))
    first = next(results)
    assert isinstance(first, Trial) and first.id == "NCT09000050"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row("NCT09000051")) + "\n")
    assert [r.id for r in trials(list(results))] == ["NCT09000051"]


def test_json_file_holding_ndjson(tmp_path: Path) -> None:
    text = json.dumps(study("NCT09000060")) + "\n" + json.dumps(study("NCT09000061"))
    results = read(write(tmp_path, "lines.json", text))
    assert [r.record for r in trials(results)] == ["NCT09000060", "NCT09000061"]


def test_escapes_and_unicode_kept_exactly() -> None:
    criteria = "* eGFR \\< 30\n* Hb ≥ 10 g/dL\u2028* line\\tsep"
    results = list(read_json_text(json.dumps([study(criteria=criteria)])))
    assert only_trial(results).text == criteria


@pytest.mark.shared
def test_shared_v2_studies(shared: Path) -> None:
    files = sorted((shared / "data" / "ctgov_v2").glob("*.json"))
    results = list(read_paths(files))
    assert len(results) == 51
    assert not failures(results)
    by_id = {t.id: t for t in trials(results)}
    assert len(by_id) == 51
    raw = json.loads(files[0].read_text(encoding="utf-8"))[0]["protocolSection"]
    first = by_id[raw["identificationModule"]["nctId"]]
    assert first.text == raw["eligibilityModule"]["eligibilityCriteria"]
    daisy = by_id["NCT05925803"]
    assert daisy.structured == StructuredFields(18.0, 70.0, "all", False)
    assert "\\>" in daisy.text
    assert by_id["NCT05814159"].structured == StructuredFields(
        8 / 12, None, "all", False
    )
    assert by_id["NCT05883644"].structured == StructuredFields(
        18.0, 130.0, "all", False
    )


@pytest.mark.shared
def test_shared_legacy_rows(shared: Path) -> None:
    path = shared / "data" / "ctgov_xml" / "trials.jsonl"
    results = list(read_paths([path]))
    assert len(results) == 1997
    (failure,) = failures(results)
    assert (failure.record, failure.reason) == (
        "NCT00005480",
        "no eligibility criteria in record",
    )
    rows = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            rows[record["nct_id"]] = record
    found = trials(results)
    assert len(found) == 1996
    assert {t.source_format for t in found} == {"aact"}
    for trial in found:
        record = rows[trial.id]
        assert trial.text == record["criteria"]
        assert trial.structured is not None
        for key in ("minimum_age", "maximum_age"):
            parsed = getattr(trial.structured, key)
            assert (parsed is None) == (record[key] == "N/A")
            assert parsed == parse_age(record[key])
