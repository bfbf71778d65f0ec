"""eligo serve: /parse, /match, the page, bad requests, a real browser."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import eligo
import eligo.api
from eligo.document import Document
from eligo.serve import HTTPProblem, create_app, patient_from_form
from tests.browser import headless_page, needs_chromium

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

PAYLOAD = "<script>window.__pwned=1</script>"
STUDY = (EXAMPLES / "trials" / "ctgov_v2_study.json").read_bytes().strip()
TEXT = (
    "Inclusion Criteria:\n- Age 18 to 65\n- Platelets >= 100 x 10^9/L\n"
    "Exclusion Criteria:\n- No history of stroke\n- Pregnancy\n"
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(max_body=50_000, max_chars=20_000)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_parse_text_gives_the_document(client) -> None:
    r = client.post("/parse", json={"text": TEXT, "id": "t1", "section": "exclusion"})
    assert r.status_code == 200
    doc = Document.model_validate(r.json())
    expected = eligo.parse_text(TEXT, id="t1", default_section="exclusion")
    assert doc == expected
    for span in doc.spans():
        assert 0 <= span.start <= span.end <= len(TEXT)


def test_parse_a_registry_record(client) -> None:
    study = json.loads((EXAMPLES / "trials" / "ctgov_v2_study.json").read_text())
    r = client.post("/parse", json={"record": study})
    assert r.status_code == 200, r.text
    doc = Document.model_validate(r.json())
    assert doc.id == "NCT99999901" and doc.source and doc.source.format != "text"
    assert doc.criteria
    for crit in doc.criteria:
        for k in crit.constraints:
            assert doc.text[k.start : k.end]


def test_match(client) -> None:
    patient = json.loads((EXAMPLES / "patients" / "liver_hcc.json").read_text())
    trials = [
        {"text": "Inclusion Criteria:\n- Age 18 to 65\n", "id": "young"},
        {"text": "Inclusion Criteria:\n- Age 70 or older\n", "id": "old"},
        {"document": eligo.parse_text(TEXT, id="doc").model_dump()},
    ]
    r = client.post(
        "/match", json={"patient": patient, "trials": trials, "as_of": "2026-12-01"}
    )
    assert r.status_code == 200, r.text
    verdicts = {t["id"]: t["verdict"] for t in r.json()["trials"]}
    assert verdicts["young"] == "eligible"  # born 1968: 58 on the day
    assert verdicts["old"] == "excluded"
    assert set(verdicts) == {"young", "old", "doc"}


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 422, "not valid JSON"),
        (b"[1, 2]", 422, "body:"),
        (b"{}", 422, "exactly one of 'text', 'record' or 'document'"),
        (b'{"text": "a", "record": {}}', 422, "exactly one of"),
        (b'{"text": 5}', 422, "text: Input should be a valid string"),
        (b'{"text": "a", "bogus": 1}', 422, "bogus: Extra inputs are not permitted"),
        (b'{"text": "a", "section": "maybe"}', 422, "section:"),
        (b'{"record": {"a": 1}}', 422, "record: not a ClinicalTrials.gov study"),
        (b'{"record": {"studies": []}}', 422, "record: no records"),
        (
            b'{"record": {"studies": [' + STUDY + b", " + STUDY + b"]}}",
            422,
            "record: holds 2 trials, give one per request",
        ),
        (b'{"text": "' + b"x" * 30_000 + b'"}', 413, "over the 20,000 limit"),
        (b'{"text": "' + b"x" * 60_000 + b'"}', 413, "over the 50,000-byte limit"),
    ],
)
def test_bad_parse_requests(client, body: bytes, status: int, reason: str) -> None:
    r = client.post(
        "/parse", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and reason in detail
    assert "Traceback" not in r.text and "File " not in r.text


def test_streamed_oversize_body_is_cut_off(client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    r = client.post(
        "/parse", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert "50,000-byte limit" in r.json()["detail"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"patient": {"sex": "x"}, "trials": [{"text": "a"}]}, "sex"),
        ({"patient": {}, "trials": []}, "trials: List should have at least 1 item"),
        (
            {"patient": {}, "trials": [{"text": "a"}] * 51},
            "trials: List should have at most 50",
        ),
        ({"patient": {}, "trials": [{"text": "a"}], "as_of": "soon"}, "as_of:"),
    ],
)
def test_bad_match_requests(client, body, reason: str) -> None:
    r = client.post("/match", json=body)
    assert r.status_code == 422, r.text
    assert reason in r.json()["detail"]


def test_internal_error_hides_the_trace(client, monkeypatch) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals /home/x/eligo.py line 3")

    monkeypatch.setattr(eligo.api, "parse_trial", boom)
    r = client.post("/parse", json={"text": "Inclusion Criteria:\n- x"})
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error"}


def test_page_and_form(client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "script-src" not in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert '<form method="post" action="/"' in r.text
    posted = client.post(
        "/", data={"text": f"Inclusion Criteria:\n- Age 18 to 65 {PAYLOAD}"}
    )
    assert posted.status_code == 200
    assert PAYLOAD not in posted.text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in posted.text
    assert 'data-label="age [18, 65] y"' in posted.text
    assert (
        client.post(
            "/", content=b"{}", headers={"content-type": "application/json"}
        ).status_code
        == 415
    )


def test_match_form(client) -> None:
    form = {
        "text": "Inclusion Criteria:\n- Age 18 to 65\nExclusion Criteria:\n- Pregnancy\n",
        "age": "70",
        "sex": "female",
        "pregnant": "no",
        "as_of": "2026-12-01",
    }
    r = client.post("/match-view", data=form)
    assert r.status_code == 200, r.text
    assert 'class="trial-excluded"' in r.text  # 70 is over 65
    r = client.post("/match-view", data={**form, "age": "40"})
    assert 'class="trial-eligible"' in r.text
    bad = client.post("/match-view", data={**form, "labs": "ALT high"})
    assert bad.status_code == 422 and "labs: not &#39;name: value unit&#39;" in bad.text


def test_patient_from_form() -> None:
    day = date(2026, 12, 1)
    profile = patient_from_form(
        {
            "age": "58",
            "sex": "male",
            "conditions": "cirrhosis\n\n hepatitis B ",
            "labs": "ALT: 58 U/L\nPlatelets = 112 10^9/L\nECOG: 1",
        },
        as_of=day,
    )
    assert profile["age"] == 58 and profile["sex"] == "male"
    assert [c["text"] for c in profile["conditions"]] == ["cirrhosis", "hepatitis B"]
    assert profile["observations"] == [
        {"name": "ALT", "value": 58.0, "date": "2026-12-01", "unit": "U/L"},
        {"name": "Platelets", "value": 112.0, "date": "2026-12-01", "unit": "10^9/L"},
        {"name": "ECOG", "value": 1.0, "date": "2026-12-01"},
    ]
    assert patient_from_form(
        {"patient": '{"id": "p", "age": 3}', "age": "9"}, as_of=day
    ) == {"id": "p", "age": 3}
    with pytest.raises(HTTPProblem, match="age: not a number"):
        patient_from_form({"age": "old"}, as_of=day)
    with pytest.raises(HTTPProblem, match="patient: not JSON"):
        patient_from_form({"patient": "{"}, as_of=day)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, log_level="error", lifespan="on"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@needs_chromium
def test_page_in_a_headless_browser(server: str) -> None:
    text = f"Inclusion Criteria:\n- Age 18 to 65 years {PAYLOAD}\n- Platelets >= 100 x 10^9/L\nExclusion Criteria:\n- No history of stroke\n"
    with headless_page((server, "data:", "about:")) as watched:
        page = watched.page
        page.goto(server + "/")
        page.fill("#text", text)
        page.click("#parse-button")
        page.wait_for_selector("section.document", timeout=60_000)
        spans = page.evaluate(
            """() => {
              const out = {};
              for (const m of document.querySelectorAll('mark[data-span]')) {
                const id = m.dataset.span;
                out[id] = out[id] || {text: '', start: +m.dataset.start, end: +m.dataset.end};
                out[id].text += m.textContent;
              }
              return out;
            }"""
        )
        shown = page.evaluate("document.querySelector('li.crit .text').innerText")
        pwned = page.evaluate("typeof window.__pwned")
        # the patient form, under the same page
        page.fill("input[name=age]", "70")
        page.select_option("select[name=sex]", "female")
        page.click("#match-button")
        page.wait_for_selector("table.verdicts", timeout=60_000)
        verdict = page.inner_text("#match ~ h3")
    # The highlighted text is the Document's text at its offsets; a browser
    # sends a textarea's line breaks as CRLF, so that is the text parsed.
    doc = eligo.parse_text(text.replace("\n", "\r\n"), id="pasted")
    expected = {}
    for i, crit in enumerate(doc.criteria):
        for j, k in enumerate(crit.constraints):
            expected[f"d0-c{i}-k{j}"] = (k.start, k.end)
        for j, e in enumerate(crit.entities):
            expected[f"d0-c{i}-e{j}"] = (e.start, e.end)
    assert expected and set(expected) <= set(spans)
    for sid, (start, end) in expected.items():
        assert (spans[sid]["start"], spans[sid]["end"]) == (start, end)
        assert spans[sid]["text"] == doc.text[start:end], sid
    assert PAYLOAD in shown  # shown as text
    assert pwned == "undefined"  # never run
    assert "excluded" in verdict
    assert watched.errors == []
    assert watched.remote == []
