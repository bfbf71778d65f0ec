"""`eligo match` and `eligo.match`: trials from files, Documents and stores,
ranking, the patient contract, failures, and a real registry page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import eligo
from eligo.cli import app
from eligo.match import Patient, PatientError, load_patient
from eligo.match.engine import rank_key
from eligo.match.patient import (
    date_bounds,
    patient_json_schema,
    published_patient_schema,
)

FIXTURES = Path(__file__).parent / "fixtures"
LIVER = FIXTURES / "liver_patient.json"
AS_OF = date(2026, 11, 22)
TRIAL_A = "Inclusion Criteria:\n- Age 18 to 65 years\n"
TRIAL_B = "Inclusion Criteria:\n- Age 18 to 65 years\n- Platelets >= 100 x 10^9/L\n"
TRIAL_C = "Inclusion Criteria:\n- Age 70 years or older\n"


def test_patient_schema_is_current() -> None:
    assert published_patient_schema() == patient_json_schema()


@pytest.mark.parametrize(
    ("value", "bounds"),
    [
        ("2019", (date(2019, 1, 1), date(2019, 12, 31))),
        ("2020-02", (date(2020, 2, 1), date(2020, 2, 29))),
        ("2021-03-04", (date(2021, 3, 4), date(2021, 3, 4))),
        ("2021-03-04T10:00:00Z", (date(2021, 3, 4), date(2021, 3, 4))),
    ],
)
def test_partial_dates(value: str, bounds: tuple[date, date]) -> None:
    assert date_bounds(value) == bounds


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not JSON"),
        ("[]", "a patient profile is a JSON object"),
        ('{"birth_date": "14/07/1968"}', "birth_date"),
        ('{"sex": "unknown"}', "sex"),
        ('{"conditions": [{"text": "x", "onset": "2020-13"}]}', "conditions.0.onset"),
        ('{"complete": ["labs"]}', "complete.0"),
        ('{"shoe_size": 9}', "shoe_size"),
    ],
)
def test_bad_patient_is_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PatientError) as err:
        load_patient(path)
    text = str(err.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_api_ranks_eligible_then_fewest_unknowns_then_excluded(parser) -> None:
    docs = [
        parser.parse(eligo.trial.Trial(id=i, text=t, source_format="text"))
        for i, t in (("C", TRIAL_C), ("B", TRIAL_B), ("A", TRIAL_A))
    ]
    report = eligo.match({"age": 40}, docs, as_of=AS_OF)
    assert [(t.id, t.verdict) for t in report.trials] == [
        ("A", "eligible"),
        ("B", "needs_review"),
        ("C", "excluded"),
    ]
    assert report.trials == sorted(report.trials, key=rank_key)
    assert report.trials[1].missing[0].startswith("Platelet count result dated")
    assert report.trials[2].excluded_by == [0]


def test_files_stores_and_failures(tmp_path: Path, parser) -> None:
    from eligo.store import Store

    good = tmp_path / "a.txt"
    good.write_text(TRIAL_A, encoding="utf-8")
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    db = tmp_path / "trials.duckdb"
    with Store(db) as store:
        store.put(
            parser.parse(eligo.trial.Trial(id="S1", text=TRIAL_C, source_format="text"))
        )
    report = eligo.match(Patient(age=40), [good, bad, db], as_of=AS_OF)
    assert sorted(t.id for t in report.trials) == ["S1", "a"]
    assert len(report.failures) == 1 and "broken.json" in report.failures[0].message


def test_cli_json_table_and_exit_codes(tmp_path: Path) -> None:
    trial = tmp_path / "t.txt"
    trial.write_text(TRIAL_B, encoding="utf-8")
    runner = CliRunner()
    args = ["match", str(LIVER), str(trial), "--as-of", "2026-11-22"]
    result = runner.invoke(app, [*args, "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["as_of"] == "2026-11-22" and report["patient"] == "liver-58f"
    crits = report["trials"][0]["criteria"]
    assert [c["verdict"] for c in crits] == ["met", "not_met"]
    assert "62" in crits[1]["evidence"][0]["reason"]
    table = runner.invoke(app, [*args, "--format", "table", "-q"])
    assert table.exit_code == 0 and "NOT MET" in table.stdout
    # A missing trial file: reported on its own line, exit 1, others matched.
    missing = runner.invoke(
        app, [*args, str(tmp_path / "nope.txt"), "--format", "json"]
    )
    assert missing.exit_code == 1
    assert len(json.loads(missing.stdout)["trials"]) == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"sex": 3}', encoding="utf-8")
    refused = runner.invoke(app, ["match", str(bad), str(trial)])
    assert refused.exit_code == 2 and "bad.json" in refused.output


def test_lab_days_and_complete_options(tmp_path: Path) -> None:
    trial = tmp_path / "t.txt"
    trial.write_text(
        "Inclusion Criteria:\n- Platelets >= 50 x 10^9/L\n"
        "Exclusion Criteria:\n- Liver transplantation\n",
        encoding="utf-8",
    )
    patient = tmp_path / "p.json"
    patient.write_text(
        json.dumps(
            {
                "observations": [
                    {
                        "name": "platelets",
                        "value": 80,
                        "unit": "10^9/L",
                        "date": "2026-10-01",
                    }
                ]
            }
        )
    )
    runner = CliRunner()
    base = [
        "match",
        str(patient),
        str(trial),
        "--as-of",
        "2026-11-22",
        "-q",
        "--format",
        "json",
    ]
    short = json.loads(runner.invoke(app, [*base, "--lab-days", "30"]).stdout)
    assert short["trials"][0]["criteria"][0]["verdict"] == "unknown"
    long = json.loads(runner.invoke(app, [*base, "--lab-days", "60"]).stdout)
    assert long["trials"][0]["criteria"][0]["verdict"] == "met"
    done = json.loads(runner.invoke(app, [*base, "--complete", "procedures"]).stdout)
    assert done["trials"][0]["criteria"][1]["verdict"] == "met"


def test_every_criterion_of_a_seed_page(shared_dir: Path) -> None:
    """A real registry page (five sites, stem cells for liver disease) against a
    patient we wrote: every criterion's verdict checked by hand."""
    page = shared_dir / "seeds" / "000_7523a7e177c6b640.txt"
    report = eligo.match(load_patient(LIVER), [page], as_of=AS_OF)
    (trial,) = report.trials
    expected = [
        "met",  # 18-80 years old: 58
        "met",  # end-stage liver disease: recorded
        "not_computable",  # signed informed consent
        "unknown",  # tumours of the liver or other organs: nothing recognised
        "met",  # liver transplantation: none in a complete procedures list
        "unknown",  # cardiopulmonary list: uncoded mentions cannot be ruled out
        "unknown",  # other diseases that may affect survival: too general
        "met",  # HIV: coded conditions rule it out
        "met",  # interferon (ended 2012) or glucocorticoid within 1 year: neither
        "met",  # mental illness: coded conditions rule it out
        "met",  # other trials within 30 days: none (complete)
        "met",  # pregnant or breastfeeding: neither
        "unknown",  # allergies list: uncoded mentions
        "unknown",  # other circumstances unsuitable: investigator's call
    ]
    assert [c.verdict for c in trial.criteria] == expected
    assert trial.verdict == "needs_review"
    assert trial.counts == {"met": 8, "not_met": 0, "unknown": 5, "not_computable": 1}
    text = page.read_text(encoding="utf-8")
    for crit in trial.criteria:
        assert text[crit.start : crit.end] == crit.text
        for ev in crit.evidence:
            assert text[ev.start : ev.end] == ev.text


def test_bundled_example_patient() -> None:
    root = Path(__file__).resolve().parents[2] / "examples"
    patient = load_patient(root / "patients" / "liver_hcc.json")
    report = eligo.match(patient, [root / "trials"], as_of=AS_OF)
    assert not report.failures
    by_id = {t.id: t for t in report.trials}
    hcc_trial = by_id["NCT99999901"]
    assert hcc_trial.verdict == "excluded"
    (index,) = hcc_trial.excluded_by
    crit = hcc_trial.criteria[index]
    assert crit.text == "Hepatocellular carcinoma within the past 5 years"
    assert "hepatocellular carcinoma' onset 2025-09" in (crit.evidence[0].fact or "")
    # Bilirubin 1.4 mg/dL is 23.94 umol/L, under the 34.2 umol/L exclusion.
    bili = next(c for c in hcc_trial.criteria if "bilirubin" in c.text)
    assert bili.verdict == "met"
    assert "23.94 umol/L" in bili.evidence[0].reason
    assert report.trials[-1].id == "NCT99999901"  # excluded trials rank last


def test_fhir_bundle_as_patient(tmp_path: Path) -> None:
    trial = tmp_path / "t.txt"
    trial.write_text(
        "Inclusion Criteria:\n- Platelets >= 50 x 10^9/L\n"
        "Exclusion Criteria:\n- HIV infection\n",
        encoding="utf-8",
    )
    bundle = FIXTURES / "hcv_cirrhosis_bundle.json"
    result = CliRunner().invoke(
        app,
        [
            "match",
            str(bundle),
            str(trial),
            "--as-of",
            "2026-11-22",
            "--format",
            "json",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    first, hiv = report["trials"][0]["criteria"]
    assert first["evidence"][0]["fact"].startswith("Platelet")
    assert first["verdict"] in ("met", "not_met")
    assert hiv["verdict"] == "unknown"  # the bundle's conditions are not complete
