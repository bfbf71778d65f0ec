"""eligo's tokenizer: English rules plus splits that criteria need.

spaCy's default (and scispaCy's) tokenizer leaves "INR>=1.5", "PLT<50" or
"18~65" as one token. Criteria put comparators, numbers and units against each
other, so this tokenizer also splits:

- comparators (``>= <= => =< > < ≥ ≤ ≧ ≦ ⩾ ⩽ ~ =``) from what they touch;
- a markdown escape's backslash (``\\<``, ``\\^``) from the character it escapes;
- ``×``, ``^`` and ``*`` inside numbers and scale factors ("50×10^9/L");
- a number from a unit glued to it ("9g/dL", "30s", "470ms"), but not codes
  such as "HbA1c", "CD4", "T2DM" or "COVID-19" (only a token that starts with
  the digits is split).

Registered as ``eligo.tokenizer.v1`` (``spacy_tokenizers`` entry point), so a
saved pipeline's config rebuilds it. ``eligo.whole_text_tokenizer.v1`` is the
no-op tokenizer of pipelines whose components read text, not tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import (
    compile_infix_regex,
    compile_prefix_regex,
    compile_suffix_regex,
    registry,
)
from spacy.vocab import Vocab

from .docindex import doc_index

COMPARATORS = r"(?:>=|<=|=>|=<|≥|≤|≧|≦|⩾|⩽|>|<|~|=)"
_EXTRA_PREFIXES = [
    r"\\",
    COMPARATORS,
    r"×",
    r"\^",
    r"x(?=10(?:\^|\*|[⁰¹²³⁴⁵⁶⁷⁸⁹]|\b))",  # "x10^9/L" after "1.5" is split off
    # A number glued to a unit: "9g/dL", "30s", "470ms" (not "1st", "2nd").
    r"[0-9]+(?:[.,][0-9]+)*(?=[A-Za-zµμ])(?!(?:st|nd|rd|th)\b)",
]
# "Hb<9g/dL": once "<" is split off, "9g" must split too. Python's look-behind
# needs a fixed width, so the number shapes are spelled out.
_NUMBER_SHAPES = ("0", "00", "000", "0000", "0.0", "0.00", "00.0", "0,000")
_GLUED_UNIT_AFTER_SPLIT = "|".join(
    rf"(?<=[<>=≥≤≧≦⩾⩽~×\\]{shape.replace('0', '[0-9]').replace('.', '[.]')})"
    r"(?=[A-Za-zµμ])(?!(?:st|nd|rd|th)\b)"
    for shape in _NUMBER_SHAPES
)
_EXTRA_SUFFIXES = [r"\\", COMPARATORS, r"×", r"\^"]
_EXTRA_INFIXES = [
    r"\\(?=[!-/:-@\[-`{-~])",  # a markdown escape's backslash
    rf"(?<=[\w)\].%\\])(?:{COMPARATORS})(?=[\w(.\-+\\])",
    r"(?<=\\)\^",
    r"(?<=[0-9])[×x*](?=[0-9])",  # 50×10, 1.5x10
    r"(?<=[0-9])\^(?=[-0-9])",  # 10^9
    r"(?<=[0-9])[×*]",
    r"(?<=[0-9])/(?=[A-Za-zµμ])",  # 100,000/mm3 -> 100,000 / mm3
    _GLUED_UNIT_AFTER_SPLIT,
]


#: Longest run of non-space characters handed to spaCy's rules as it is.
LONG_RUN = 100
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN + 1},}}")


class EligoTokenizer(Tokenizer):
    """spaCy's rule tokenizer, linear in the length of a run of non-space text.

    spaCy strips prefixes and suffixes one at a time, searching the rest of the
    run again each time: a run of affix characters costs time quadratic in its
    length ("((((" or "%%%%" 5,000 long: 3-6 s). A run longer than
    :data:`LONG_RUN` characters holds no word of a criterion, so it becomes
    tokens of :data:`LONG_RUN` characters each, without spaCy's rules; the text
    around it is tokenized as usual. The Doc's text is the input, unchanged.
    """

    def __call__(self, text: str) -> Doc:
        runs = list(_LONG_RUN.finditer(text))
        if not runs:
            return super().__call__(text)
        docs: list[Doc] = []
        pos = 0
        for run in runs:
            if run.start() > pos:
                docs.append(super().__call__(text[pos : run.start()]))
            chunk = run.group()
            words = [chunk[i : i + LONG_RUN] for i in range(0, len(chunk), LONG_RUN)]
            docs.append(Doc(self.vocab, words=words, spaces=[False] * len(words)))
            pos = run.end()
        if pos < len(text):
            docs.append(super().__call__(text[pos:]))
        return Doc.from_docs(docs, ensure_whitespace=False)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)


def make_eligo_tokenizer(nlp: Language) -> Tokenizer:
    """Build the tokenizer over ``nlp``'s vocab and default English rules."""
    defaults = nlp.Defaults
    prefixes = _EXTRA_PREFIXES + list(defaults.prefixes or [])
    suffixes = list(defaults.suffixes or []) + _EXTRA_SUFFIXES
    infixes = list(defaults.infixes or []) + _EXTRA_INFIXES
    return EligoTokenizer(
        nlp.vocab,
        rules=defaults.tokenizer_exceptions,
        prefix_search=compile_prefix_regex(prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=None,
        url_match=None,
    )


@registry.tokenizers("eligo.tokenizer.v1")
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """Registered factory: ``[nlp.tokenizer] @tokenizers = "eligo.tokenizer.v1"``."""
    return make_eligo_tokenizer


#: Docs a :class:`FreshVocabTokenizer` makes over one vocab before a fresh one.
FRESH_VOCAB_DOCS = 2000


class FreshVocabTokenizer:
    """A pipeline's tokenizer whose Docs get a vocab of their own.

    Every word of a text enters the vocab of the Doc it makes, so over a
    registry's worth of trials one shared vocab would grow without end. This
    tokenizes as ``base`` does (the same exceptions and affix rules), over a
    vocab of its own that is replaced every ``renew_after`` Docs (a new
    tokenizer costs about 0.07 s): memory stays flat however many texts go
    through, and the pipeline's vocab never sees them.
    """

    def __init__(self, base: Tokenizer, renew_after: int = FRESH_VOCAB_DOCS) -> None:
        self.base = base
        self.renew_after = max(1, renew_after)
        self._docs = 0
        self._tokenizer = self._fresh()

    def _fresh(self) -> Tokenizer:
        base = self.base
        vocab = Vocab(
            strings=[],
            lex_attr_getters=base.vocab.lex_attr_getters,
            writing_system=base.vocab.writing_system,
        )
        cls = type(base) if isinstance(base, EligoTokenizer) else Tokenizer
        return cls(
            vocab,
            rules=base.rules,
            prefix_search=base.prefix_search,
            suffix_search=base.suffix_search,
            infix_finditer=base.infix_finditer,
            token_match=base.token_match,
            url_match=base.url_match,
        )

    def __call__(self, text: str) -> Doc:
        if self._docs >= self.renew_after:
            self._tokenizer = self._fresh()
            self._docs = 0
        self._docs += 1
        return self._tokenizer(text)


class WholeTextDocs:
    """Docs of one token holding the whole text, over a vocab of their own.

    For a :class:`eligo.parse.Parser` whose components never read tokens
    (eligo's own): they work on the reading view and the records of
    :mod:`eligo.pipeline.spans`, which keep exact character offsets, so
    tokenising (a tenth of a parse) would buy nothing; the concept model
    tokenizes the criteria it has not seen before itself. Spans on these Docs
    cover the whole text; the Docs never leave the Parser (it gives
    Documents). Their :class:`~eligo.pipeline.docindex.DocIndex` says that
    their tokens are not words. The vocab is replaced every ``renew_after``
    Docs.
    """

    def __init__(self, renew_after: int = FRESH_VOCAB_DOCS) -> None:
        self.renew_after = max(1, renew_after)
        self._vocab = Vocab()
        self._docs = 0

    def __call__(self, text: str) -> Doc:
        if self._docs >= self.renew_after:
            self._vocab = Vocab()
            self._docs = 0
        self._docs += 1
        doc = (
            Doc(self._vocab, words=[text], spaces=[False])
            if text
            else Doc(self._vocab, words=[])
        )
        doc_index(doc, text, words=False)
        return doc
