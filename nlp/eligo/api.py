"""The Python API a spaCy user expects: ``eligo.load()`` once, then Docs.

:func:`load` gives eligo's configured spaCy pipeline (built once per process
and cached, as ``spacy.load`` would load it once per program):

>>> import eligo
>>> nlp = eligo.load()
>>> doc = nlp("Inclusion Criteria:\\n- Age 18 to 65\\nExclusion Criteria:\\n- HIV")
>>> [(c.label_, c.text) for c in doc.spans["criteria"]]
[('inclusion', 'Age 18 to 65'), ('exclusion', 'HIV')]
>>> [(k.label_, k.text, k._.fields["low"]) for k in doc.spans["eligo"]]
[('age', 'Age 18 to 65', 18.0)]

``nlp.pipe(texts, n_process=2)``, ``Doc.to_bytes`` and displaCy
(``displacy.render(doc, style="span", options={"spans_key": "eligo"})``) work
too: results are span groups, and the values on them plain data.

What a Doc holds (see :mod:`eligo.pipeline.spans`; offsets are character offsets into
``doc.text``, end exclusive):

- ``doc.spans["sections"]``, ``doc.spans["criteria"]`` (label: "inclusion",
  "exclusion" or "unknown"), ``doc.spans["eligo"]`` (the constraints; label:
  their type) and ``doc.spans["concepts"]`` (the entities; label: "Condition",
  "Drug", ...).
- ``span._.fields``: the span's record, with the fields of
  :class:`eligo.document.Criterion`, :class:`~eligo.document.Constraint` or
  :class:`~eligo.document.Entity` (``low``, ``unit``, ``analyte``,
  ``assertion``, ``trigger``, ``logic``, ``category``, ...) and the exact
  character offsets (``start``, ``end``; the span's tokens cover them).
- ``criterion._.constraints`` and ``criterion._.entities``: its spans, in order
  (a criterion's ``logic`` indexes its constraints); ``span._.criterion``: the
  criterion of a constraint or entity; ``span._.assertion`` ("present",
  "negated", "historical", "hypothetical", "family") and ``span._.negated``.
- ``doc._.source_format`` (input): "text" (the default) segments a pasted
  page; a registry reader's name ("ctgov_json", ...) a criteria block.
- ``doc._.default_section`` (input): section of criteria no header places.
- ``doc._.view``: the reading view of the text the components share (internal).

:func:`to_document` turns a Doc into the public
:class:`eligo.document.Document` (what ``eligo parse`` writes).

Threads: a spaCy pipeline is not documented as safe to call from several
threads at once, and eligo's parser keeps per-call state (its Docs'
vocab), so :func:`parse_text` and :func:`parse_texts` share the cached
pipeline under one lock: any number of threads may call them. Parsing is
CPU-bound Python, so threads would not run it in parallel anyway
(``benchmarks/parse_text_loop.py --threads 2`` measures the lock against one
pipeline per thread). Code that calls ``nlp(text)`` from several threads itself
should give each thread its own :func:`eligo.pipeline.build_pipeline`; for
parallel speed use processes: ``nlp.pipe(texts, n_process=N)`` or
``eligo parse --jobs N``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .document import Document
from .errors import EligoError
from .parse import ParseFailure, Parser
from .parse import to_document as _to_document
from .pipeline import DEFAULT_MAX_CHARS, build_pipeline
from .trial import ReadFailure, Trial

_LOCK = threading.RLock()
_PIPELINES: dict[tuple[bool, int], Language] = {}
_PARSERS: dict[tuple[bool, str], Parser] = {}


def load(*, concepts: bool = True, max_chars: int = DEFAULT_MAX_CHARS) -> Language:
    """eligo's pipeline, built on the first call and cached for the process.

    The same :class:`~spacy.language.Language` is returned for the same
    arguments, so treat it as read-only (``eligo.pipeline.build_pipeline``
    gives a fresh one to modify).

    Args:
        concepts: Include the trained concept model (``eligo_concepts``);
            without it criteria get no entities, and parsing is several times
            faster.
        max_chars: Longest text the pipeline accepts (``nlp.max_length``).

    Returns:
        The pipeline: eligo's tokenizer and components, in
        :data:`eligo.pipeline.PIPE_NAMES` order.
    """
    key = (concepts, max_chars)
    with _LOCK:
        nlp = _PIPELINES.get(key)
        if nlp is None:
            nlp = build_pipeline(max_chars=max_chars, concepts=concepts)
            _PIPELINES[key] = nlp
        return nlp


def _parser(default_section: str, concepts: bool) -> Parser:
    key = (concepts, default_section)
    parser = _PARSERS.get(key)
    if parser is None:
        parser = Parser(default_section=default_section, nlp=load(concepts=concepts))
        _PARSERS[key] = parser
    return parser


def parse_text(
    text: str,
    *,
    id: str = "text",
    default_section: str = "unknown",
    concepts: bool = True,
) -> Document:
    """Parse one criteria text (or a pasted registry page) into a Document.

    Reuses the pipeline of :func:`load`: only the first call pays for
    building it. Safe to call from several threads (they take turns).

    Args:
        text: The text, as read; every offset in the result indexes it.
        id: The document id to report.
        default_section: Section of criteria that no header places.
        concepts: Run the concept model (entities).

    Returns:
        The parsed document, as ``eligo parse`` gives it for the same text.

    Raises:
        EligoError: ``default_section`` is not a section name, or the text is
            longer than the pipeline accepts.
    """
    trial = Trial(id=id, text=text, source_format="text")
    with _LOCK:
        return _parser(default_section, concepts).parse(trial)


def parse_trial(
    trial: Trial, *, default_section: str = "unknown", concepts: bool = True
) -> Document:
    """Parse one Trial (from :mod:`eligo.readers`) with the cached pipeline.

    Like :func:`parse_text`, for a registry record: its ``source_format``,
    fields and id are kept. Thread-safe.

    Raises:
        EligoError: As :func:`parse_text`.
    """
    with _LOCK:
        return _parser(default_section, concepts).parse(trial)


def parse_texts(
    texts: Iterable[str],
    *,
    ids: Iterable[str] | None = None,
    default_section: str = "unknown",
    concepts: bool = True,
    batch_size: int = 32,
) -> Iterator[Document]:
    """Parse a stream of texts, in order, ``batch_size`` at a time.

    The input is read lazily and each batch goes through the concept model at
    once (faster than :func:`parse_text` in a loop); Documents are yielded as
    their batch is done. The lock is held for one batch at a time, never while
    the caller holds a yielded Document.

    Args:
        texts: The texts.
        ids: Their document ids (default ``"text-0"``, ``"text-1"``, ...).
        default_section: Section of criteria that no header places.
        concepts: Run the concept model (entities).
        batch_size: Texts per batch.

    Yields:
        One Document per text.

    Raises:
        EligoError: A text could not be parsed (too long, for one); the
            Documents before it have been yielded.
    """
    names = iter(ids) if ids is not None else None
    batch: list[Trial | ReadFailure] = []

    def run() -> list[Document]:
        with _LOCK:
            results = _parser(default_section, concepts).parse_batch(batch)
        batch.clear()
        out = []
        for result in results:
            if isinstance(result, (ParseFailure, ReadFailure)):
                raise EligoError(result.message())
            out.append(result)
        return out

    for i, text in enumerate(texts):
        name = f"text-{i}" if names is None else next(names, None)
        if name is None:
            raise EligoError(f"fewer ids than texts (text {i} has none)")
        batch.append(Trial(id=name, text=text, source_format="text"))
        if len(batch) >= max(1, batch_size):
            yield from run()
    if batch:
        yield from run()


def to_document(doc: Doc, *, id: str = "text") -> Document:
    """The public Document of a Doc that eligo's pipeline processed.

    Args:
        doc: A Doc from ``eligo.load()(text)`` or ``nlp.pipe``.
        id: The document id to report.

    Returns:
        The Document (criteria, constraints, entities, summary), with the same
        offsets as the Doc's attributes.
    """
    return _to_document(
        Trial(id=id, text=doc.text, source_format=doc._.source_format), doc
    )
