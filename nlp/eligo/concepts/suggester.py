"""Candidate spans for the concept span categorizer: n-grams with plausible edges.

``eligo.edge_ngram_suggester.v1`` suggests every n-gram of ``min_size`` to
``max_size`` tokens, except those that start or end on a token no concept
mention starts or ends on: punctuation (bar the brackets and signs listed as
allowed) and whitespace, and the words listed in the config (``and``, ``or``,
``of`` …). On Chia's train split this keeps 57 % of the n-grams of 1 to 6
tokens, and loses 50 of its 12,415 mentions of the six scored types (0.4 %),
so the categorizer scores about half as many candidates. The word lists live
in the model's config (``[components.spancat.suggester]``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, LOWER, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

Suggester = Callable[..., Ragged]


@registry.misc("eligo.edge_ngram_suggester.v1")
def build_edge_ngram_suggester(
    min_size: int,
    max_size: int,
    not_first: list[str],
    not_last: list[str],
    punct_first: list[str],
    punct_last: list[str],
) -> Suggester:
    """A suggester of n-grams whose first and last tokens can edge a mention.

    Args:
        min_size: Shortest n-gram, in tokens.
        max_size: Longest n-gram, in tokens.
        not_first: Words (lower case) a candidate never starts with.
        not_last: Words (lower case) a candidate never ends with.
        punct_first: Punctuation a candidate may start with ("(").
        punct_last: Punctuation a candidate may end with (")", "%").
    """
    if not 1 <= min_size <= max_size:
        raise ValueError(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    return EdgeNgramSuggester(
        min_size, max_size, not_first, not_last, punct_first, punct_last
    )


class EdgeNgramSuggester:
    """See :func:`build_edge_ngram_suggester`."""

    def __init__(
        self,
        min_size: int,
        max_size: int,
        not_first: Iterable[str],
        not_last: Iterable[str],
        punct_first: Iterable[str],
        punct_last: Iterable[str],
    ) -> None:
        self.sizes = range(min_size, max_size + 1)
        self._ids = tuple(
            numpy.array(sorted(get_string_id(w) for w in words), dtype="uint64")
            for words in (not_first, not_last, punct_first, punct_last)
        )

    def edges(self, attrs: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Which tokens a candidate may start on, and which it may end on,
        from rows of ``IS_PUNCT, IS_SPACE, LOWER, ORTH``."""
        not_first, not_last, punct_first, punct_last = self._ids
        punct = attrs[:, 0] == 1
        space = attrs[:, 1] == 1
        lower, orth = attrs[:, 2], attrs[:, 3]
        ok_first = ~space & ~numpy.isin(lower, not_first)
        ok_first &= ~punct | numpy.isin(orth, punct_first)
        ok_last = ~space & ~numpy.isin(lower, not_last)
        ok_last &= ~punct | numpy.isin(orth, punct_last)
        return ok_first, ok_last

    def __call__(self, docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        if ops is None:
            ops = get_current_ops()
        docs = list(docs)
        sizes = numpy.array([len(doc) for doc in docs], dtype="int64")
        if not sizes.sum():
            return _ragged(
                ops, numpy.zeros((0, 0), "int32"), numpy.zeros(len(docs), "int32")
            )
        # All docs' tokens at once: one pass of the (slow per call) numpy.isin.
        attrs = numpy.concatenate(
            [
                doc.to_array([IS_PUNCT, IS_SPACE, LOWER, ORTH])
                for doc in docs
                if len(doc)
            ]
        ).astype("uint64")
        ok_first, ok_last = self.edges(attrs)
        doc_of = numpy.repeat(numpy.arange(len(docs)), sizes)
        offsets = numpy.concatenate(([0], numpy.cumsum(sizes)[:-1]))
        doc_end = (offsets + sizes)[doc_of]
        position = numpy.arange(len(doc_of))
        starts: list[numpy.ndarray] = []
        widths: list[numpy.ndarray] = []
        for size in self.sizes:
            last = position + size - 1
            fits = last < doc_end
            good = numpy.flatnonzero(fits)
            good = good[ok_first[good] & ok_last[last[good]]]
            starts.append(good)
            widths.append(numpy.full(len(good), size))
        start = numpy.concatenate(starts)
        width = numpy.concatenate(widths)
        owner = doc_of[start]
        # spaCy's order: by doc, then size, then position
        order = numpy.lexsort((start, width, owner))
        start, width, owner = start[order], width[order], owner[order]
        local = start - offsets[owner]
        data = numpy.stack((local, local + width), axis=1).astype("int32")
        lengths = numpy.bincount(owner, minlength=len(docs)).astype("int32")
        return _ragged(ops, data, lengths)


def _ragged(ops: Ops, data: numpy.ndarray, lengths: numpy.ndarray) -> Ragged:
    return Ragged(ops.asarray2i(data), ops.asarray1i(lengths))  # type: ignore[arg-type]
