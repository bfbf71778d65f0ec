"""Tests of eligo.readers: paths, directories, stdin, sniffing, robustness."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eligo.readers as readers
from eligo.readers import READ_EXTENSIONS, read_paths, read_text
from eligo.readers.common import os_reason
from eligo.trial import ReadFailure, Trial

from ..strategies import SURROGATES, any_text
from .helpers import failures, only_failure, only_trial, read, trials, write

STUDY = json.dumps(
    {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT09000100"},
            "eligibilityModule": {"eligibilityCriteria": "* Age \\>= 18", "sex": "ALL"},
        }
    }
)
XML = (
    "<clinical_study><id_info><nct_id>NCT09000101</nct_id></id_info>"
    "<eligibility><criteria><textblock>- Adults</textblock></criteria>"
    "<gender>All</gender></eligibility></clinical_study>"
)
TABLE = 'nct_id|criteria|gender\nNCT09000102|"- Adults\n- No smokers"|All\n'
PAGE = "NCT ID: NCT09000103\n\nGender\n\nALL\n\nInclusion Criteria:\n- Adults\n"


def test_nested_directory_with_one_broken_file(tmp_path: Path) -> None:
    write(tmp_path, "b/study.json", STUDY)
    write(tmp_path, "b/c/broken.json", '{"protocolSection": ')
    write(tmp_path, "b/c/page.txt", PAGE)
    write(tmp_path, "a.xml", XML)
    write(tmp_path, "table.TXT", TABLE)
    write(tmp_path, "notes.md", "# not read")
    write(tmp_path, "image.png", b"\x89PNG")
    write(tmp_path, ".hidden.txt", "hidden")
    write(tmp_path, ".git/HEAD.txt", "hidden")
    results = read(tmp_path)
    assert [r.path for r in results] == [
        str(tmp_path / "a.xml"),
        str(tmp_path / "b" / "c" / "broken.json"),
        str(tmp_path / "b" / "c" / "page.txt"),
        str(tmp_path / "b" / "study.json"),
        str(tmp_path / "table.TXT"),
    ]
    assert [getattr(r, "id", None) for r in results] == [
        "NCT09000101",
        None,
        "NCT09000103",
        "NCT09000100",
        "NCT09000102",
    ]
    failure = failures(results)[0]
    assert failure.reason.startswith("invalid JSON: Expecting value (line 1, column")
    assert [t.source_format for t in trials(results)] == [
        "ctgov_xml",
        "text",
        "ctgov_v2",
        "aact",
    ]


def test_directory_symlink_loop_ends(tmp_path: Path) -> None:
    write(tmp_path, "d/page.txt", PAGE)
    (tmp_path / "d" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [r.path for r in read(tmp_path)] == [str(tmp_path / "d" / "page.txt")]


def test_paths_in_order_and_missing(tmp_path: Path) -> None:
    page = write(tmp_path, "page.txt", PAGE)
    missing = tmp_path / "missing.json"
    results = list(read_paths([str(missing), page, tmp_path / "nope"]))
    assert [type(r) for r in results] == [ReadFailure, Trial, ReadFailure]
    assert results[0] == ReadFailure(str(missing), "no such file or directory")
    assert results[1].path == str(page)


def test_single_path_argument(tmp_path: Path) -> None:
    page = write(tmp_path, "page.txt", PAGE)
    assert only_trial(list(read_paths(page))).id == "NCT09000103"


def test_empty_directory_yields_nothing(tmp_path: Path) -> None:
    assert read(tmp_path) == []


@pytest.mark.parametrize(
    ("content", "source_format"),
    [
        (STUDY, "ctgov_v2"),
        ("\n  " + XML, "ctgov_xml"),
        (TABLE, "aact"),
        (PAGE, "text"),
        ("\ufeff" + STUDY, "ctgov_v2"),
    ],
)
def test_unknown_extension_named_explicitly_is_sniffed(
    tmp_path: Path, content: str, source_format: str
) -> None:
    path = write(tmp_path, "export.dat", content)
    assert only_trial(read(path)).source_format == source_format
    assert read(tmp_path) == []  # skipped when walking a directory


@pytest.mark.parametrize(
    ("data", "source_format", "trial_id"),
    [
        (STUDY.encode(), "ctgov_v2", "NCT09000100"),
        (b"  [" + STUDY.encode() + b"]", "ctgov_v2", "NCT09000100"),
        (XML.encode(), "ctgov_xml", "NCT09000101"),
        (TABLE.encode(), "aact", "NCT09000102"),
        (PAGE.encode(), "text", "NCT09000103"),
        (b"\xef\xbb\xbf- Adults only\r\n", "text", "stdin"),
    ],
)
def test_stdin(data: bytes, source_format: str, trial_id: str) -> None:
    trial = only_trial(list(read_paths(["-"], stdin=io.BytesIO(data))))
    assert (trial.source_format, trial.id, trial.path) == (source_format, trial_id, "-")


def test_stdin_keeps_crlf() -> None:
    trial = only_trial(list(read_paths(["-"], stdin=io.BytesIO(b"- a\r\n- b\r\n"))))
    assert trial.text == "- a\r\n- b\r\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"- caf\xe9", "not valid UTF-8 (byte 0xe9 at offset 5)"),
        (b"", "no criteria text"),
        (
            b"{oops",
            "invalid JSON: Expecting property name enclosed in double quotes "
            "(line 1, column 2)",
        ),
        (b"<a>", "invalid XML: no element found: line 1, column 3"),
    ],
)
def test_stdin_failures(data: bytes, reason: str) -> None:
    failure = only_failure(list(read_paths(["-"], stdin=io.BytesIO(data))))
    assert (failure.path, failure.reason) == ("-", reason)


def test_read_text_sniffing() -> None:
    assert only_trial(list(read_text(STUDY))).source_format == "ctgov_v2"
    assert only_trial(list(read_text(" \n" + XML))).source_format == "ctgov_xml"
    assert only_trial(list(read_text(PAGE, path="page.txt"))).path == "page.txt"
    assert only_trial(list(read_text("Age 18-65", path="x/a.txt"))).id == "a"


def test_os_reasons() -> None:
    denied = PermissionError(13, "Permission denied", "x.txt")
    assert os_reason(denied) == "unreadable: [Errno 13] Permission denied"
    assert os_reason(FileNotFoundError(2, "No such file", "x")) == (
        "no such file or directory"
    )


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything"
)
def test_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", PAGE)
    path.chmod(0)
    try:
        failure = only_failure(read(path))
    finally:
        path.chmod(0o600)
    assert failure.reason == "unreadable: [Errno 13] Permission denied"


def test_a_reader_bug_ends_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: str) -> Iterator[Trial | ReadFailure]:
        raise RuntimeError("boom\nsecond line")
        yield  # pragma: no cover

    monkeypatch.setattr(readers, "read_json_file", broken)
    write(tmp_path, "a.json", STUDY)
    write(tmp_path, "b.txt", PAGE)
    results = read(tmp_path)
    assert [type(r) for r in results] == [ReadFailure, Trial]
    failure = results[0]
    assert isinstance(failure, ReadFailure)
    assert failure.reason == "unexpected error: RuntimeError: boom second line"


# Property tests: whatever the input, only Trials and one-line failures come out.

_MUTATION = st.tuples(
    st.sampled_from(["delete", "insert", "replace", "truncate"]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
    # A lone surrogate, as a character or as JSON writes it.
    st.one_of(st.text(min_size=1, max_size=3), SURROGATES, st.just("\\ud8ff")),
)


def _mutate(text: str, ops: list[tuple[str, float, str]]) -> str:
    for op, where, chars in ops:
        at = int(where * len(text))
        if op == "delete":
            text = text[:at] + text[at + 1 :]
        elif op == "insert":
            text = text[:at] + chars + text[at:]
        elif op == "replace":
            text = text[:at] + chars + text[at + 1 :]
        else:
            text = text[:at]
    return text


def _check(results: list[Trial | ReadFailure]) -> None:
    for result in results:
        assert isinstance(result, (Trial, ReadFailure))
        # Whatever came in, what comes out can be encoded (written as JSON).
        json.dumps(dataclasses.asdict(result), ensure_ascii=False).encode("utf-8")
        if isinstance(result, ReadFailure):
            assert result.reason and "\n" not in result.reason
            assert not result.reason.startswith("unexpected error")
        else:
            assert result.text.strip()


@settings(max_examples=150, deadline=None)
@given(
    base=st.sampled_from([STUDY, XML, TABLE, PAGE, f"[{STUDY}, {STUDY}]"]),
    ops=st.lists(_MUTATION, max_size=6),
)
def test_mutated_records_never_raise(
    base: str, ops: list[tuple[str, float, str]]
) -> None:
    _check(list(read_text(_mutate(base, ops))))


@settings(max_examples=100, deadline=None)
@given(
    data=st.binary(max_size=600),
    suffix=st.sampled_from(sorted(READ_EXTENSIONS | {".dat"})),
)
def test_random_bytes_never_raise(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        _check(list(read_paths([path, "-"], stdin=io.BytesIO(data))))


@settings(max_examples=100, deadline=None)
@given(
    base=st.sampled_from([STUDY, XML, TABLE]),
    ops=st.lists(_MUTATION, max_size=4),
    suffix=st.sampled_from([".json", ".jsonl", ".xml", ".csv", ".txt"]),
)
def test_mutated_files_never_raise(
    base: str, ops: list[tuple[str, float, str]], suffix: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(_mutate(base, ops).encode("utf-8", errors="surrogatepass"))
        _check(list(read_paths([tmp])))


@settings(max_examples=100, deadline=None)
@given(any_text(max_size=400))
def test_random_text_never_raises(text: str) -> None:
    _check(list(read_text(text)))
