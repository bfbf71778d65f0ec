"""Scale-out: the Dask engine, Parquet output and loading, compact JSON."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from eligo.cli import app
from eligo.document import Document
from eligo.errors import EligoError
from eligo.parse import DocumentJSON, Parser, parse_trials
from eligo.readers import read_paths
from eligo.store import Store
from eligo.store.parquet import ParquetWriter, load_parquet
from eligo.store.schema import TRIAL_TABLES

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "audit" / "trials.jsonl"


def _bad_file(tmp_path: Path) -> Path:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    return bad


def _as_text(result: object) -> str:
    if isinstance(result, DocumentJSON):
        return result.json
    return result.message()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    parser = Parser(concepts=True)
    return [parser.parse(t) for t in read_paths([FIXTURE])]  # type: ignore[arg-type]


def test_dask_local_cluster_gives_the_single_process_output(tmp_path: Path) -> None:
    paths = [FIXTURE, _bad_file(tmp_path), FIXTURE]
    local = [_as_text(r) for r in parse_trials(read_paths(paths), jobs=1, as_json=True)]
    dask = [
        _as_text(r)
        for r in parse_trials(
            read_paths(paths), jobs=2, chunksize=2, as_json=True, engine="dask"
        )
    ]
    assert len(local) == 15  # 7 + one read failure + 7, in place
    assert any("bad.json" in line for line in local)
    assert dask == local


def test_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(EligoError, match="unknown engine 'spark'"):
        list(parse_trials(read_paths([FIXTURE]), engine="spark"))


def test_compact_json_reads_back_unchanged(documents: list[Document]) -> None:
    for doc in documents:
        full = DocumentJSON.of(doc).json
        compact = DocumentJSON.of(doc, compact=True).json
        assert len(compact) < len(full)
        assert "[]" not in compact and "null" not in compact
        assert Document.model_validate_json(compact) == doc


def _rows(store: Store, table: str) -> list[tuple[object, ...]]:
    skip = " EXCLUDE (indexed_at)" if table == "trials" else ""
    return store.con.execute(f"SELECT *{skip} FROM {table} ORDER BY ALL").fetchall()


def test_parquet_parts_hold_the_store_rows(
    documents: list[Document], tmp_path: Path
) -> None:
    writer = ParquetWriter(tmp_path / "pq", part_size=3)
    for doc in documents:
        writer.write(doc)
    writer.close()
    assert writer.parts == 3  # 3 + 3 + 1
    parts = sorted(p.name for p in (tmp_path / "pq" / "criteria").iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    with Store(":memory:") as loaded, Store(":memory:") as direct:
        assert load_parquet(loaded, tmp_path / "pq") == len(documents)
        direct.index_documents(documents)
        for table in TRIAL_TABLES:
            assert _rows(loaded, table) == _rows(direct, table), table
        assert loaded.count("constraints") > 0 and loaded.count("entities") > 0


def test_parquet_offsets_index_the_trial_text(
    documents: list[Document], tmp_path: Path
) -> None:
    writer = ParquetWriter(tmp_path / "pq")
    for doc in documents:
        writer.write(doc)
    writer.close()
    con = duckdb.connect()
    for table in ("criteria", "constraints", "entities"):
        rows = con.execute(
            f"SELECT t.text, x.start_char, x.end_char, x.text FROM "
            f"read_parquet('{tmp_path}/pq/{table}/*.parquet') x JOIN "
            f"read_parquet('{tmp_path}/pq/trials/*.parquet') t USING (trial_id)"
        ).fetchall()
        assert rows
        for text, start, end, quoted in rows:
            assert text[start:end] == quoted


def test_loading_parquet_replaces_stored_trials(
    documents: list[Document], tmp_path: Path
) -> None:
    writer = ParquetWriter(tmp_path / "pq")
    for doc in documents:
        writer.write(doc)
    writer.close()
    with Store(":memory:") as store:
        load_parquet(store, tmp_path / "pq")
        load_parquet(store, tmp_path / "pq")  # again: replaced, not doubled
        assert store.count("trials") == len(documents)
        assert store.get(documents[0].id) == documents[0]


def test_load_refuses_a_directory_eligo_did_not_write(tmp_path: Path) -> None:
    with Store(":memory:") as store, pytest.raises(EligoError, match="not a Parquet"):
        load_parquet(store, tmp_path)


def test_cli_parse_parquet_then_index_it(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "pq"
    done = runner.invoke(
        app, ["parse", str(FIXTURE), "--format", "parquet", "-o", str(out), "-q"]
    )
    assert done.exit_code == 0, done.output
    db = tmp_path / "s.duckdb"
    done = runner.invoke(app, ["index", str(out), "--parquet", "--db", str(db), "-q"])
    assert done.exit_code == 0, done.output
    with Store(db, read_only=True) as store:
        assert store.count("trials") == 7


def test_cli_parquet_needs_a_directory() -> None:
    done = CliRunner().invoke(app, ["parse", str(FIXTURE), "--format", "parquet"])
    assert done.exit_code == 2
    assert "needs -o DIRECTORY" in done.output


def test_cli_compact_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    done = CliRunner().invoke(
        app, ["parse", str(FIXTURE), "--compact", "-o", str(out), "-q"]
    )
    assert done.exit_code == 0, done.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7
    for line in lines:
        Document.model_validate_json(line)
        assert '"entities":[]' not in line and json.loads(line)["id"]
