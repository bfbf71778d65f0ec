"""The DuckDB schema of the eligo store (documented in ``SCHEMA.md`` beside this file).

One row per trial in ``trials`` (with the whole Document as JSON, so audit and
match reload Documents without re-parsing), one per criterion in ``criteria``,
one per constraint in ``constraints`` and one per entity in ``entities``.
Offsets (``start_char``/``end_char``) index ``trials.text`` exactly as the
Document's ``start``/``end`` do (``end`` is an SQL keyword, hence the names).
``SCHEMA_VERSION`` changes whenever a column does; a store written by another
schema version is refused with a clear message rather than read wrongly.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

#: Table name -> column definitions, in insertion order.
TABLES: dict[str, str] = {
    "meta": """
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    """,
    "trials": """
        trial_id VARCHAR PRIMARY KEY,
        content_hash VARCHAR NOT NULL,
        eligo_version VARCHAR NOT NULL,
        indexed_at TIMESTAMP NOT NULL,
        title VARCHAR,
        conditions VARCHAR[] NOT NULL,
        minimum_age DOUBLE,
        maximum_age DOUBLE,
        sex VARCHAR,
        healthy_volunteers BOOLEAN,
        summary_min_age DOUBLE,
        summary_max_age DOUBLE,
        summary_sex VARCHAR,
        source_path VARCHAR,
        source_record VARCHAR,
        source_format VARCHAR,
        n_criteria INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        document JSON NOT NULL
    """,
    "criteria": """
        trial_id VARCHAR NOT NULL,
        criterion_index INTEGER NOT NULL,
        section VARCHAR NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        heading VARCHAR,
        n_constraints INTEGER NOT NULL,
        PRIMARY KEY (trial_id, criterion_index)
    """,
    "constraints": """
        trial_id VARCHAR NOT NULL,
        criterion_index INTEGER NOT NULL,
        constraint_index INTEGER NOT NULL,
        section VARCHAR NOT NULL,
        type VARCHAR NOT NULL,
        negated BOOLEAN NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        value VARCHAR,
        low DOUBLE,
        low_inclusive BOOLEAN,
        high DOUBLE,
        high_inclusive BOOLEAN,
        unit VARCHAR,
        relative_to VARCHAR,
        analyte_text VARCHAR,
        analyte_code VARCHAR,
        analyte_id VARCHAR,
        canonical_low DOUBLE,
        canonical_high DOUBLE,
        canonical_unit VARCHAR,
        low_days DOUBLE,
        high_days DOUBLE,
        direction VARCHAR,
        anchor VARCHAR,
        subject VARCHAR,
        PRIMARY KEY (trial_id, criterion_index, constraint_index)
    """,
    "entities": """
        trial_id VARCHAR NOT NULL,
        criterion_index INTEGER NOT NULL,
        entity_index INTEGER NOT NULL,
        label VARCHAR NOT NULL,
        negated BOOLEAN NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        PRIMARY KEY (trial_id, criterion_index, entity_index)
    """,
}

#: Tables that hold a trial's rows (deleted together when it is replaced).
TRIAL_TABLES = ("entities", "constraints", "criteria", "trials")


def create_statements() -> list[str]:
    """``CREATE TABLE IF NOT EXISTS`` statements for every table."""
    return [
        f"CREATE TABLE IF NOT EXISTS {name} ({columns.strip()})"
        for name, columns in TABLES.items()
    ]


def column_names(table: str) -> list[str]:
    """The column names of ``table``, in order."""
    names = []
    for line in TABLES[table].strip().splitlines():
        line = line.strip()
        if line and not line.startswith("PRIMARY KEY"):
            names.append(line.split()[0])
    return names


def json_columns(table: str) -> str:
    """``read_json``'s ``columns`` struct for ``table``: the store's own types.

    Rows are staged as JSON lines and read by DuckDB in C (binding them as SQL
    parameters costs more than parsing the trials); ``JSON`` columns are
    staged as their text.
    """
    pairs = []
    for line in TABLES[table].strip().splitlines():
        parts = line.strip().rstrip(",").split()
        if not parts or parts[0] == "PRIMARY":
            continue
        kind = "VARCHAR" if parts[1] == "JSON" else parts[1]
        pairs.append(f"{parts[0]}: '{kind}'")
    return "{" + ", ".join(pairs) + "}"
