"""Trial -> Document: run the pipeline and build the public contract.

:class:`Parser` is the Python API behind ``eligo parse``; :func:`parse_trials`
adds multi-process parsing that streams results in input order.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal, TypeVar, overload

from spacy.language import Language
from spacy.tokens import Doc

from .document import (
    Constraint,
    Criterion,
    Document,
    Entity,
    Heading,
    SectionSpan,
    Source,
    Span,
    Structured,
    Summary,
)
from .errors import EligoError, TextTooLongError
from .pipeline import DEFAULT_MAX_CHARS, build_pipeline
from .sanitise import clean_text, clean_trial
from .segment.view import reading_view
from .spans import CONSTRAINTS as CONSTRAINT_SPANS
from .spans import CRITERIA, SECTIONS, child_fields, fields, spans
from .spans import ENTITIES as ENTITY_SPANS
from .summary import summarise
from .tokenizer import FRESH_VOCAB_DOCS, FreshVocabTokenizer
from .trial import ReadFailure, Trial, where


@dataclass(frozen=True)
class ParseFailure:
    """A trial that was read but could not be parsed."""

    trial_id: str
    path: str | None
    record: str | None
    reason: str

    def message(self) -> str:
        """One line naming the file, the record and the reason."""
        return f"{where(self.path, self.record, self.trial_id)}: {self.reason}"


#: Docs made over one text-only vocab before a fresh one replaces it.
TEXT_VOCAB_DOCS = FRESH_VOCAB_DOCS


@dataclass(frozen=True)
class DocumentJSON:
    """A parsed Document as its JSON text, with the counts a batch reports.

    What :func:`parse_trials` gives with ``as_json=True``: a worker process
    sends a string back ~300× cheaper than the pydantic models it holds
    (unpickling 600 Documents took 0.64 s of the parent's CPU, which competes
    with the workers for the same cores), and a JSON writer writes it as it is.
    """

    id: str
    json: str
    criteria: int
    constraints: int
    notes: tuple[str, ...] = ()
    source: Source | None = None

    @classmethod
    def of(cls, document: Document, *, compact: bool = False) -> DocumentJSON:
        """Serialise a Document (``Document.model_dump_json()``).

        Args:
            document: The document.
            compact: Leave out every field that holds its default (empty lists,
                ``null``, ``false``): about a third of the size, and
                ``Document.model_validate_json`` reads it back unchanged.
        """
        return cls(
            id=document.id,
            json=document.model_dump_json(exclude_defaults=compact),
            criteria=len(document.criteria),
            constraints=sum(len(c.constraints) for c in document.criteria),
            notes=tuple(document.notes),
            source=document.source,
        )

    def warning_lines(self) -> list[str]:
        """As :meth:`Document.warning_lines`."""
        path, record = (
            (self.source.path, self.source.record) if self.source else (None, None)
        )
        return [f"{where(path, record, self.id)}: {note}" for note in self.notes]

    def document(self) -> Document:
        """The Document again (validated from the JSON text)."""
        return Document.model_validate_json(self.json)


Item = Trial | ReadFailure
Result = Document | ParseFailure | ReadFailure
JSONResult = DocumentJSON | ParseFailure | ReadFailure


class Parser:
    """Parse trials into Documents with one pipeline.

    Args:
        default_section: Section of criteria that no header places.
        max_chars: Longest criteria text accepted; longer ones fail clearly.
        nlp: A pipeline to use instead of :func:`build_pipeline`'s.
        concepts: Run the concept model (``eligo_concepts``); without it,
            criteria get no entities. Ignored when ``nlp`` is given.
        codes: Put ICD-10-CM codes on Condition entities where certain
            (``eligo_codes``; off by default). Ignored when ``nlp`` is given.
        batch_size: Trials that :meth:`parse_many` passes together through the
            components that have a ``pipe`` method (the concept model).

    Docs are made by the pipeline's tokenizer over a vocab of their own,
    renewed every :data:`TEXT_VOCAB_DOCS` Docs
    (:class:`eligo.tokenizer.FreshVocabTokenizer`), so the pipeline's vocab
    does not grow with the input.
    """

    def __init__(
        self,
        *,
        default_section: str = "unknown",
        max_chars: int = DEFAULT_MAX_CHARS,
        nlp: Language | None = None,
        concepts: bool = True,
        codes: bool = False,
        batch_size: int = 32,
    ) -> None:
        if default_section not in ("inclusion", "exclusion", "unknown"):
            raise EligoError(
                "section must be inclusion, exclusion or unknown, "
                f"not {default_section!r}"
            )
        self.default_section = default_section
        self.max_chars = max_chars
        self.batch_size = max(1, batch_size)
        self.nlp = (
            nlp
            if nlp is not None
            else build_pipeline(max_chars=max_chars, concepts=concepts, codes=codes)
        )
        self._tokenizer = FreshVocabTokenizer(
            self.nlp.tokenizer, renew_after=TEXT_VOCAB_DOCS
        )

    def make_doc(self, trial: Trial) -> Doc:
        """The tokenized Doc of a trial, before any component.

        Its text is :func:`eligo.sanitise.clean_trial`'s (code points that
        cannot be encoded replaced one for one).

        Raises:
            TextTooLongError: The text is over ``max_chars``.
        """
        trial = clean_trial(trial)
        if len(trial.text) > self.max_chars:
            raise TextTooLongError(len(trial.text), self.max_chars)
        doc = self._tokenizer(trial.text)
        doc._.view = reading_view(trial.text)  # Doc.text would rebuild the string
        doc._.source_format = trial.source_format
        doc._.default_section = self.default_section
        return doc

    def parse(self, trial: Trial) -> Document:
        """Parse one trial.

        Raises:
            TextTooLongError: The text is over ``max_chars``.
        """
        trial = clean_trial(trial)
        doc = self.make_doc(trial)
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        return to_document(trial, doc)

    def parse_safe(self, trial: Trial) -> Document | ParseFailure:
        """Parse one trial; a failure is returned, not raised."""
        trial = clean_trial(trial)
        try:
            return self.parse(trial)
        except Exception as err:
            return self._failure(trial, err)

    def parse_many(self, items: Iterable[Item]) -> Iterator[Result]:
        """Parse a stream of reader results, in order, ``batch_size`` at a time.

        Gives what :meth:`parse_safe` gives for each trial (read failures pass
        through), but components with a ``pipe`` method process a batch at once.
        """
        for batch in _windows(items, self.batch_size):
            yield from self.parse_batch(batch)

    def parse_batch(
        self, items: list[Item], spent: dict[str, float] | None = None
    ) -> list[Result]:
        """Parse a list of reader results together; see :meth:`parse_many`.

        Args:
            items: Trials and read failures.
            spent: When given, seconds per stage are added to it.
        """
        try:
            return self._parse_batch(items, spent)
        except Exception:
            # Something failed part-way through a batched component: parse the
            # trials one by one, so each failure is reported with its trial.
            return [
                item if isinstance(item, ReadFailure) else self.parse_safe(item)
                for item in items
            ]

    def _parse_batch(
        self, items: list[Item], spent: dict[str, float] | None
    ) -> list[Result]:
        results: list[Result | None] = [None] * len(items)
        trials: list[tuple[int, Trial]] = []
        for i, item in enumerate(items):
            if isinstance(item, ReadFailure):
                results[i] = item
                continue
            item = clean_trial(item)
            if len(item.text) > self.max_chars:
                results[i] = self._failure(
                    item, TextTooLongError(len(item.text), self.max_chars)
                )
            else:
                trials.append((i, item))
        clock = time.perf_counter
        t0 = clock()
        docs = [self.make_doc(trial) for _, trial in trials]
        if spent is not None:
            spent["tokenizer"] = spent.get("tokenizer", 0.0) + clock() - t0
        for name, proc in self.nlp.pipeline:
            t0 = clock()
            pipe = getattr(proc, "pipe", None)
            if pipe is not None and len(docs) > 1:
                docs = list(pipe(docs, batch_size=len(docs)))
            else:
                docs = [proc(doc) for doc in docs]
            if spent is not None:
                spent[name] = spent.get(name, 0.0) + clock() - t0
        t0 = clock()
        for (i, trial), doc in zip(trials, docs, strict=True):
            results[i] = to_document(trial, doc)
        if spent is not None:
            spent["to_document"] = spent.get("to_document", 0.0) + clock() - t0
        return [r for r in results if r is not None]

    @staticmethod
    def _failure(trial: Trial, err: Exception) -> ParseFailure:
        if isinstance(err, EligoError):
            reason = str(err)
        else:  # a bug must not stop a batch
            reason = f"internal error: {type(err).__name__}: {err}".splitlines()[0]
        return ParseFailure(trial.id, trial.path, trial.record, clean_text(reason)[0])


def to_document(trial: Trial, doc: Doc) -> Document:
    """Build the public Document from a processed Doc (its span groups)."""
    criteria = []
    for span in spans(doc, CRITERIA):
        c = fields(span)
        heading = c.get("heading")
        criteria.append(
            Criterion(
                section=c["section"],
                start=c["start"],
                end=c["end"],
                items=[Span(start=s, end=e) for s, e in c["items"]],
                constraints=[
                    Constraint.model_validate(k)
                    for k in child_fields(span, CONSTRAINT_SPANS)
                ],
                entities=[
                    Entity.model_validate(e) for e in child_fields(span, ENTITY_SPANS)
                ],
                logic=c.get("logic"),
                category=c.get("category"),
                category_scores=c.get("category_scores") or {},
                computable=c.get("computable"),
                heading=(
                    Heading(
                        start=heading[0],
                        end=heading[1],
                        text=trial.text[heading[0] : heading[1]],
                    )
                    if heading
                    else None
                ),
            )
        )
    sections = []
    for span in spans(doc, SECTIONS):
        s = fields(span)
        sections.append(
            SectionSpan(
                section=s["section"],
                start=s["start"],
                end=s["end"],
                header=Span(start=s["header"][0], end=s["header"][1])
                if s["header"]
                else None,
            )
        )
    structured = None
    if trial.structured is not None:
        st = trial.structured
        structured = Structured(
            minimum_age=st.minimum_age,
            maximum_age=st.maximum_age,
            sex=st.sex,
            healthy_volunteers=st.healthy_volunteers,
        )
    document = Document(
        id=trial.id,
        text=trial.text,
        structured=structured,
        criteria=criteria,
        summary=Summary(),
        title=trial.title,
        conditions=list(trial.conditions),
        sections=sections,
        source=Source(path=trial.path, record=trial.record, format=trial.source_format),
        notes=list(trial.notes),
    )
    document.summary = summarise(document)
    return document


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the objects alive now (the loaded pipeline) out of the garbage
    collector's full passes until the block ends: they live as long as the
    parse, and rescanning them costs about 8 % of the parse time."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


_worker: Parser | None = None


def _init_worker(kwargs: dict[str, Any]) -> None:
    global _worker
    _worker = Parser(**kwargs)
    # The pipeline's objects live as long as the worker: keep them out of the
    # garbage collector's full passes (about 8% of the parse time).
    gc.freeze()


def _work(items: list[Item]) -> list[Result]:
    assert _worker is not None
    return _worker.parse_batch(items)


def _work_json(items: list[Item], compact: bool = False) -> list[JSONResult]:
    return [_as_json(r, compact) for r in _work(items)]


def _as_json(result: Result, compact: bool = False) -> JSONResult:
    if isinstance(result, Document):
        return DocumentJSON.of(result, compact=compact)
    return result


@overload
def parse_trials(
    items: Iterable[Item],
    *,
    jobs: int = ...,
    default_section: str = ...,
    max_chars: int = ...,
    concepts: bool = ...,
    codes: bool = ...,
    chunksize: int = ...,
    as_json: Literal[False] = ...,
    compact: bool = ...,
    engine: str = ...,
    scheduler: str | None = ...,
) -> Iterator[Result]: ...


@overload
def parse_trials(
    items: Iterable[Item],
    *,
    jobs: int = ...,
    default_section: str = ...,
    max_chars: int = ...,
    concepts: bool = ...,
    codes: bool = ...,
    chunksize: int = ...,
    as_json: Literal[True],
    compact: bool = ...,
    engine: str = ...,
    scheduler: str | None = ...,
) -> Iterator[JSONResult]: ...


@overload
def parse_trials(
    items: Iterable[Item],
    *,
    jobs: int = ...,
    default_section: str = ...,
    max_chars: int = ...,
    concepts: bool = ...,
    codes: bool = ...,
    chunksize: int = ...,
    as_json: bool,
    compact: bool = ...,
    engine: str = ...,
    scheduler: str | None = ...,
) -> Iterator[Result | JSONResult]: ...


def parse_trials(
    items: Iterable[Item],
    *,
    jobs: int = 1,
    default_section: str = "unknown",
    max_chars: int = DEFAULT_MAX_CHARS,
    concepts: bool = True,
    codes: bool = False,
    chunksize: int = 32,
    as_json: bool = False,
    compact: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
) -> Iterator[Result | JSONResult]:
    """Parse a stream of reader results, in order, in ``jobs`` processes.

    Read failures pass through unchanged so the caller reports them in place.
    With ``as_json``, each Document comes as a :class:`DocumentJSON`,
    serialised where it was parsed (in the worker when ``jobs`` > 1), for a
    caller that only writes JSON.
    Trials go to the pipeline ``chunksize`` at a time (one batch of the concept
    model). Memory stays bounded: at most ``jobs * chunksize * 8`` trials are
    read ahead of the writer (read in a thread of the pool when ``jobs`` > 1).

    ``codes`` puts ICD-10-CM codes on Condition entities where certain
    (:class:`Parser`).

    ``compact`` JSON leaves out fields that hold their default
    (:meth:`DocumentJSON.of`). ``engine="dask"`` runs the chunks on a Dask
    cluster instead (:func:`eligo.scale.dask_engine.parse_on_dask`): the one at
    ``scheduler``, or a local one of ``jobs`` worker processes.

    Raises:
        EligoError: An unknown ``engine``, or Dask is not installed.
    """
    kwargs: dict[str, Any] = {
        "default_section": default_section,
        "max_chars": max_chars,
        "concepts": concepts,
        "batch_size": chunksize,
    }
    if codes:  # only when asked, so default kwargs (and Dask's keys) are as before
        kwargs["codes"] = True
        if jobs > 1 or engine == "dask":
            from .normalise.icd10 import default_index

            default_index()  # built once here, not by every worker at once
    if engine == "dask":
        from .scale.dask_engine import parse_on_dask

        yield from parse_on_dask(
            items,
            parser_kwargs=kwargs,
            workers=jobs,
            scheduler=scheduler,
            chunksize=chunksize,
            as_json=as_json,
            compact=compact,
        )
        return
    if engine != "local":
        raise EligoError(f"unknown engine {engine!r} (local or dask)")
    if jobs <= 1:
        parser = Parser(**kwargs)
        with frozen_heap():  # as in the workers
            for result in parser.parse_many(items):
                yield _as_json(result, compact) if as_json else result
        return
    ctx = (
        mp.get_context("fork")
        if "fork" in mp.get_all_start_methods()
        else mp.get_context()
    )
    # Pool.imap reads its whole input ahead of the workers: a chunk is fed only
    # when one of ``jobs * 8`` slots is free, and a slot frees up when a chunk's
    # results reach the caller, so memory stays flat however large the input
    # (and, unlike fixed windows, no worker waits for the slowest of a window).
    slots = threading.Semaphore(jobs * 8)
    stop = threading.Event()

    def feed() -> Iterator[list[Item]]:
        for chunk in _windows(items, chunksize):
            while not slots.acquire(timeout=0.1):
                if stop.is_set():
                    return
            yield chunk

    # Frozen before the fork, the parent's objects stay out of the workers'
    # garbage collections, which would otherwise touch (and so copy) every page
    # of a large parent heap: twice the wall time after a big parse in the
    # same process.
    with (
        frozen_heap(),
        ctx.Pool(jobs, initializer=_init_worker, initargs=(kwargs,)) as pool,
    ):
        try:
            work: Callable[[list[Item]], list[Result | JSONResult]] = (
                partial(_work_json, compact=compact)  # type: ignore[assignment]
                if as_json
                else _work
            )
            for results in pool.imap(work, feed()):
                slots.release()
                yield from results
        finally:
            stop.set()  # lets the feeding thread end if the caller stopped


T = TypeVar("T")


def _windows(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
