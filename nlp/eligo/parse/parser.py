"""The Parser: trials through one pipeline, a batch at a time."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from ..document import Document
from ..errors import EligoError, TextTooLongError
from ..pipeline import CODES, DEFAULT_MAX_CHARS, PIPE_NAMES, build_pipeline
from ..pipeline.docindex import doc_index
from ..pipeline.tokenizer import FRESH_VOCAB_DOCS, FreshVocabTokenizer, WholeTextDocs
from ..readers.sanitise import clean_text, clean_trial
from ..segment.view import reading_view
from ..trial import ReadFailure, Trial
from .convert import to_document
from .results import Item, ParseFailure, Result
from .reuse import CriterionReuse

#: The component after which criteria exist, and can be reused.
SEGMENTER = "eligo_criteria"

#: Docs made over one vocab before a fresh one replaces it.
TEXT_VOCAB_DOCS = FRESH_VOCAB_DOCS
#: eligo's components that need no tokens on a Doc: all of them. The rule
#: components read the reading view; the concept model builds its criterion
#: Docs from the Doc's tokens where the Doc has words, and tokenizes each
#: criterion it has not seen before itself where it has not (the same tokens,
#: checked by ``tests/test_parse.py``).
TOKEN_FREE: frozenset[str] = frozenset((*PIPE_NAMES, CODES))


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
        reuse: Criterion results kept for reuse by identical criteria of later
            trials (:mod:`eligo.parse.reuse`; identical criteria within a batch
            are reused whatever it is); ``None`` turns reuse off.

    Docs are made by the pipeline's tokenizer over a vocab of their own,
    renewed every :data:`TEXT_VOCAB_DOCS` Docs
    (:class:`eligo.pipeline.tokenizer.FreshVocabTokenizer`), so the pipeline's
    vocab does not grow with the input, when a component that reads tokens is
    in the pipeline. eligo's own components need none (:data:`TOKEN_FREE`), so
    a Parser's Docs are one token each
    (:class:`eligo.pipeline.tokenizer.WholeTextDocs`): the Docs never leave the
    Parser, which gives Documents, and tokenizing every text only to throw the
    tokens away cost a tenth of the parse. ``eligo.load()`` gives the
    tokenized Docs, with the same records.
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
        reuse: int | None = 20_000,
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
        #: Results of criteria parsed before (None: every criterion is parsed).
        self.reuse = (
            CriterionReuse(self.nlp, reuse)
            if reuse is not None and SEGMENTER in self.nlp.pipe_names
            else None
        )
        #: Whether Docs get tokens: a pipeline of :data:`TOKEN_FREE` components
        #: alone gets Docs of one token (:class:`WholeTextDocs`).
        self.tokenize = not set(self.nlp.pipe_names) <= TOKEN_FREE
        self._tokenizer = (
            FreshVocabTokenizer(self.nlp.tokenizer, renew_after=TEXT_VOCAB_DOCS)
            if self.tokenize
            else WholeTextDocs(renew_after=TEXT_VOCAB_DOCS)
        )

    def make_doc(self, trial: Trial) -> Doc:
        """The tokenized Doc of a trial, before any component.

        Its text is :func:`eligo.readers.sanitise.clean_trial`'s (code points that
        cannot be encoded replaced one for one).

        Raises:
            TextTooLongError: The text is over ``max_chars``.
        """
        trial = clean_trial(trial)
        if len(trial.text) > self.max_chars:
            raise TextTooLongError(len(trial.text), self.max_chars)
        doc = self._tokenizer(trial.text)
        doc_index(doc, trial.text)  # Doc.text would rebuild the string
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
        (doc,) = self._run([self.make_doc(trial)], None)
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
        docs = self._run(docs, spent)
        t0 = clock()
        for (i, trial), doc in zip(trials, docs, strict=True):
            results[i] = to_document(trial, doc)
        if spent is not None:
            spent["to_document"] = spent.get("to_document", 0.0) + clock() - t0
        return [r for r in results if r is not None]

    def _run(self, docs: list[Doc], spent: dict[str, float] | None) -> list[Doc]:
        """Docs through every component, the criteria known from earlier
        trials reused after segmentation (:mod:`eligo.parse.reuse`)."""
        clock = time.perf_counter
        reuse, plan = self.reuse, None
        for name, proc in self.nlp.pipeline:
            t0 = clock()
            pipe = getattr(proc, "pipe", None)
            if pipe is not None and len(docs) > 1:
                docs = list(pipe(docs, batch_size=len(docs)))
            else:
                docs = [proc(doc) for doc in docs]
            if name == SEGMENTER and reuse is not None:
                plan = reuse.mark(docs)
            if spent is not None:
                spent[name] = spent.get(name, 0.0) + clock() - t0
        if reuse is not None and plan is not None:
            t0 = clock()
            reuse.fill(plan)
            if spent is not None:
                spent["reuse"] = spent.get("reuse", 0.0) + clock() - t0
        return docs

    @staticmethod
    def _failure(trial: Trial, err: Exception) -> ParseFailure:
        if isinstance(err, EligoError):
            reason = str(err)
        else:  # a bug must not stop a batch
            reason = f"internal error: {type(err).__name__}: {err}".splitlines()[0]
        return ParseFailure(trial.id, trial.path, trial.record, clean_text(reason)[0])


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
