"""Patient notes: free text read into a profile, each fact pointing at the note.

The notes here are written for these tests (no shared data).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligo.cli import app
from eligo.match import PatientError, load_note, match, read_note
from eligo.match.note import (
    MAX_NOTE_CHARS,
    NoteReader,
    read_age,
    read_consent,
    read_sex,
    read_smoking,
)
from eligo.match.patient import Patient
from eligo.trial import Trial

AS_OF = date(2026, 3, 1)
NOTE = (
    "A 63-year-old man presents with worsening cough.\n"
    "He has type 2 diabetes and takes metformin.\n"
    "His hemoglobin is 10.4 g/dL and his blood pressure is 142/88 mmHg.\n"
    "He has no history of stroke.\n"
    "His mother had breast cancer.\n"
    "He quit smoking ten years ago.\n"
    "He will provide informed consent and comply with the protocol.\n"
)


@pytest.fixture(scope="module")
def reader() -> NoteReader:
    return NoteReader()


@pytest.fixture(scope="module")
def patient(reader: NoteReader) -> Patient:
    return reader.read(NOTE, id="p1", on=AS_OF).patient


def _sources(patient: Patient) -> list:
    facts = [*patient.conditions, *patient.medications, *patient.procedures]
    found = [f.source for f in facts] + [o.source for o in patient.observations]
    return [s for s in found if s is not None] + list(patient.sources.values())


def test_every_source_indexes_the_note(patient: Patient) -> None:
    sources = _sources(patient)
    assert len(sources) >= 6
    for src in sources:
        assert NOTE[src.start : src.end] == src.text
        assert src.sentence_start <= src.start <= src.end <= src.sentence_end
        assert "\n" not in NOTE[src.sentence_start : src.sentence_end].strip()


def test_demographics_and_consent(patient: Patient) -> None:
    assert (patient.age, patient.sex, patient.consent) == (63.0, "male", True)
    assert patient.sources["age"].text == "63-year-old"
    assert patient.sources["sex"].text == "man"


def test_facts_and_assertions(patient: Patient) -> None:
    conditions = {c.text: c.present for c in patient.conditions}
    assert conditions.get("type 2 diabetes") is True
    assert conditions.get("stroke") is False  # denied: known absent
    assert "breast cancer" not in conditions  # the mother's, not the patient's
    assert conditions.get("smoker") is False  # quit smoking
    assert [m.text for m in patient.medications] == ["metformin"]


def test_values_with_units(patient: Patient) -> None:
    values = {o.name: (o.value, o.unit, o.date) for o in patient.observations}
    assert values["hemoglobin"] == (10.4, "g/dL", "2026-03-01")
    assert values["systolic blood pressure"] == (142.0, "mm[Hg]", "2026-03-01")
    assert values["diastolic blood pressure"] == (88.0, "mm[Hg]", "2026-03-01")


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("A 7-month-old girl", None),  # "7-month-old" is read below
        ("a 45 yo woman", 45.0),
        ("She is aged 71 and lives alone", 71.0),
        ("a 3 year old boy", 3.0),
        ("Lab 12 mg", None),
    ],
)
def test_read_age(text: str, age: float | None) -> None:
    found = read_age(text)
    if "month" in text:
        assert found is not None and found[0] == pytest.approx(7 / 12, abs=0.01)
    else:
        assert (found[0] if found else None) == age


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("A 50-year-old woman with fever", "female"),
        ("The patient is a male with a rash; his wife is present", "male"),
        ("Patient reports she has had a cough; her symptoms improved", "female"),
        ("The patient has a cough", None),
        ("A human being presents", None),  # "man" inside a word is no sex
    ],
)
def test_read_sex(text: str, sex: str | None) -> None:
    found = read_sex(text)
    assert (found[0] if found else None) == sex


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The patient will provide informed consent.", True),
        ("He is able to give written informed consent.", True),
        ("She refuses to sign informed consent.", False),
        ("No statement about it.", None),
    ],
)
def test_read_consent(text: str, value: bool | None) -> None:
    found = read_consent(text)
    assert (found[0] if found else None) is value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("He smokes a pack a day.", True),
        ("A 40 pack-year smoking history.", True),
        ("She is a nonsmoker.", False),
        ("He denies tobacco use.", False),
        ("No habits recorded.", None),
    ],
)
def test_read_smoking(text: str, value: bool | None) -> None:
    found = read_smoking(text)
    assert (found[0] if found else None) is value


def test_sections_place_family_history_and_allergies(reader: NoteReader) -> None:
    note = (
        "History of Present Illness: A 30-year-old woman with asthma.\n"
        "Allergies: penicillin.\n"
        "Family History: colon cancer.\n"
    )
    patient = reader.read(note, on=AS_OF).patient
    conditions = [c.text for c in patient.conditions]
    drugs = [m.text for m in patient.medications]
    assert "asthma" in conditions
    assert "colon cancer" not in conditions
    assert "penicillin" not in drugs


def test_matching_cites_the_note(patient: Patient, reader: NoteReader) -> None:
    trial = (
        "Inclusion Criteria:\n- Age 50 to 75 years\n- Type 2 diabetes\n"
        "- Hemoglobin >= 9 g/dL\n- Able to give informed consent\n"
        "Exclusion Criteria:\n- Insulin therapy\n- Stroke\n"
    )
    doc = reader.parser.parse(Trial(id="T", text=trial))
    (result,) = match(patient, [doc], as_of=AS_OF).trials
    verdicts = [c.verdict for c in result.criteria]
    assert verdicts == ["met"] * 6
    for crit in result.criteria:
        # What the note says is cited; what it is silent on (insulin) is not.
        assert bool(crit.sources) == (crit.text != "Insulin therapy"), crit.text
        for src in crit.sources:
            assert NOTE[src.start : src.end] == src.text
    hb = next(c for c in result.criteria if "Hemoglobin" in c.text)
    assert (
        "hemoglobin is 10.4 g/dL"
        in NOTE[hb.sources[0].sentence_start : hb.sources[0].sentence_end]
    )


def test_silence_decides_exclusions_not_inclusions(reader: NoteReader) -> None:
    patient = reader.read("A 40-year-old woman with asthma.", on=AS_OF).patient
    trial = "Inclusion Criteria:\n- Heart failure\nExclusion Criteria:\n- Epilepsy\n"
    doc = reader.parser.parse(Trial(id="T", text=trial))
    (result,) = match(patient, [doc], as_of=AS_OF).trials
    assert [c.verdict for c in result.criteria] == ["unknown", "met"]
    open_reader = NoteReader(reader.parser, closed_world=False)
    open_patient = open_reader.read("A 40-year-old woman with asthma.").patient
    (result,) = match(open_patient, [doc], as_of=AS_OF).trials
    assert [c.verdict for c in result.criteria] == ["unknown", "unknown"]


def test_empty_note_is_an_error(reader: NoteReader) -> None:
    with pytest.raises(PatientError, match="note: the note is empty"):
        reader.read("  \n ")


def test_long_note_is_cut_with_a_warning(reader: NoteReader) -> None:
    text = "A 50-year-old man with gout. " * (MAX_NOTE_CHARS // 29 + 200)
    result = reader.read(text, where="big.txt")
    assert result.patient.age == 50.0
    assert any(
        w.startswith("big.txt: read the first 100,000 of") for w in result.warnings
    )


def test_surrogate_in_note_is_replaced_and_said() -> None:
    warnings: list[str] = []
    patient = read_note(
        "A 50-year-old man\ud8ff with gout.", on_warning=warnings.append
    )
    assert patient.age == 50.0
    assert warnings and "U+D8FF" in warnings[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "not a text note (binary data)"),
        (b"caf\xe9 au lait", "not UTF-8 text (byte 3); save the note as UTF-8"),
        (b"", "the note is empty"),
    ],
)
def test_bad_note_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(content)
    with pytest.raises(PatientError) as err:
        load_note(path)
    assert str(err.value) == f"{path}: {message}"


def test_cli_matches_a_note(tmp_path: Path) -> None:
    note = tmp_path / "patient.txt"
    note.write_text(NOTE, encoding="utf-8")
    trials = tmp_path / "t.txt"
    trials.write_text("Inclusion Criteria:\n- Age 50 to 75 years\n", encoding="utf-8")
    out = CliRunner().invoke(
        app,
        ["match", str(note), str(trials), "--format", "json", "--as-of", "2026-03-01"],
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    (crit,) = report["trials"][0]["criteria"]
    assert crit["verdict"] == "met"
    assert crit["sources"][0]["text"] == "63-year-old"


def test_cli_bad_note_is_one_line(tmp_path: Path) -> None:
    note = tmp_path / "patient.txt"
    note.write_bytes(b"\x00\x00")
    trials = tmp_path / "t.txt"
    trials.write_text("Inclusion Criteria:\n- Age 50 to 75 years\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["match", str(note), str(trials)])
    assert out.exit_code == 2
    assert out.output.strip() == f"eligo: error: {note}: not a text note (binary data)"


def test_eligo_docs_still_serialise_after_a_note(reader: NoteReader) -> None:
    """medSpaCy's msgpack hooks would decode every dict with a "section" key
    (each criterion's) as its own Section; the note reader removes them."""
    from spacy.tokens import Doc

    import eligo

    reader.read(NOTE)  # imports medSpaCy
    nlp = eligo.load()
    doc = nlp("Inclusion Criteria:\n- Age 18 to 65 years\n")
    back = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert back._.fields == doc._.fields
    (criterion,) = back.spans["criteria"]
    assert criterion._.fields["section"] == "inclusion"
    assert [c.label_ for c in criterion._.constraints] == ["age"]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "A 40-year-old woman is pale, tachycardic and tachypneic.",
            {
                "tachycardic": ("8867-4", 100.0, None),
                "tachypneic": ("9279-1", 20.0, None),
            },
        ),
        ("A 52-year-old man, afebrile.", {"afebrile": ("8310-5", None, 38.0)}),
        (
            "A 30-year-old woman. Her lab shows anemia and thrombocytopenia.",
            {
                "anemia": ("718-7", None, 13.0),
                "thrombocytopenia": ("777-3", None, 150.0),
            },
        ),
        ("A 61-year-old man who is obese.", {"obese": ("39156-5", 30.0, None)}),
        # not read: negated, a qualifier that changes it, a child's vital sign
        ("A 40-year-old woman, not tachycardic.", {}),
        ("A 70-year-old man with orthostatic hypotension.", {}),
        ("A 66-year-old woman with a low-grade fever.", {}),
        ("A 4-year-old boy, tachycardic.", {}),
        ("She is tachycardic.", {}),  # no age: adult norms may not apply
    ],
)
def test_findings_in_words_bound_a_value(
    reader: NoteReader, note: str, expected: dict[str, tuple]
) -> None:
    observations = reader.read(note, on=AS_OF).patient.observations
    found = {}
    for obs in observations:
        if obs.value_range is None:
            continue
        assert obs.source is not None and obs.value is None
        assert note[obs.source.start : obs.source.end] == obs.source.text
        found[obs.source.text] = (
            obs.codes[0].code,
            obs.value_range.low,
            obs.value_range.high,
        )
        assert obs.date == AS_OF.isoformat()
    assert found == expected


def test_findings_decide_only_what_their_range_settles(reader: NoteReader) -> None:
    note = (
        "0. A 45-year-old man presents with chest pain.\n"
        "1. He is tachycardic and his lab shows thrombocytopenia.\n"
    )
    patient = reader.read(note, on=AS_OF).patient
    trial = (
        "Inclusion Criteria:\n- Heart rate of at least 90/min\n"
        "- Heart rate above 120/min\n"
        "Exclusion Criteria:\n- Platelets < 100 x 10^9/L\n"
        "- Platelet count of 150 x 10^9/L or more\n"
    )
    doc = reader.parser.parse(Trial(id="T", text=trial))
    (result,) = match(patient, [doc], as_of=AS_OF).trials
    assert [c.verdict for c in result.criteria] == ["met", "unknown", "unknown", "met"]
    first = result.criteria[0]
    (source,) = first.sources
    assert "tachycardic" in note[source.sentence_start : source.sentence_end]


def test_shipped_findings_load_and_bad_ones_are_one_line() -> None:
    from eligo.errors import RuleError
    from eligo.match.findings import (
        FindingRules,
        compile_findings,
        compiled_findings,
    )
    from eligo.normalise.lexicon import Lexicon

    shipped = compiled_findings()
    assert {c.finding.id for c in shipped} >= {"tachycardia", "anaemia", "fever"}
    entry = {"id": "x", "terms": ["x"], "unit": "/min", "low": 1, "definition": "d"}
    for bad, message in (
        ({**entry, "analyte": "no_such_analyte"}, "no analyte 'no_such_analyte'"),
        ({**entry, "analyte": "platelets"}, "unit '/min' does not convert"),
    ):
        rules = FindingRules(findings=(bad,))
        with pytest.raises(RuleError, match=message) as err:
            compile_findings(rules, Lexicon.default())
        assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="needs a low or a high"):
        FindingRules(findings=({**entry, "analyte": "heart_rate", "low": None},))


def test_a_pulse_is_a_heart_rate(reader: NoteReader) -> None:
    note = "A 50-year-old man. His pulse is 120.\n"
    patient = reader.read(note, on=AS_OF).patient
    doc = reader.parser.parse(
        Trial(id="T", text="Inclusion Criteria:\n- Heart rate above 100/min\n")
    )
    (result,) = match(patient, [doc], as_of=AS_OF).trials
    (crit,) = result.criteria
    assert crit.verdict == "met"
    assert note[crit.sources[0].start : crit.sources[0].end] == "pulse is 120"
