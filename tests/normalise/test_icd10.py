"""ICD-10-CM codes on Condition entities: a tiny knowledge base in a temp dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligo.normalise import icd10

#: A few dozen codes: the categories and subcodes the cases below need, and
#: near neighbours that a careless linker would pick.
TINY_CODES = [
    "E10", "E10.9", "E11", "E11.9", "E11.65", "I10", "I1A", "I50", "I50.9",
    "I51.9", "C22", "C22.0", "C50", "C34", "C61", "J44", "J45", "G40", "N18",
    "N18.6", "I48", "I63", "I61", "K74.6", "F20", "G30", "G20", "G35", "M32",
    "L40", "B20", "U07.1", "K50", "K51", "E84", "C18", "I21", "R11.0", "R11.11",
    "T67.0",
]  # fmt: skip
SETTINGS = icd10.IndexSettings(min_df=1, m=8, ef_construction=50)


@pytest.fixture(scope="session")
def tiny_entities() -> list:
    descriptions = icd10.code_descriptions(TINY_CODES)
    return icd10.icd10_entities(descriptions, icd10.concept_synonyms())


@pytest.fixture(scope="session")
def tiny_index(tiny_entities, tmp_path_factory) -> Path:
    return icd10.ensure_index(tiny_entities, SETTINGS, tmp_path_factory.mktemp("kb"))


@pytest.fixture(scope="session")
def linker(tiny_index: Path) -> icd10.IcdLinker:
    return icd10.IcdLinker(tiny_index)


@pytest.mark.parametrize(
    ("mention", "code"),
    [
        ("type 2 diabetes", "E11"),  # a match_concepts synonym
        ("Type 2 diabetes mellitus", "E11"),  # the description
        ("hepatocellular carcinoma", "C22.0"),
        ("Essential hypertension", "I10"),  # "(primary)" may be left out
        ("breast cancers", "C50"),  # plural
        ("Carcinoma of the breast", "C50"),  # case, article
        # an alias of N18 (match_concepts) and N18.6: the parent is the true one
        ("end-stage renal disease", "N18"),
        ("  Vomiting without nausea ", "R11.11"),
    ],
)
def test_certain_mention_gets_its_code(linker, mention: str, code: str) -> None:
    (match,) = linker.link([mention])
    assert match is not None
    assert match.code == code
    assert match.score >= icd10.THRESHOLD
    assert match.as_dict()["system"] == "icd10cm"


@pytest.mark.parametrize(
    "mention",
    [
        "heart disease",  # I51.9 is "Heart disease, unspecified": not said
        "stroke",  # nearest by 3-grams: "Heatstroke and sunstroke"
        "uncontrolled hypertension",
        "type 2 diabetes with complications",
        "Nausea without vomiting",  # R11.0 is "Nausea"; R11.11 has the words reversed
        "diabetes",
        "xyzzy",
        "",
    ],
)
def test_uncertain_mention_gets_no_code(linker, mention: str) -> None:
    assert linker.link([mention]) == [None]


def test_nearest_gives_a_guess_that_link_withholds(linker) -> None:
    """The raw nearest alias exists; link() refuses it."""
    (guess,) = linker.nearest(["stroke"])
    assert guess is not None and guess.code == "T67.0"
    assert linker.link(["stroke"]) == [None]


@pytest.mark.parametrize(
    ("codes", "chosen"),
    [
        (["E11"], "E11"),
        (["E11", "E11.9"], "E11"),
        (["C22.0", "C22"], "C22"),
        (["L93", "M32"], None),
    ],
)
def test_most_general(codes: list[str], chosen: str | None) -> None:
    assert icd10._most_general(codes) == chosen


@pytest.mark.parametrize(
    ("mention", "alias", "same"),
    [
        ("essential hypertension", "Essential (primary) hypertension", True),
        ("carcinoma of the breast", "Carcinoma of breast", True),
        ("Breast cancers", "breast cancer", True),
        ("nausea without vomiting", "Vomiting without nausea", False),
        ("GM1 gangliosidosis", "GM2 gangliosidosis", False),
        ("heart disease", "Heart disease, unspecified", False),
        ("", "anything", False),
    ],
)
def test_same_words(mention: str, alias: str, same: bool) -> None:
    assert icd10.same_words(mention, alias) is same


def test_synonyms_only_from_single_code_conditions() -> None:
    data = {
        "concepts": [
            {
                "id": "a",
                "kind": "condition",
                "synonyms": ["alpha"],
                "codes": {"icd10cm": ["E11"]},
            },
            {
                "id": "b",
                "kind": "condition",
                "synonyms": ["beta"],
                "abbreviations": ["B"],
                "codes": {"icd10cm": ["E10", "E11"]},
            },
            {
                "id": "c",
                "kind": "medication",
                "synonyms": ["gamma"],
                "codes": {"icd10cm": ["E12"]},
            },
            {
                "id": "d",
                "kind": "condition",
                "synonyms": ["delta"],
                "abbreviations": ["DD"],
                "codes": {"icd10cm": ["I10"]},
            },
        ]
    }
    assert icd10.concept_synonyms(data) == {"E11": ["alpha"], "I10": ["delta"]}


def test_unknown_code_is_a_clear_error() -> None:
    with pytest.raises(icd10.CodesError, match=r"'E99\.99x' is not an ICD-10-CM"):
        icd10.code_descriptions(["E99.99x"])


def test_index_is_in_scispacy_layout_and_reused(
    tiny_entities, tmp_path: Path, monkeypatch
) -> None:
    first = icd10.ensure_index(tiny_entities, SETTINGS, tmp_path)
    assert icd10.linker_paths(first).is_locally_cached()
    meta = json.loads((first / icd10.META_FILE).read_text())
    assert meta["codes"] == len(TINY_CODES) and meta["bytes"] > 0

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the cached index was rebuilt")

    monkeypatch.setattr(icd10, "build_index", no_rebuild)
    assert icd10.ensure_index(tiny_entities, SETTINGS, tmp_path) == first
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no temp dir left


def test_new_knowledge_base_gets_a_new_cache_directory(tiny_entities) -> None:
    other = icd10.icd10_entities({"E11": "Type 2 diabetes mellitus"})
    assert icd10.index_directory(other, SETTINGS) != icd10.index_directory(
        tiny_entities, SETTINGS
    )


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(icd10.CACHE_ENV, str(tmp_path))
    assert icd10.cache_dir() == tmp_path
    monkeypatch.delenv(icd10.CACHE_ENV)
    assert icd10.cache_dir() == Path.home() / ".cache" / "eligo"


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(icd10.CodesError, match="no ICD-10-CM index there"):
        icd10.IcdLinker(tmp_path)


# --- through the pipeline -----------------------------------------------------

TRIAL_TEXT = (
    "Inclusion Criteria:\n"
    "- Type 2 diabetes mellitus\n"
    "- Hepatocellular carcinoma\n"
    "Exclusion Criteria:\n"
    "- Heart disease\n"
)


@pytest.fixture
def tiny_default(linker, monkeypatch) -> icd10.IcdLinker:
    """The default (whole code set) linker replaced by the tiny one."""
    monkeypatch.setattr(icd10, "default_linker", lambda: linker)
    monkeypatch.setattr(icd10, "default_index", lambda: linker.directory)
    return linker


@pytest.fixture(scope="module")
def coded_parser():
    from eligo.parse import Parser

    return Parser(codes=True)


def _trial():
    from eligo.trial import Trial

    return Trial(id="T1", text=TRIAL_TEXT, source_format="text")


def _without_codes(document) -> str:
    for crit in document.criteria:
        for entity in crit.entities:
            entity.code = None
    return document.model_dump_json()


def test_parser_codes_conditions_only_where_certain(
    tiny_default, coded_parser, parser
) -> None:
    coded = coded_parser.parse(_trial())
    codes = {
        TRIAL_TEXT[e.start : e.end]: e.code.code
        for c in coded.criteria
        for e in c.entities
        if e.code is not None
    }
    assert codes == {
        "Type 2 diabetes mellitus": "E11",
        "Hepatocellular carcinoma": "C22.0",
    }
    assert all(
        e.label == "Condition" for c in coded.criteria for e in c.entities if e.code
    )
    plain = parser.parse(_trial())
    assert '"code"' not in plain.model_dump_json()  # default output unchanged
    assert _without_codes(coded) == plain.model_dump_json()  # offsets and all


def test_codes_need_the_concept_model() -> None:
    from eligo.errors import EligoError
    from eligo.parse import Parser

    with pytest.raises(EligoError, match="codes need the concept model"):
        Parser(codes=True, concepts=False)


def test_cli_parse_codes(tiny_default, tmp_path: Path) -> None:
    from eligo.cli import app

    path = tmp_path / "t.txt"
    path.write_text(TRIAL_TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, ["parse", str(path), "--codes", "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    coded = [e["code"] for c in doc["criteria"] for e in c["entities"] if "code" in e]
    assert {c["code"] for c in coded} == {"E11", "C22.0"}
    plain = CliRunner().invoke(app, ["parse", str(path), "-q"])
    assert '"code"' not in plain.stdout
