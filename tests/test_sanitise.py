"""Code points UTF-8 cannot encode: replaced one for one at every boundary,
with a note on the Document and a warning line naming file and record."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from typer.testing import CliRunner

import eligo
from eligo.cli import app
from eligo.document import Document
from eligo.match.load import load_patient, patient_from_data
from eligo.parse.batch import run_parse
from eligo.readers import read_paths, read_text
from eligo.readers.sanitise import (
    REPLACEMENT,
    clean_data,
    clean_result,
    clean_text,
    clean_trial,
)
from eligo.render.writers import JsonLinesWriter, TableWriter
from eligo.store import Store, run_index
from eligo.trial import ReadFailure, Trial

from .strategies import any_text

MATCH_FIXTURES = Path(__file__).parent / "match" / "fixtures"
LONE = "\ud8ff"
CRITERIA = f"Inclusion Criteria:\n* Age {LONE} 18 years\n* ECOG 0-1\n"
AT = CRITERIA.index(LONE)


def _study(nct_id: str = "NCT90001801", criteria: str = CRITERIA) -> str:
    """An API v2 study as JSON text; ``json.dumps`` escapes a lone surrogate
    as ``\\ud8ff``, as a registry file would hold it."""
    return json.dumps(
        {
            "protocolSection": {
                "identificationModule": {"nctId": nct_id},
                "eligibilityModule": {"eligibilityCriteria": criteria},
            }
        }
    )


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---------------------------------------------------------------- the function


@pytest.mark.parametrize(
    ("text", "cleaned", "note"),
    [
        ("Age >= 18", "Age >= 18", None),
        ("", "", None),
        ("😀 ≥ 18", "😀 ≥ 18", None),  # an astral character is no surrogate
        (
            f"a{LONE}b",
            f"a{REPLACEMENT}b",
            "text: 1 code point that cannot be encoded replaced by U+FFFD "
            "(U+D8FF, a lone surrogate, at offset 1)",
        ),
        (
            "\udc80x\ud800\udbff",
            f"{REPLACEMENT}x{REPLACEMENT}{REPLACEMENT}",
            "text: 3 code points that cannot be encoded replaced by U+FFFD "
            "(the first U+DC80, a lone surrogate, at offset 0)",
        ),
    ],
)
def test_clean_text(text: str, cleaned: str, note: str | None) -> None:
    got, got_note = clean_text(text)
    assert (got, got_note) == (cleaned, note)
    assert len(got) == len(text)


@settings(max_examples=200, deadline=None)
@given(text=any_text())
def test_clean_text_is_one_for_one(text: str) -> None:
    cleaned, note = clean_text(text)
    assert len(cleaned) == len(text) and _encodable(cleaned)
    assert (note is None) == (cleaned == text)
    for got, given_char in zip(cleaned, text, strict=True):
        assert got == given_char or (got == REPLACEMENT and not _encodable(given_char))


def test_clean_trial_names_each_field() -> None:
    trial = Trial(
        id=f"NCT{LONE}",
        text=CRITERIA,
        title=f"T{LONE}",
        conditions=("Asthma", f"C{LONE}"),
        path=f"/in/{LONE}.json",
        record="NCT1",
    )
    cleaned = clean_trial(trial)
    assert cleaned.text == CRITERIA.replace(LONE, REPLACEMENT)
    assert cleaned.id == f"NCT{REPLACEMENT}"
    assert cleaned.conditions == ("Asthma", f"C{REPLACEMENT}")
    assert [n.split(":")[0] for n in cleaned.notes] == [
        "criteria text",
        "id",
        "title",
        "conditions[1]",
        "path",
    ]
    assert clean_trial(cleaned) is cleaned  # nothing left to replace
    plain = Trial(id="x", text="- Age >= 18")
    assert clean_trial(plain) is plain


def test_clean_result_cleans_a_failure() -> None:
    failure = ReadFailure(f"{LONE}.json", f"bad {LONE}", record=LONE)
    assert clean_result(failure) == ReadFailure(
        f"{REPLACEMENT}.json", f"bad {REPLACEMENT}", record=REPLACEMENT
    )


def test_clean_data_names_the_json_path() -> None:
    data = {"conditions": [{"text": f"x{LONE}"}], f"k{LONE}": 1, "age": 40}
    notes: list[str] = []
    assert clean_data(data, notes) == {
        "conditions": [{"text": f"x{REPLACEMENT}"}],
        f"k{REPLACEMENT}": 1,
        "age": 40,
    }
    assert [n.split(":")[0] for n in notes] == ["conditions[0].text", "object key"]
    same: list[str] = []
    clean = {"a": ["b", 1, None]}
    assert clean_data(clean, same) is clean and same == []


# ---------------------------------------------------------------- boundaries


def _check_document(doc: Document, given_text: str) -> None:
    """Parsed, with a note, and every offset indexing the text given."""
    assert len(doc.text) == len(given_text)
    assert doc.text == given_text.replace(LONE, REPLACEMENT)
    assert doc.notes and doc.notes[0].startswith("criteria text: 1 code point")
    assert f"at offset {given_text.index(LONE)}" in doc.notes[0]
    assert [doc.text[c.start : c.end] for c in doc.criteria] == [
        given_text[c.start : c.end].replace(LONE, REPLACEMENT) for c in doc.criteria
    ]
    assert [doc.text[c.start : c.end] for c in doc.criteria][-1] == "ECOG 0-1"
    json.loads(doc.model_dump_json())  # serialisable


def test_parse_text() -> None:
    doc = eligo.parse_text(CRITERIA)
    _check_document(doc, CRITERIA)
    assert doc.warning_lines() == [f"text: {doc.notes[0]}"]


def test_parser_parse_and_batch(parser) -> None:
    trial = Trial(id="t", text=CRITERIA, path="in.txt")
    one = parser.parse(trial)
    many = parser.parse_batch([trial, trial])
    _check_document(one, CRITERIA)
    assert many == [one, one]


def test_readers_clean_what_they_yield(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(_study(), encoding="utf-8")
    for results in (list(read_paths([tmp_path])), list(read_text(_study()))):
        (trial,) = results
        assert isinstance(trial, Trial)
        assert trial.text == CRITERIA.replace(LONE, REPLACEMENT)
        assert trial.notes and f"at offset {AT}" in trial.notes[0]


def test_read_text_with_a_raw_surrogate_in_jsonl() -> None:
    """Text handed to ``read_text`` (not bytes from a file) can hold a raw
    lone surrogate; JSONL of such text is read line by line, not encoded."""
    raw = _study().replace("\\ud8ff", LONE)  # the code point, not its escape
    assert LONE in raw
    first, second = read_text(raw + "\n" + _study("NCT90001802") + "\n")
    for trial in (first, second):
        assert isinstance(trial, Trial)
        assert trial.text == CRITERIA.replace(LONE, REPLACEMENT)
        assert trial.notes and f"at offset {AT}" in trial.notes[0]


def test_read_text_with_a_raw_surrogate_after_the_json() -> None:
    (failure,) = read_text(_study() + LONE)
    assert isinstance(failure, ReadFailure)
    assert failure.reason.startswith("invalid JSON"), failure.reason
    assert _encodable(failure.reason)


@pytest.mark.parametrize("writer", ["jsonl", "table"])
def test_run_parse_warns_and_writes(tmp_path: Path, writer: str) -> None:
    """Both ways a document reaches the writer: as JSON text, as a Document."""
    path = tmp_path / "s.json"
    path.write_text(_study(), encoding="utf-8")
    out = io.StringIO()
    sink = JsonLinesWriter(out) if writer == "jsonl" else TableWriter(out)
    warnings: list[str] = []
    stats = run_parse([path], sink, on_warning=warnings.append, concepts=False)
    assert (stats.documents, stats.failures) == (1, 0)
    assert warnings == stats.warnings
    (line,) = warnings
    assert line.startswith(f"{path} [NCT90001801]: criteria text: 1 code point")
    if writer == "jsonl":
        _check_document(Document.model_validate_json(out.getvalue()), CRITERIA)


@pytest.mark.parametrize("suffix", [".json", ".jsonl", "-"])
def test_cli_parse(tmp_path: Path, suffix: str) -> None:
    """Exit 0: the record is parsed, so a warning is no failure."""
    if suffix == "-":
        args, stdin, name = ["-"], _study(), "-"
    else:
        path = tmp_path / f"s{suffix}"
        path.write_text(_study() + "\n", encoding="utf-8")
        args, stdin, name = [str(path)], None, str(path)
    result = CliRunner().invoke(
        app, ["parse", *args, "--format", "jsonl", "--no-concepts"], input=stdin
    )
    assert result.exit_code == 0, result.stderr
    (doc,) = [Document.model_validate_json(line) for line in result.stdout.splitlines()]
    _check_document(doc, CRITERIA)
    warning, summary = result.stderr.splitlines()
    assert warning == f"eligo: warning: {name} [NCT90001801]: {doc.notes[0]}"
    assert "1 documents" in summary and "0 failures" in summary


def test_cli_index(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        _study() + "\n" + _study("NCT90001802", "- Age >= 18") + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "e.duckdb"
    result = CliRunner().invoke(app, ["index", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    (warning,) = [x for x in result.stderr.splitlines() if "warning" in x]
    assert warning.startswith(f"eligo: warning: {path} [NCT90001801]: criteria text")
    with Store(db, read_only=True) as store:
        assert store.trial_ids() == ["NCT90001801", "NCT90001802"]
        doc = store.get("NCT90001801")
        assert doc is not None
        _check_document(doc, CRITERIA)
        (text,) = store.con.execute(
            "SELECT text FROM trials WHERE trial_id = 'NCT90001801'"
        ).fetchone()
        assert text == doc.text
    # Unchanged on a second run: hashed after cleaning, so not parsed again.
    again = run_index([path], Store(db))
    assert (again.counts.unchanged, again.failures) == (2, 0)


def _patient_file(tmp_path: Path) -> Path:
    data = json.loads((MATCH_FIXTURES / "liver_patient.json").read_text("utf-8"))
    data["conditions"][1]["text"] = f"chronic hepatitis C{LONE}"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # written as \ud8ff
    return path


def _bundle_file(tmp_path: Path) -> Path:
    raw = (MATCH_FIXTURES / "hcv_cirrhosis_bundle.json").read_text("utf-8")
    raw = raw.replace('"Hepatocellular carcinoma"', '"Hepatocellular \\ud8ffcarcinoma"')
    assert "\\ud8ff" in raw
    path = tmp_path / "b.json"
    path.write_text(raw, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "field", "fact"),
    [
        (_patient_file, "conditions[1].text", f"chronic hepatitis C{REPLACEMENT}"),
        (_bundle_file, "entry[", f"Hepatocellular {REPLACEMENT}carcinoma"),
    ],
)
def test_match_patient_file(tmp_path: Path, make, field: str, fact: str) -> None:
    path = make(tmp_path)
    warnings: list[str] = []
    patient = load_patient(path, on_warning=warnings.append)
    assert fact in [c.text for c in patient.conditions]
    (line,) = warnings
    assert line.startswith(f"{path}: {field}")
    assert "U+D8FF, a lone surrogate" in line
    trial = tmp_path / "t.json"
    trial.write_text(_study(), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["match", str(path), str(trial), "--as-of", "2026-11-22", "-q"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [t["id"] for t in report["trials"]] == ["NCT90001801"]
    assert result.stderr.splitlines() == [
        f"eligo: warning: {line}",
        f"eligo: warning: {trial} [NCT90001801]: criteria text: 1 code point "
        "that cannot be "
        f"encoded replaced by U+FFFD (U+D8FF, a lone surrogate, at offset {AT})",
    ]
    assert report["warnings"] == [
        w.removeprefix("eligo: warning: ") for w in result.stderr.splitlines()
    ]


def test_match_api_with_a_dict_patient(tmp_path: Path) -> None:
    trial = tmp_path / "t.txt"
    trial.write_text("Inclusion Criteria:\n- Age 18 to 65 years\n", encoding="utf-8")
    report = eligo.match({"id": f"p{LONE}", "age": 40}, [trial])
    assert report.patient == f"p{REPLACEMENT}"
    assert [t.verdict for t in report.trials] == ["eligible"]
    assert report.warnings == [
        "patient: id: 1 code point that cannot be encoded replaced by U+FFFD "
        "(U+D8FF, a lone surrogate, at offset 1)"
    ]
    json.loads(report.model_dump_json())
    patient = patient_from_data({"age": 40})
    assert patient.age == 40


def test_undecodable_file_name(tmp_path: Path) -> None:
    """A file name that is not UTF-8 reaches Python with surrogates in it."""
    raw = os.path.join(os.fsencode(tmp_path), b"trial-\xff.txt")
    try:
        with open(raw, "wb") as handle:
            handle.write(b"Inclusion Criteria:\n- Age >= 18\n")
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    out = io.StringIO()
    warnings: list[str] = []
    stats = run_parse([tmp_path], JsonLinesWriter(out), on_warning=warnings.append)
    assert (stats.documents, stats.failures) == (1, 0)
    doc = Document.model_validate_json(out.getvalue())
    assert doc.source is not None
    assert doc.source.path == str(tmp_path / f"trial-{REPLACEMENT}.txt")
    assert doc.id == f"trial-{REPLACEMENT}"
    assert [n.split(":")[0] for n in doc.notes] == ["id", "path"]
    assert len(warnings) == 2
