"""``eligo serve``: a small web service over the Python API (FastAPI).

- ``POST /parse``: ``{"text": ...}`` or ``{"record": <registry JSON>}`` (one
  ClinicalTrials.gov API v2 study or AACT-like row) -> the Document.
- ``POST /match``: ``{"patient": <profile or FHIR Bundle>, "trials": [{"text":
  ...} | {"record": ...} | {"document": <Document>}], "as_of": "YYYY-MM-DD"}``
  -> the match report (what ``eligo match`` writes).
- ``GET /``: a page where a person pastes criteria and sees the HTML view of
  :mod:`eligo.render.document`, with a patient form for matching (``POST /`` and
  ``POST /match-view``, plain HTML forms: the page runs no script).
- ``GET /health``: ``{"status": "ok"}`` once the pipeline is loaded.

Bodies over ``max_body`` bytes get 413 and texts over ``max_chars`` 413; a
malformed body gets 422 (JSON) or the page with the reason; the client never
sees a stack trace (an unexpected error is logged and answered "internal
error"). Registry text is untrusted: the page escapes it exactly as the audit
report does (Jinja2 autoescape, :func:`eligo.render.document.highlight`) and its
Content-Security-Policy forbids scripts.

Requests are parsed one at a time over the one cached pipeline
(:mod:`eligo.api` explains the lock); endpoints are synchronous, so FastAPI
runs them in its thread pool and the event loop keeps accepting connections.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from datetime import date
from typing import Any, Literal
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import api
from .document import Document
from .errors import EligoError, TextTooLongError
from .render.document import render_html
from .trial import ReadFailure, Trial

log = logging.getLogger("eligo.serve")

DEFAULT_MAX_BODY = 1_000_000  # bytes
DEFAULT_MAX_CHARS = 200_000  # characters of one criteria text
MAX_TRIALS = 50  # trials in one /match request
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
Section = Literal["inclusion", "exclusion", "unknown"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrialInput(_Model):
    """One trial: criteria ``text``, a registry ``record``, or a parsed
    ``document`` (exactly one)."""

    text: str | None = None
    record: dict[str, Any] | None = None
    document: Document | None = None
    id: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _one(self) -> TrialInput:
        given = [x for x in (self.text, self.record, self.document) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'text', 'record' or 'document'")
        return self


class ParseRequest(TrialInput):
    """``POST /parse``: one trial and the section of unplaced criteria."""

    section: Section = "unknown"


class MatchRequest(_Model):
    """``POST /match``: one patient against up to 50 trials."""

    patient: dict[str, Any]
    trials: list[TrialInput] = Field(min_length=1, max_length=MAX_TRIALS)
    as_of: date | None = None
    complete: list[str] = Field(default_factory=list)


class HTTPProblem(Exception):
    """An error the client caused: a status and a one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_body`` bytes, whether it
    says so in ``Content-Length`` or streams without one."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await self._reject(send, 400, "bad Content-Length header")
                    return
                if length > self.max_body:
                    await self._reject(send, 413, self._too_large(length))
                    return
        # Read the body here (it is small by definition), so a streamed one
        # is cut off at the limit whatever the route does with it.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_body:
                await self._reject(send, 413, self._too_large(seen))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks)}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self, length: int) -> str:
        return f"request body is over the {self.max_body:,}-byte limit ({length:,}+)"

    @staticmethod
    async def _reject(send: Send, status: int, reason: str) -> None:
        body = json.dumps({"detail": reason}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _trial_of(item: TrialInput, index: int = 0) -> Trial:
    if item.text is not None:
        return Trial(id=item.id or "text", text=item.text, source_format="text")
    from .readers.ctgov_json import read_json_text

    results = list(read_json_text(json.dumps(item.record), path="request"))
    trials = [r for r in results if isinstance(r, Trial)]
    failures = [r for r in results if isinstance(r, ReadFailure)]
    if failures:
        raise HTTPProblem(422, f"record: {failures[0].reason}")
    if len(trials) != 1:
        raise HTTPProblem(
            422, f"record: holds {len(trials)} trials, give one per request"
        )
    trial = trials[0]
    return trial if item.id is None else dataclasses.replace(trial, id=item.id)


def _parse(
    item: TrialInput, *, section: str, concepts: bool, max_chars: int
) -> Document:
    if item.document is not None:
        return item.document
    trial = _trial_of(item)
    if len(trial.text) > max_chars:
        raise HTTPProblem(413, str(TextTooLongError(len(trial.text), max_chars)))
    try:
        return api.parse_trial(trial, default_section=section, concepts=concepts)
    except EligoError as err:
        raise HTTPProblem(422, str(err)) from err


_LAB = re.compile(
    r"^\s*(?P<name>[^:=]+?)\s*[:=]\s*(?P<value>[-+]?\d+(?:\.\d+)?)\s*(?P<unit>.*?)\s*$"
)


def patient_from_form(form: dict[str, str], *, as_of: date) -> dict[str, Any]:
    """The patient profile of the page's form (its JSON box, if filled, wins).

    Args:
        form: The form fields: ``age``, ``sex``, ``pregnant`` ("yes"/"no"),
            ``conditions`` and ``medications`` (one per line), ``labs`` (one
            ``name: value unit`` per line, dated ``as_of``), ``patient`` (JSON).
        as_of: The date of the lab results.

    Returns:
        A profile dict for :func:`eligo.match.load.patient_from_data`.

    Raises:
        HTTPProblem: A field cannot be read (422, naming it).
    """
    raw = form.get("patient", "").strip()
    if raw:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as err:
            raise HTTPProblem(
                422, f"patient: not JSON ({err.msg}, line {err.lineno})"
            ) from None
        if not isinstance(data, dict):
            raise HTTPProblem(422, "patient: a JSON object is expected")
        return data
    profile: dict[str, Any] = {"id": "form"}
    age = form.get("age", "").strip()
    if age:
        try:
            profile["age"] = float(age)
        except ValueError:
            raise HTTPProblem(422, f"age: not a number: {age[:40]!r}") from None
    if form.get("sex") in ("female", "male"):
        profile["sex"] = form["sex"]
    if form.get("pregnant") in ("yes", "no"):
        profile["pregnant"] = form["pregnant"] == "yes"
    lines = {
        k: [x.strip() for x in form.get(k, "").splitlines() if x.strip()]
        for k in ("conditions", "medications", "labs")
    }
    profile["conditions"] = [{"text": x} for x in lines["conditions"]]
    profile["medications"] = [{"text": x} for x in lines["medications"]]
    observations = []
    for line in lines["labs"]:
        m = _LAB.match(line)
        if m is None:
            raise HTTPProblem(422, f"labs: not 'name: value unit': {line[:60]!r}")
        obs: dict[str, Any] = {
            "name": m["name"],
            "value": float(m["value"]),
            "date": as_of.isoformat(),
        }
        if m["unit"]:
            obs["unit"] = m["unit"]
        observations.append(obs)
    profile["observations"] = observations
    return profile


def create_app(
    *,
    concepts: bool = True,
    max_body: int = DEFAULT_MAX_BODY,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> ASGIApp:
    """The service as an ASGI application (``uvicorn`` serves it).

    Args:
        concepts: Run the concept model (entities).
        max_body: Largest request body accepted, in bytes.
        max_chars: Longest criteria text accepted, in characters.

    Returns:
        The application, wrapped in the body-size limit.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        api.load(concepts=concepts)  # pay for the pipeline before the first request
        yield

    app = FastAPI(
        title="eligo",
        version=__import__("eligo").__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )

    def parse_one(item: TrialInput, section: str = "unknown") -> Document:
        return _parse(item, section=section, concepts=concepts, max_chars=max_chars)

    @app.exception_handler(HTTPProblem)
    async def _problem(request: Request, err: HTTPProblem) -> Response:
        return JSONResponse({"detail": err.reason}, status_code=err.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError) -> Response:
        reasons = []
        for e in err.errors()[:10]:
            if e.get("type") == "json_invalid":
                at = e.get("loc", ("body", 0))[-1]
                why = (e.get("ctx") or {}).get("error", "invalid")
                reasons.append(f"body: not valid JSON ({why}) at character {at}")
                continue
            where = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
            reasons.append(f"{where or 'body'}: {e.get('msg', 'invalid')}")
        return JSONResponse({"detail": "; ".join(reasons)}, status_code=422)

    @app.exception_handler(Exception)
    async def _internal(request: Request, err: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Content-Security-Policy"] = CSP
        return response

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/parse")
    def parse(body: ParseRequest) -> Response:
        doc = parse_one(body, body.section)
        return Response(doc.model_dump_json(), media_type="application/json")

    @app.post("/match")
    def match(body: MatchRequest) -> Response:
        from .match import PatientError
        from .match import match as run_match

        docs = [parse_one(t) for t in body.trials]
        try:
            report = run_match(
                body.patient, docs, as_of=body.as_of, complete=body.complete
            )
        except (PatientError, ValueError) as err:
            raise HTTPProblem(422, str(err).splitlines()[0]) from err
        return Response(report.model_dump_json(), media_type="application/json")

    def page(
        form: dict[str, str] | None = None,
        *,
        docs: list[Document] | None = None,
        report: Any = None,
        error: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        form = form or {}
        fields = {
            k: form.get(k, "")
            for k in (
                "text",
                "age",
                "sex",
                "pregnant",
                "as_of",
                "conditions",
                "medications",
                "labs",
                "patient",
            )
        }
        fields["section"] = form.get("section", "unknown")
        html = render_html(
            docs or [],
            title="paste criteria",
            page={**fields, "error": error, "max_chars": max_chars},
            report=report,
        )
        return HTMLResponse(html, status_code=status)

    async def read_form(request: Request) -> dict[str, str]:
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind != "application/x-www-form-urlencoded":
            raise HTTPProblem(
                415, "the form is sent as application/x-www-form-urlencoded"
            )
        body = (await request.body()).decode("utf-8", errors="replace")
        return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return page()

    @app.post("/", response_class=HTMLResponse)
    async def index_post(request: Request) -> HTMLResponse:
        form = await read_form(request)
        section = form.get("section", "unknown")
        if section not in ("inclusion", "exclusion", "unknown"):
            return page(
                form, error="section: inclusion, exclusion or unknown", status=422
            )
        item = TrialInput(text=form.get("text", ""), id="pasted")
        try:
            doc = await _in_thread(parse_one, item, section)
        except HTTPProblem as err:
            return page(form, error=err.reason, status=err.status)
        return page(form, docs=[doc])

    @app.post("/match-view", response_class=HTMLResponse)
    async def match_view(request: Request) -> HTMLResponse:
        from .match import PatientError
        from .match import match as run_match

        form = await read_form(request)
        section = form.get("section", "unknown")
        if section not in ("inclusion", "exclusion", "unknown"):
            section = "unknown"
        try:
            day = date.fromisoformat(form["as_of"]) if form.get("as_of") else None
        except ValueError:
            return page(form, error="as of: not a date (YYYY-MM-DD)", status=422)
        try:
            patient = patient_from_form(form, as_of=day or date.today())
            item = TrialInput(text=form.get("text", ""), id="pasted")
            doc = await _in_thread(parse_one, item, section)
            report = run_match(patient, [doc], as_of=day)
        except HTTPProblem as err:
            return page(form, error=err.reason, status=err.status)
        except (PatientError, ValueError) as err:
            return page(form, error=str(err).splitlines()[0], status=422)
        return page(form, docs=[doc], report=report)

    return BodyLimit(app, max_body)


async def _in_thread(func: Callable[..., Document], *args: Any) -> Document:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(func, *args)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    concepts: bool = True,
    max_body: int = DEFAULT_MAX_BODY,
    max_chars: int = DEFAULT_MAX_CHARS,
    log_level: str = "warning",
) -> None:
    """Run the service with uvicorn until interrupted (``eligo serve``)."""
    import uvicorn

    app = create_app(concepts=concepts, max_body=max_body, max_chars=max_chars)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
