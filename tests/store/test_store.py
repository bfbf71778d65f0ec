"""The DuckDB store: schema, incremental indexing, transactions, SQL access."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligo.document import Constraint, Criterion, Document, Structured
from eligo.store import Store, StoreError, content_hash, document_hash, run_index
from eligo.store.schema import TABLES, TRIAL_TABLES, column_names

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "audit" / "trials.jsonl"


def _doc(
    trial_id: str, text: str = "Inclusion Criteria:\n- Platelets >= 100"
) -> Document:
    start = text.index("Platelets")
    return Document(
        id=trial_id,
        text=text,
        structured=Structured(minimum_age=18),
        conditions=["Asthma"],
        criteria=[
            Criterion(
                section="inclusion",
                start=start,
                end=len(text),
                constraints=[
                    Constraint(
                        type="measurement",
                        start=start,
                        end=len(text),
                        low=100,
                        low_inclusive=True,
                        analyte={"start": start, "end": start + 9, "text": "Platelets"},
                    )
                ],
            )
        ],
    )


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "t.duckdb") as s:
        yield s


def test_schema_tables_and_columns(store):
    for table in TABLES:
        cols = [r[0] for r in store.con.execute(f"DESCRIBE {table}").fetchall()]
        assert cols == column_names(table)
    version = store.con.execute(
        "SELECT value FROM meta WHERE key = 'schema_version'"
    ).fetchone()
    assert version == ("1",)


def test_schema_is_documented():
    doc = (
        Path(__file__).resolve().parents[2] / "nlp" / "eligo" / "store" / "SCHEMA.md"
    ).read_text(encoding="utf-8")
    for table in TABLES:
        assert f"`{table}`" in doc
        for col in column_names(table):
            assert col in doc, (table, col)


def test_put_add_unchanged_replace(store):
    doc = _doc("NCT1")
    assert store.put(doc) == "added"
    assert store.put(doc) == "unchanged"
    changed = _doc("NCT1", "Inclusion Criteria:\n- Platelets >= 150 now")
    assert store.put(changed) == "replaced"
    assert store.count() == 1
    assert store.count("criteria") == 1
    assert store.get("NCT1") == changed
    rows = store.con.execute("SELECT trial_id, text FROM criteria").fetchall()
    assert rows == [("NCT1", "Platelets >= 150 now")]


def test_hash_covers_text_fields_and_version():
    base = content_hash("a", {"minimum_age": 18}, "t", ["c"], "1")
    assert base == content_hash("a", {"minimum_age": 18}, "t", ["c"], "1")
    assert base != content_hash("b", {"minimum_age": 18}, "t", ["c"], "1")
    assert base != content_hash("a", {"minimum_age": 19}, "t", ["c"], "1")
    assert base != content_hash("a", {"minimum_age": 18}, "t", ["c"], "2")


def test_failed_replace_keeps_old_rows(store, monkeypatch):
    store.put(_doc("NCT1"))
    original = store._insert

    def broken(table, values):
        if table == "constraints":
            raise RuntimeError("disk full")
        original(table, values)

    monkeypatch.setattr(store, "_insert", broken)
    with pytest.raises(RuntimeError):
        store.put(_doc("NCT1", "Inclusion Criteria:\n- Platelets >= 150 now"))
    monkeypatch.undo()
    assert store.get("NCT1") == _doc("NCT1")
    assert store.count("constraints") == 1
    assert store.count("criteria") == 1


def test_interrupted_run_keeps_committed(tmp_path):
    path = tmp_path / "i.duckdb"

    def docs():
        yield _doc("NCT1")
        yield _doc("NCT2")
        raise KeyboardInterrupt

    with Store(path) as s, pytest.raises(KeyboardInterrupt):
        s.index_documents(docs())
    with Store(path, read_only=True) as s:
        assert s.trial_ids() == ["NCT1", "NCT2"]
        assert s.count("constraints") == 2


def test_run_index_is_incremental(store, tmp_path):
    first = run_index([FIXTURE], store)
    assert first.failures == 0
    assert first.counts.added == 7
    again = run_index([FIXTURE], store)
    assert (again.counts.added, again.counts.unchanged) == (0, 7)
    edited = tmp_path / "edited.jsonl"
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("Age ≥ 70 years", "Age ≥ 71 years")
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    third = run_index([edited], store)
    assert (third.counts.replaced, third.counts.unchanged) == (1, 6)


def test_bad_records_are_reported_and_batch_goes_on(store, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"nct_id": "NCT5", "criteria": "- Age >= 18"}\n{oops\n')
    messages: list[str] = []
    stats = run_index([bad], store, on_error=messages.append)
    assert stats.failures == 1 and len(messages) == 1
    assert store.trial_ids() == ["NCT5"]


def test_documents_reload_without_parsing(store):
    run_index([FIXTURE], store)
    docs = list(store.documents())
    assert [d.id for d in docs] == sorted(d.id for d in docs)
    assert all(document_hash(d) for d in docs)
    assert [d.id for d in store.documents(trial_ids=["NCT99000002"])] == ["NCT99000002"]
    assert len(store.trial_ids(condition="solid")) == 7
    assert store.trial_ids(condition="asthma") == []


def test_sql_on_documented_tables(store):
    run_index([FIXTURE], store)
    rows = store.con.execute(
        "SELECT DISTINCT trial_id FROM constraints "
        "WHERE analyte_id = 'platelets' AND canonical_unit = '10*9/L' "
        "AND canonical_low >= 100 ORDER BY 1"
    ).fetchall()
    assert ("NCT99000003",) in rows
    text, start, end = store.con.execute(
        "SELECT t.text, c.start_char, c.end_char FROM criteria c "
        "JOIN trials t USING (trial_id) WHERE trial_id = 'NCT99000001' "
        "AND criterion_index = 0"
    ).fetchone()
    (span,) = store.con.execute(
        "SELECT text FROM criteria WHERE trial_id = 'NCT99000001' "
        "AND criterion_index = 0"
    ).fetchone()
    assert text[start:end] == span
    (conditions,) = store.con.execute(
        "SELECT conditions FROM trials WHERE trial_id = 'NCT99000001'"
    ).fetchone()
    assert conditions == ["Solid tumour"]


def test_read_only_missing_store(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        Store(tmp_path / "missing.duckdb", read_only=True)


def test_other_schema_version_is_refused(tmp_path):
    path = tmp_path / "old.duckdb"
    with Store(path) as s:
        s.con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 0"):
        Store(path)


@pytest.mark.parametrize(
    ("limit", "shown"),
    [("256MB", "244.1 MiB"), ("1GB", "953.6 MiB"), ("2GiB", "2.0 GiB")],
)
def test_memory_limit_is_set(tmp_path, limit, shown):
    with Store(tmp_path / "s.duckdb", memory_limit=limit) as s:
        (setting,) = s.con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert setting == shown


def test_default_memory_limit_bounds_duckdb(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        (setting,) = s.con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert setting == "488.2 MiB"  # DEFAULT_MEMORY_LIMIT, 512 MB


def test_read_only_store_keeps_duckdbs_memory_default(tmp_path):
    path = tmp_path / "s.duckdb"
    Store(path).close()
    with Store(path, read_only=True) as s:
        (setting,) = s.con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert setting != "488.2 MiB"


def test_bad_memory_limit_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="cannot open the store"):
        Store(tmp_path / "s.duckdb", memory_limit="lots")


def _table(store: Store, table: str) -> list[tuple]:
    names = [n for n in column_names(table) if n != "indexed_at"]
    return store.con.execute(
        f"SELECT {', '.join(names)} FROM {table} ORDER BY ALL"
    ).fetchall()


def test_batched_rows_equal_one_by_one(tmp_path, monkeypatch):
    """Rows staged as JSON lines for a batch equal rows bound one record at a time."""
    docs = [
        Document.model_validate_json(line) for line in run_and_dump(tmp_path, FIXTURE)
    ]
    with Store(tmp_path / "batch.duckdb") as batch:
        monkeypatch.setattr("eligo.store.db.STAGE_ROWS", 2)  # every table staged
        outcomes = batch.put_many([(d, None) for d in docs])
        assert outcomes == ["added"] * len(docs)
        monkeypatch.setattr("eligo.store.db.STAGE_ROWS", 10**9)  # never staged
        with Store(tmp_path / "single.duckdb") as single:
            for d in docs:
                single.put(d)
            assert min(len(_table(single, t)) for t in TRIAL_TABLES) > 2
            for table in ("trials", "criteria", "constraints", "entities"):
                assert _table(batch, table) == _table(single, table)
        # A second batch: one replaced, the rest unchanged.
        edited = docs[0].model_copy(update={"title": "Edited"})
        outcomes = batch.put_many([(edited, None), *((d, None) for d in docs[1:])])
        assert outcomes == ["replaced"] + ["unchanged"] * (len(docs) - 1)
        assert batch.get(docs[0].id) == edited
        with pytest.raises(ValueError, match="twice"):
            batch.put_many([(docs[1], None), (docs[1], None)])


def run_and_dump(tmp_path: Path, path: Path) -> list[str]:
    """The fixture's documents, parsed once through a store and reloaded."""
    with Store(tmp_path / "parsed.duckdb") as s:
        run_index([path], s)
        return [d.model_dump_json() for d in s.documents()]


def test_interrupted_index_run_keeps_parsed_documents(store, monkeypatch):
    """An interruption in the parse commits the documents parsed before it."""
    import eligo.store.index as index

    real = index.parse_trials

    def interrupted(*args, **kwargs):
        results = real(*args, **kwargs)
        yield next(results)
        yield next(results)
        raise KeyboardInterrupt

    monkeypatch.setattr(index, "parse_trials", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_index([FIXTURE], store)
    assert len(store.trial_ids()) == 2
