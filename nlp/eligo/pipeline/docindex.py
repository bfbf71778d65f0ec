"""What the components need to know of a Doc's tokens, computed once per Doc.

spaCy builds a Python ``Token`` object for every ``doc[i]``, and ``Doc.text``
joins the tokens again on every access. eligo's components look tokens up by
character offset thousands of times per Doc (every span they add), so they
share one :class:`DocIndex` per Doc instead: the text and the tokens'
character offsets as plain lists, with the lookups ``Doc.char_span`` does.

The index lives beside the Doc (a weak mapping, not ``Doc.user_data``), so it
never reaches ``Doc.to_bytes``, pickles or the output, and it is built again
for a Doc whose token count changed (a retokenized Doc).
"""

from __future__ import annotations

from bisect import bisect_right
from weakref import WeakKeyDictionary

from spacy.attrs import IDX, LENGTH, NORM
from spacy.tokens import Doc


class DocIndex:
    """A Doc's text and token offsets.

    Attributes:
        text: ``doc.text``.
        view: The reading view (``doc._.view``), once a component asked for it.
        words: Whether the tokens are the tokenizer's words (False for the
            one-token Docs of :class:`eligo.pipeline.tokenizer.WholeTextDocs`).
        starts: Each token's first character.
        lengths: Each token's length (its trailing space not counted).
    """

    __slots__ = ("_norms", "doc_length", "lengths", "starts", "text", "view", "words")

    def __init__(
        self, doc: Doc, text: str | None = None, *, words: bool = True
    ) -> None:
        self.doc_length = len(doc)
        self.words = words
        self.text = doc.text if text is None else text
        if len(doc):
            offsets = doc.to_array([IDX, LENGTH])
            self.starts: list[int] = offsets[:, 0].tolist()
            self.lengths: list[int] = offsets[:, 1].tolist()
        else:
            self.starts, self.lengths = [], []
        self._norms: list[int] | None = None
        self.view: str | None = None

    def token_at(self, char: int) -> int:
        """The token whose characters (or trailing space) hold ``char``; -1 if none."""
        if char < 0 or char >= len(self.text) or not self.starts:
            return -1
        return bisect_right(self.starts, char) - 1

    def expand(self, start: int, end: int) -> tuple[int, int] | None:
        """Token bounds ``[i, j)`` of the characters ``[start, end)``, as
        ``Doc.char_span(start, end, alignment_mode="expand")`` gives them (None
        where it gives None)."""
        i = self.token_at(start)
        if i < 0:
            return None
        last = self.token_at(end - 1)
        if last < 0:
            return None
        if start == self.starts[i] + self.lengths[i]:  # the trailing space
            i += 1
        return i, last + 1

    def strict(self, start: int, end: int) -> tuple[int, int] | None:
        """Token bounds ``[i, j)`` when ``[start, end)`` begins at a token's
        first character and ends at a token's last one, else None."""
        i = self.token_at(start)
        last = self.token_at(end - 1)
        if i < 0 or last < 0 or self.starts[i] != start:
            return None
        if self.starts[last] + self.lengths[last] != end:
            return None
        return i, last + 1

    def has_space(self, i: int) -> bool:
        """Whether token ``i`` is followed by a space of its own."""
        after = self.starts[i] + self.lengths[i]
        following = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        return following > after

    def norms(self, doc: Doc) -> list[int]:
        """Each token's NORM (a tokenizer exception's where it set one)."""
        if self._norms is None:
            self._norms = doc.to_array(NORM).tolist() if len(doc) else []
        return self._norms


_INDEXES: WeakKeyDictionary[Doc, DocIndex] = WeakKeyDictionary()


def doc_index(doc: Doc, text: str | None = None, *, words: bool = True) -> DocIndex:
    """The :class:`DocIndex` of ``doc``, built on first use.

    ``text`` (the text the Doc was made from, when the caller has it) saves
    rebuilding it from the tokens; ``words=False`` says that the tokens are not
    words (see :attr:`DocIndex.words`).
    """
    index = _INDEXES.get(doc)
    if index is None or index.doc_length != len(doc):
        index = DocIndex(doc, text, words=words)
        _INDEXES[doc] = index
    return index


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc."""
    return doc_index(doc).text
