"""Lexicon matches as a token feature for the concept model.

A trained tagger only knows the words it saw in training; Chia has 684 trials.
This component brings outside knowledge in as a feature instead of as rules:
it marks each token inside a lexicon phrase with a short tag (``B-cond``,
``I-drug``, ``B-cond|drug``, ...) written to ``Token.lemma``, which eligo's
pipelines leave unused, and the concept model's ``MultiHashEmbed`` embeds
``LEMMA`` beside ``NORM``/``PREFIX``/``SUFFIX``/``SHAPE``. The model learns how
far to trust each tag.

Terms are tokenized with the pipeline's tokenizer when the component is
initialised. What is saved beside it (``terms.json``) is the lookup table
itself: every phrase and every proper prefix of a phrase, keyed by its
space-joined tokens, so loading is one ``json.loads`` (about 0.2 s for the
~130k terms of the shipped model, where rebuilding the table from the phrase
lists took 0.7 s of every start-up). Files in the first format (phrase lists)
still load. Matching is greedy leftmost-longest over lower-cased tokens
(case-sensitive for the ``exact`` terms, e.g. "PT" but not "pt").
"""

# No ``from __future__ import annotations``: spaCy validates ``initialize``'s
# signature with pydantic, which needs real annotations.
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import ensure_path
from spacy.vocab import Vocab

TERMS_FILE = "terms.json"
MAX_PHRASE_TOKENS = 8
#: Version of the saved table (``{"format": 2, "tables": ...}``); format 1 is
#: ``{"lower": {category: [[token, ...], ...]}, "exact": {...}}``.
TABLE_FORMAT = 2
MODES = ("lower", "exact")


class LexiconFeatures:
    """Tag tokens that fall inside lexicon phrases (see the module docstring).

    Args:
        vocab: The pipeline's vocab.
        name: The component's name.
    """

    def __init__(self, vocab: Vocab, name: str = "eligo_lexicon_features") -> None:
        self.vocab = vocab
        self.name = name
        # Per mode: phrase -> "cat|cat" and each proper prefix of a phrase ->
        # None (unless it is a phrase itself); keys are space-joined tokens.
        self._tables: dict[str, dict[str, str | None]] = {m: {} for m in MODES}

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        path: str | Path | None = None,
    ) -> None:
        """Load raw terms from ``path`` and tokenize them with ``nlp``'s tokenizer.

        The file is JSON ``{"lower": {category: [phrase, ...]}, "exact": {...}}``.
        """
        if path is None or nlp is None:
            return
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        terms: dict[str, dict[str, list[list[str]]]] = {m: {} for m in MODES}
        for mode in MODES:
            for category, phrases in raw.get(mode, {}).items():
                seen: set[tuple[str, ...]] = set()
                for phrase in phrases:
                    toks = tuple(
                        t.lower_ if mode == "lower" else t.text
                        for t in nlp.make_doc(phrase)
                        if not t.is_space
                    )
                    if 0 < len(toks) <= MAX_PHRASE_TOKENS and toks not in seen:
                        seen.add(toks)
                terms[mode][category] = sorted(list(t) for t in seen)
        self._tables = self._build(terms)

    @staticmethod
    def _build(
        terms: dict[str, dict[str, list[list[str]]]],
    ) -> dict[str, dict[str, str | None]]:
        """Lookup tables from tokenized phrase lists (format 1)."""
        tables: dict[str, dict[str, str | None]] = {m: {} for m in MODES}
        for mode, categories in terms.items():
            table: dict[str, str | None] = {}
            found: dict[str, set[str]] = {}
            for category, phrases in categories.items():
                for toks in phrases:
                    for k in range(1, len(toks)):
                        table.setdefault(" ".join(toks[:k]), None)
                    found.setdefault(" ".join(toks), set()).add(category)
            for key, cats in found.items():
                table[key] = "|".join(sorted(cats))
            tables[mode] = table
        return tables

    def _matches(self, words: list[str], table: dict[str, str | None]) -> list[Any]:
        out = []
        n = len(words)
        i = 0
        while i < n:
            key = words[i]
            best = None
            j = i
            while key in table:
                label = table[key]
                if label is not None:
                    best = (i, j + 1, label)
                j += 1
                if j >= n or j - i >= MAX_PHRASE_TOKENS:
                    break
                key = key + " " + words[j]
            if best is None:
                i += 1
            else:
                out.append(best)
                i = best[1]
        return out

    def __call__(self, doc: Doc) -> Doc:
        if not self._tables["lower"] and not self._tables["exact"]:
            return doc
        tags: dict[int, set[str]] = {}
        begins: set[int] = set()
        # One pass over the tokens (each Token is a new Python object); a
        # token's LOWER is its text's str.lower().
        texts = [t.text for t in doc]
        words_of = {"exact": texts, "lower": [w.lower() for w in texts]}
        for mode in MODES:
            table = self._tables[mode]
            if not table:
                continue
            for start, end, label in self._matches(words_of[mode], table):
                begins.add(start)
                for i in range(start, end):
                    tags.setdefault(i, set()).update(label.split("|"))
        for i, cats in tags.items():
            prefix = "B-" if i in begins else "I-"
            doc[i].lemma_ = prefix + "|".join(sorted(cats))
        return doc

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        data = {"format": TABLE_FORMAT, "tables": self._tables}
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def from_bytes(
        self, data: bytes, *, exclude: Iterable[str] = ()
    ) -> "LexiconFeatures":
        loaded = json.loads(data.decode("utf-8"))
        if loaded.get("format") == TABLE_FORMAT:
            self._tables = {m: loaded["tables"].get(m, {}) for m in MODES}
        elif "format" in loaded:
            raise ValueError(
                f"{self.name}: lexicon table format {loaded['format']!r} is not "
                f"supported (this eligo reads format {TABLE_FORMAT})"
            )
        else:
            self._tables = self._build(loaded)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        folder = ensure_path(path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / TERMS_FILE).write_bytes(self.to_bytes())

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = ()
    ) -> "LexiconFeatures":
        return self.from_bytes((ensure_path(path) / TERMS_FILE).read_bytes())


@Language.factory(
    "eligo_lexicon_features", assigns=["token.lemma"], requires=[], default_config={}
)
def make_lexicon_features(nlp: Language, name: str) -> "LexiconFeatures":
    """Registered factory for :class:`LexiconFeatures`."""
    return LexiconFeatures(nlp.vocab, name)
