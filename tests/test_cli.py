"""``eligo parse`` end to end: formats, failures, exit codes, streaming output."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligo.cli import app
from eligo.parse.batch import run_parse
from eligo.render.writers import JsonArrayWriter, JsonLinesWriter

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "trials"

V2_STUDY = {
    "protocolSection": {
        "identificationModule": {"nctId": "NCT90000001", "briefTitle": "A"},
        "eligibilityModule": {
            "eligibilityCriteria": "Inclusion Criteria:\n\n* Age \\>= 18\n\n"
            "Exclusion Criteria:\n\n* Pregnancy",
            "minimumAge": "18 Years",
            "sex": "ALL",
        },
    }
}


@pytest.fixture
def batch_dir(tmp_path: Path) -> Path:
    d = tmp_path / "batch"
    (d / "sub").mkdir(parents=True)
    (d / "a.json").write_text(json.dumps(V2_STUDY), encoding="utf-8")
    (d / "sub" / "b.txt").write_text("Exclusion Criteria:\n- HIV\n- Hepatitis B\n")
    (d / "sub" / "broken.json").write_text('{"protocolSection": {', encoding="utf-8")
    (d / "z.txt").write_bytes(b"Inclusion Criteria:\n- caf\xe9\n")  # Latin-1, not UTF-8
    return d


def test_examples_parse(tmp_path: Path) -> None:
    out = io.StringIO()
    stats = run_parse([EXAMPLES], JsonLinesWriter(out))
    docs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert stats.failures == 0
    assert {d["id"] for d in docs} == {"NCT99999901", "NCT99999903", "registry_page"}
    by_id = {d["id"]: d for d in docs}
    v2 = by_id["NCT99999901"]
    sections = [c["section"] for c in v2["criteria"]]
    assert sections == ["inclusion"] * 5 + ["exclusion"] * 5
    contraception = v2["criteria"][4]
    assert len(contraception["items"]) == 2
    page = by_id["registry_page"]
    assert [page["text"][c["start"] : c["end"]] for c in page["criteria"]] == [
        "Aged 40-70 years",
        "Type 2 diabetes for at least 1 year",
        "HbA1c between 7.0% and 10.0%",
        "Signed informed consent",
        "Type 1 diabetes",
        "eGFR < 30 mL/min/1.73m2",
        "Insulin therapy within 3 months",
        "Pregnant or breastfeeding",
    ]
    assert stats.documents == 3
    assert stats.criteria == sum(len(d["criteria"]) for d in docs)


def test_batch_goes_on_after_failures(batch_dir: Path) -> None:
    out = io.StringIO()
    errors: list[str] = []
    stats = run_parse([batch_dir], JsonLinesWriter(out), on_error=errors.append)
    docs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted(d["id"] for d in docs) == ["NCT90000001", "b"]
    assert stats.failures == 2
    assert len(errors) == 2
    assert all("\n" not in e for e in errors)
    assert any("broken.json" in e and "JSON" in e for e in errors)
    assert any("z.txt" in e and "UTF-8" in e for e in errors)


def test_json_array_stays_valid_with_failures(batch_dir: Path) -> None:
    out = io.StringIO()
    run_parse([batch_dir], JsonArrayWriter(out))
    assert len(json.loads(out.getvalue())) == 2


def test_json_array_empty() -> None:
    out = io.StringIO()
    run_parse([], JsonArrayWriter(out))
    assert json.loads(out.getvalue()) == []


def test_too_long_text_is_one_clear_failure(tmp_path: Path) -> None:
    (tmp_path / "huge.txt").write_text("- " + "word " * 1_100_000, encoding="utf-8")
    (tmp_path / "ok.txt").write_text("- fine\n", encoding="utf-8")
    out = io.StringIO()
    errors: list[str] = []
    stats = run_parse([tmp_path], JsonLinesWriter(out), on_error=errors.append)
    assert stats.documents == 1 and stats.failures == 1
    (message,) = errors
    assert "huge.txt" in message and "over the 1,000,000 limit" in message


def test_cli_exit_code_and_summary(batch_dir: Path) -> None:
    result = CliRunner().invoke(app, ["parse", str(batch_dir), "--format", "jsonl"])
    assert result.exit_code == 1
    assert len(result.stdout.strip().splitlines()) == 2
    assert "eligo: error:" in result.stderr
    assert "2 documents, 4 criteria, 2 constraints, 2 failures" in result.stderr


def test_cli_success_exit_zero_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = CliRunner().invoke(
        app, ["parse", str(EXAMPLES), "--format", "json", "--output", str(target), "-q"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 3


def test_cli_section_option_sets_unplaced_criteria() -> None:
    result = CliRunner().invoke(
        app,
        ["parse", "-", "--section", "exclusion", "--format", "jsonl", "-q"],
        input="- HIV infection\n- Pregnancy\n",
    )
    assert result.exit_code == 0, result.stderr
    (doc,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert doc["id"] == "stdin"
    assert [c["section"] for c in doc["criteria"]] == ["exclusion", "exclusion"]


def test_cli_table_format() -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["parse", str(EXAMPLES / "registry_page.txt"), "--format", "table"]
    )
    assert result.exit_code == 0
    assert "Insulin therapy within 3 months" in result.stdout
    assert "exclusion" in result.stdout
    assert "temporal Insulin therapy: [0 d, 3 mo] before" in result.stdout
    assert "summary: age [40, 70] y" in result.stdout


def test_cli_table_shows_concepts_with_their_assertion() -> None:
    result = CliRunner(env={"COLUMNS": "240"}).invoke(
        app,
        ["parse", "-", "--format", "table"],
        input="Exclusion Criteria:\n- No history of stroke\n- Type 2 diabetes\n",
    )
    assert result.exit_code == 0, result.output
    assert "concepts" in result.stdout
    assert "Condition stroke [negated: No history of]" in result.stdout
    lines = [line for line in result.stdout.splitlines() if "Type 2 diabetes" in line]
    assert any("Condition Type 2 diabetes" in line for line in lines)
    assert not any("[negated" in line for line in lines)


def test_cli_jobs_gives_the_same_output(batch_dir: Path) -> None:
    one = CliRunner().invoke(app, ["parse", str(EXAMPLES), str(batch_dir), "-q"])
    two = CliRunner().invoke(
        app, ["parse", str(EXAMPLES), str(batch_dir), "-q", "--jobs", "2"]
    )
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == 5


def test_cli_schema() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Document"


def test_console_script_runs() -> None:
    """The installed ``eligo`` script answers (no network, no model download)."""
    exe = Path(sys.executable).with_name("eligo")
    result = subprocess.run(
        [str(exe), "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("eligo ")


def test_no_concepts_option_leaves_out_entities(tmp_path: Path) -> None:
    trial = tmp_path / "t.txt"
    trial.write_text(
        "Inclusion Criteria:\n- Type 2 diabetes\n- Platelets >= 100 x 10^9/L\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    base = ["parse", str(trial), "--format", "jsonl", "-q"]
    with_model = json.loads(runner.invoke(app, base).stdout)
    without = json.loads(runner.invoke(app, [*base, "--no-concepts"]).stdout)
    labels = {e["label"] for c in with_model["criteria"] for e in c["entities"]}
    assert "Condition" in labels
    assert all(not c["entities"] for c in without["criteria"])
    # Constraints do not depend on the concept model.
    assert [c["constraints"] for c in without["criteria"]] == [
        c["constraints"] for c in with_model["criteria"]
    ]


def test_cli_serve_without_fastapi_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "eligo.serve", None)  # import fails
    result = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert "needs fastapi and uvicorn" in result.stderr
