"""Tests of eligo.readers.aact: AACT eligibilities tables (pipe, CSV, TSV)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from eligo.readers.aact import read_aact_file, read_aact_text, sniff_header
from eligo.trial import ReadFailure, StructuredFields, Trial

from .helpers import failures, only_failure, only_trial, read, trials, write

COLUMNS = ["id", "nct_id", "gender", "minimum_age", "maximum_age", "criteria"]


def table(rows: list[list[str]], delimiter: str = ",", ending: str = "\r\n") -> str:
    """An invented eligibilities table written by the csv module."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def test_pipe_delimited_txt(fixtures: Path) -> None:
    path = fixtures / "eligibilities.txt"
    results = read(path)
    assert [type(r) for r in results] == [Trial, Trial, ReadFailure]
    first, second, failure = results
    assert isinstance(first, Trial) and isinstance(second, Trial)
    assert first.text == (
        "Inclusion Criteria:\n  - Type 2 diabetes, HbA1c >= 7.0%\n"
        "Exclusion Criteria:\n  - eGFR < 30 mL/min"
    )
    assert (first.id, first.record, first.source_format) == (
        "NCT09000011",
        "NCT09000011",
        "aact",
    )
    assert first.structured == StructuredFields(18.0, 75.0, "all", False)
    assert second.structured == StructuredFields(12.0, None, "female", True)
    assert failure == ReadFailure(
        str(path), "no eligibility criteria in record", "NCT09000013"
    )


@pytest.mark.parametrize(("suffix", "delimiter"), [(".csv", ","), (".tsv", "\t")])
def test_multiline_quoted_field_keeps_crlf(
    tmp_path: Path, suffix: str, delimiter: str
) -> None:
    criteria = 'Inclusion:\r\n- "Adult", aged 18|65\r\n\tExclusion:\r\n- none'
    text = table([["1", "NCT09000080", "Male", "18 Years", "", criteria]], delimiter)
    trial = only_trial(read(write(tmp_path, f"eligibilities{suffix}", text)))
    assert trial.text == criteria
    assert trial.structured == StructuredFields(18.0, None, "male", None)


def test_rows_without_id_and_bad_rows(tmp_path: Path) -> None:
    text = table(
        [
            ["1", "", "All", "", "", "- Adults"],
            ["2", "NCT09000082", "All", "", "", " "],
            ["3", "NCT09000083", "All"],
            [],
            ["4", "NCT09000084", "All", "", "", "- Children"],
        ]
    )
    results = read(write(tmp_path, "rows.csv", text))
    assert [getattr(r, "id", None) for r in results] == [
        "rows:1",
        None,
        None,
        "NCT09000084",
    ]
    empty, short = failures(results)
    assert (empty.record, empty.reason) == (
        "NCT09000082",
        "no eligibility criteria in record",
    )
    assert (short.record, short.reason) == (
        "NCT09000083",
        "row has 3 fields, the header has 6",
    )
    assert trials(results)[0].record == "record 1"


def test_five_megabyte_field(tmp_path: Path) -> None:
    criteria = "x" * 5_200_000
    text = table([["1", "NCT09000085", "All", "", "", criteria]], "|", "\n")
    trial = only_trial(read(write(tmp_path, "big.txt", text)))
    assert len(trial.text) == 5_200_000


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"nct_id,title\nNCT09000086,x\n", "not an AACT eligibilities table"),
        (b"\n\nnct_id,criteria\n", "not an AACT eligibilities table"),
    ],
)
def test_bad_tables(tmp_path: Path, data: bytes, reason: str) -> None:
    failure = only_failure(list(read_aact_file(str(write(tmp_path, "t.csv", data)))))
    assert failure.reason.startswith(reason)


def test_unclosed_quote_reads_to_the_end(tmp_path: Path) -> None:
    data = b'nct_id,criteria\nNCT09000087,"unclosed\nstill inside\n'
    trial = only_trial(read(write(tmp_path, "t.csv", data)))
    assert trial.text == "unclosed\nstill inside\n"


def test_bad_utf8_stops_the_table_after_good_rows(tmp_path: Path) -> None:
    data = b"nct_id|criteria\nNCT09000088|- ok\nNCT09000089|- caf\xe9\n"
    results = read(write(tmp_path, "t.txt", data))
    assert [type(r) for r in results] == [Trial, ReadFailure]
    failure = results[1]
    assert isinstance(failure, ReadFailure)
    assert failure.reason == "not valid UTF-8 (byte 0xe9 at offset 50)"


def test_bom_header(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfnct_id\tcriteria\nNCT09000090\t- Adults\n"
    assert only_trial(read(write(tmp_path, "bom.tsv", data))).id == "NCT09000090"


def test_read_aact_text() -> None:
    results = list(read_aact_text('"NCT_ID"|"Criteria"\nNCT09000091|"a\r\nb"\n'))
    assert only_trial(results).text == "a\r\nb"


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("id|nct_id|sampling_method|gender|criteria\n", "|"),
        ("nct_id\tcriteria\r\n", "\t"),
        ('"id","nct_id","criteria"', ","),
        ("\ufeffnct_id,criteria", ","),
        ("nct_id criteria", None),
        ("nct_id|title", None),
        ("Inclusion criteria: see nct_id", None),
        ("", None),
    ],
)
def test_sniff_header(line: str, delimiter: str | None) -> None:
    assert sniff_header(line) == delimiter
