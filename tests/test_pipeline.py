import subprocess
import sys
from importlib.metadata import entry_points

import pytest
import spacy

from eligo.pipeline import PIPE_NAMES, build_pipeline
from eligo.pipeline.spans import criterion_records
from eligo.trial import Trial

TEXT = "Inclusion Criteria:\n- Age 18 or older\nExclusion Criteria:\n- Pregnancy\n"


@pytest.mark.parametrize("name", PIPE_NAMES)
def test_factory_is_an_entry_point(name: str) -> None:
    names = {ep.name for ep in entry_points(group="spacy_factories")}
    assert name in names


@pytest.mark.parametrize("name", PIPE_NAMES)
def test_factory_resolves_without_importing_eligo(name: str) -> None:
    code = (
        "import sys, spacy\n"
        "nlp = spacy.blank('en')\n"
        f"nlp.add_pipe('eligo_sections'); nlp.add_pipe({name!r}) if {name!r} != "
        "'eligo_sections' else None\n"
        "print(nlp.pipe_names)\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert name in out.stdout


def criteria_of(nlp: spacy.language.Language, text: str) -> list[tuple[str, int, int]]:
    doc = nlp(text)
    return [(c["section"], c["start"], c["end"]) for c in criterion_records(doc)]


def test_saved_pipeline_loads_with_its_rules(tmp_path) -> None:
    nlp = build_pipeline()
    nlp.to_disk(tmp_path / "pipe")
    assert (
        tmp_path / "pipe" / "eligo_sections" / "sections.json"
    ).is_file()  # the rules travel
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == list(PIPE_NAMES)
    assert criteria_of(loaded, TEXT) == criteria_of(nlp, TEXT)
    assert criteria_of(loaded, TEXT) == [("inclusion", 22, 37), ("exclusion", 60, 69)]


def test_rules_travel_in_bytes() -> None:
    nlp = build_pipeline()
    other = build_pipeline()
    other.from_bytes(nlp.to_bytes())
    assert criteria_of(other, TEXT) == criteria_of(nlp, TEXT)


def test_extensions_survive_multiprocess_pipe() -> None:
    nlp = build_pipeline()
    docs = list(nlp.pipe([TEXT, TEXT], n_process=2))
    assert [len(criterion_records(d)) for d in docs] == [2, 2]


def test_criteria_component_needs_sections() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("eligo_criteria")
    with pytest.raises(ValueError, match="eligo_sections"):
        nlp("- A")


def test_parser_sets_source_format(parser) -> None:
    page = "Title\nSome text.\nInclusion Criteria:\n- A\n"
    as_page = parser.parse(Trial(id="p", text=page, source_format="text"))
    as_field = parser.parse(Trial(id="p", text=page, source_format="ctgov_v2"))
    assert len(as_page.criteria) == 1  # the page's own text is not a criterion
    assert len(as_field.criteria) == 3
