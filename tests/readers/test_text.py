"""Tests of eligo.readers.text: plain-text files and pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligo.readers import read_paths
from eligo.readers.text import read_text_bytes, read_text_file, text_trial
from eligo.trial import ReadFailure, StructuredFields, Trial

from .helpers import only_failure, only_trial, read, write

CRITERIA = (
    "Inclusion Criteria:\r\n- Age >= 18 years\r\nExclusion Criteria:\r\n- Pregnancy\r\n"
)


def test_whole_text_is_kept_with_crlf(tmp_path: Path) -> None:
    path = write(tmp_path, "crlf.txt", CRITERIA)
    trial = only_trial(read(path))
    assert trial.text == CRITERIA
    assert "\r\n" in trial.text
    assert trial.id == "crlf"
    assert trial.source_format == "text"
    assert trial.path == str(path)
    assert trial.record is None
    assert trial.structured is None


def test_lone_cr_and_trailing_space_are_kept(tmp_path: Path) -> None:
    text = "  Inclusion:\r- one\r- two  \n\n"
    trial = only_trial(read(write(tmp_path, "cr.text", text)))
    assert trial.text == text


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbfAge \xe2\x89\xa5 18 years\n")
    assert only_trial(read(path)).text == "Age ≥ 18 years\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Inclusion: \xff\xfe", "not valid UTF-8 (byte 0xff at offset 11)"),
        (b"Age \xe9 18\n", "not valid UTF-8 (byte 0xe9 at offset 4)"),
        (b"\xef\xbb\xbfab\x80", "not valid UTF-8 (byte 0x80 at offset 5)"),
        (b"", "no criteria text"),
        (b"  \r\n\t\n", "no criteria text"),
        (b"\xef\xbb\xbf", "no criteria text"),
    ],
)
def test_unreadable_text(tmp_path: Path, data: bytes, reason: str) -> None:
    path = write(tmp_path, "bad.txt", data)
    failure = only_failure(read(path))
    assert failure.reason == reason
    assert failure.path == str(path)


@pytest.mark.parametrize(
    ("text", "trial_id"),
    [
        ("NCT number NCT06000001\nSee also NCT06000002\n", "NCT06000001"),
        ("Title\n\nNCT ID: NCT06000003\n\nRelated: NCT06000004\n", "NCT06000003"),
        ("Registered as NCT06000005; see NCT06000005.\n", "NCT06000005"),
        ("Compare NCT06000006 and NCT06000007.\n", "page"),
        ("No registry number here.\n", "page"),
        ("xNCT06000008 and NCT060000091 are not ids\n", "page"),
    ],
)
def test_id(tmp_path: Path, text: str, trial_id: str) -> None:
    assert only_trial(read(write(tmp_path, "page.txt", text))).id == trial_id


def test_page_fields_are_read(fixtures: Path) -> None:
    trial = only_trial(read(fixtures / "page.txt"))
    assert trial.id == "NCT09000099"
    assert trial.structured == StructuredFields(40.0, 85.0, "all", False)


def test_text_trial_for_stdin() -> None:
    result = text_trial("- Age over 18\n", path="-")
    assert isinstance(result, Trial)
    assert (result.id, result.path) == ("stdin", "-")


def test_read_text_bytes_and_file(tmp_path: Path) -> None:
    assert isinstance(next(read_text_bytes(b"\xff", path="x.txt")), ReadFailure)
    missing = only_failure(list(read_text_file(str(tmp_path / "gone.txt"))))
    assert missing.reason == "no such file or directory"


def test_five_megabyte_single_line(tmp_path: Path) -> None:
    text = "Inclusion Criteria: " + "adults with asthma, " * 260_000
    assert len(text) > 5_000_000
    path = write(tmp_path, "huge.txt", text)
    trial = only_trial(list(read_paths([path])))
    assert trial.text == text


SEED_IDS = {
    "000": "NCT06242405",
    "001": "NCT01854125",
    "002": None,
    "003": None,
    "004": "NCT05106972",
}


@pytest.mark.shared
@pytest.mark.parametrize(("prefix", "trial_id"), sorted(SEED_IDS.items()))
def test_seed_ids(shared: Path, prefix: str, trial_id: str | None) -> None:
    (seed,) = sorted((shared / "seeds").glob(f"{prefix}_*.txt"))
    trial = only_trial(read(seed))
    assert trial.id == (trial_id or seed.stem)
    assert trial.text == seed.read_bytes().decode("utf-8")
