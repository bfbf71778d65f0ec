"""Concept entities for each criterion: the trained model, reconciled with rules.

``eligo_concepts`` runs the trained concept model (``models/concepts``, see
its ``MODEL_CARD.md``) over every criterion's reading view and gives the
criterion entity spans (``doc.spans["concepts"]``) whose records are
``{"label", "start", "end", "negated", "source"}``, offsets into the
document text.

One precedence decides every conflict, so a character is never inside two
entities of a criterion:

1. **Rule spans** (``source: "rule"``): the analyte of every measurement or
   score constraint that a rule component found (``constraint["analyte"]``,
   from the analyte lexicon) is a ``Measurement`` entity. Rules come first
   because constraints point at these exact characters, and the lexicon is
   curated.
2. **Model spans** (``source: "model"``): the model's predictions fill the
   rest. A prediction that overlaps a rule span is dropped, whatever its label
   (the rule span stands for that text). The model's own output never
   overlaps itself: a span categorizer's candidates are resolved to flat
   spans, the highest score first (:mod:`eligo.concepts.decode`).
3. Entities already in the criterion's list when this component runs (from a
   component placed earlier) are kept as they are and take precedence over
   both, by the same rule.

``Negation`` predictions are not emitted as entities (negation is a flag on
entities, set by the negation component); ``negated`` is ``False`` here.
"""

# No ``from __future__ import annotations``: spaCy validates the factory's
# signature with pydantic, which needs real annotations.
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import NORM
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path
from spacy.vocab import Vocab

from ..pipeline.docindex import doc_index
from ..pipeline.extensions import doc_view, register_extensions
from ..pipeline.spans import criteria, fields, record, set_entities
from . import (
    architecture,  # noqa: F401  (the span categorizer's model)
    lexicon_features,  # noqa: F401  (the model's pipeline uses it)
    suggester,  # noqa: F401  (the span categorizer's suggester)
)
from .decode import Span, model_spans

#: Where a criterion sits in a tokenised Doc: the Doc, its start and end characters.
_Place = tuple[Doc, int, int]
#: A run of a Doc's tokens: the Doc and the token bounds ``[i, j)``.
_Tokens = tuple[Doc, int, int]

MODEL_NAME = "concepts"
MODEL_DIR = "model"
#: Model labels that are not emitted as entities.
NOT_ENTITIES = frozenset({"Negation"})
#: Constraint types whose ``analyte`` is a Measurement entity.
ANALYTE_CONSTRAINTS = frozenset({"measurement", "score"})


def packaged_model_path() -> Path:
    """The concept model shipped in the package (``eligo.models/concepts``)."""
    return Path(str(resources.files("eligo.models").joinpath(MODEL_NAME)))


def load_model(path: str | Path | None = None) -> Language:
    """Load a concept model (the packaged one by default).

    The model's tokenizer is eligo's, rebuilt from its config, so its saved
    copy (the same exceptions and affix rules again) is not read back: that
    halves the load time (0.87 -> 0.50 s).
    """
    return spacy.load(path or packaged_model_path(), exclude=["tokenizer"])


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["start"] < b["end"] and b["start"] < a["end"])


class _Taken:
    """Spans that overlap one another nowhere, for overlap tests in O(log n).

    Sorted by (start, end), such spans also have non-decreasing ends, so a
    span ``[s, e)`` overlaps one of them exactly when the last one starting
    before ``e`` ends after ``s``. (Testing every accepted span was quadratic:
    a 40,000-character criterion spent 1.5 s here.)
    """

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []

    @classmethod
    def of(cls, spans: Iterable[dict[str, Any]]) -> "_Taken | None":
        """The set of ``spans``, or None when two of them overlap."""
        taken = cls()
        taken.keys = sorted((s["start"], s["end"]) for s in spans)
        ends = [end for _, end in taken.keys]
        if any(b < a for a, b in pairwise(ends)):
            return None
        if any(a[0] < b[1] and b[0] < a[1] for a, b in pairwise(taken.keys)):
            return None
        return taken

    def add_if_free(self, span: dict[str, Any]) -> bool:
        """Add ``span`` unless it overlaps a span held; whether it was added."""
        start, end = span["start"], span["end"]
        k = bisect_left(self.keys, (end, -1))  # the spans starting before ``end``
        if k and self.keys[k - 1][1] > start:
            return False
        insort(self.keys, (start, end))
        return True


def rule_entities(criterion: dict[str, Any]) -> list[dict[str, Any]]:
    """Measurement entities from the criterion's rule constraints."""
    out: list[dict[str, Any]] = []
    taken = _Taken()
    for con in criterion.get("constraints", []):
        analyte = con.get("analyte")
        if con.get("type") not in ANALYTE_CONSTRAINTS or not analyte:
            continue
        ent = {
            "label": "Measurement",
            "start": analyte["start"],
            "end": analyte["end"],
            "negated": False,
            "source": "rule",
        }
        if taken.add_if_free(ent):
            out.append(ent)
    return out


def reconcile(
    existing: Iterable[dict[str, Any]],
    rules: Iterable[dict[str, Any]],
    model: Iterable[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Merge entity lists by precedence: existing, then rules, then model.

    A span is added only when it overlaps no span already accepted, so the
    result never has two entities over the same characters.

    Returns:
        The accepted entities, sorted by start.
    """
    accepted: list[dict[str, Any]] = list(existing)
    taken = _Taken.of(accepted)
    for group in (rules, model):
        for ent in group:
            if taken is None:
                if not any(_overlaps(ent, other) for other in accepted):
                    accepted.append(ent)
            elif taken.add_if_free(ent):
                accepted.append(ent)
    return sorted(accepted, key=lambda e: (e["start"], e["end"]))


class ConceptRecognizer:
    """Run the concept model over each criterion and reconcile with rule spans.

    The model's output for a criterion depends on the criterion's text alone,
    so predictions are kept in a bounded cache keyed by text (registry criteria
    repeat: "Not specified", "Negative pregnancy test", ...), and :meth:`pipe`
    runs the criteria of many documents through the model in one batch.

    Args:
        nlp: The pipeline this component belongs to.
        name: The component's name.
        model: Path of a concept model; empty for the packaged one.
        batch_size: Criteria per ``nlp.pipe`` batch of the concept model (512:
            the new criteria of a Parser batch in one go; 128 took 6 % longer
            on the CT.gov sample, 2,048 longer still).
        cache_size: Criterion texts whose predictions are kept (0: none).
        max_vocab: Words the model's vocab may hold before the model is
            reloaded with a fresh one (0: never). Every new word a text brings
            stays in a spaCy vocab (about 0.7 KB each, with the tokenizer's
            cache), so without a bound a long run's memory would grow with the
            input; predictions do not depend on the vocab's history.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "eligo_concepts",
        *,
        model: str = "",
        batch_size: int = 512,
        cache_size: int = 20_000,
        max_vocab: int = 200_000,
    ) -> None:
        register_extensions()
        self.name = name
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.max_vocab = max_vocab
        self.reloads = 0
        #: Criterion texts looked up, and how many came from the cache.
        self.lookups = 0
        self.hits = 0
        self._cache: dict[str, list[Span]] = {}
        self._model_path: Path | None = Path(model) if model else None
        self.model = load_model(self._model_path)

    def predict(
        self, texts: list[str], places: list[_Place | None] | None = None
    ) -> list[list[Span]]:
        """The model's spans for each text (character offsets into it).

        Texts seen before come from the cache; the others go through the model
        once each, in batches of ``batch_size``. ``places`` may give, for a
        text, where it sits in an already tokenised Doc (the Doc, the start
        and end characters): where the Doc's tokens there are the text's own
        tokens, the model's Doc is built from those words instead of
        tokenising the text again.
        """
        cache = self._cache
        todo: dict[str, _Place | None] = {}
        for i, text in enumerate(texts):
            if text not in cache and text not in todo:
                todo[text] = places[i] if places is not None else None
        self.lookups += len(texts)
        self.hits += len(texts) - len(todo)  # cached, or repeated in the batch
        fresh: dict[str, list[Span]] = {}
        if todo:
            inputs = [self._model_input(text, place) for text, place in todo.items()]
            found = model_spans(self.model, inputs, batch_size=self.batch_size)
            for text, spans in zip(todo, found, strict=True):
                fresh[text] = [s for s in spans if s[2] not in NOT_ENTITIES]
        out = [fresh[t] if t in fresh else cache[t] for t in texts]
        if self.max_vocab and len(self.model.vocab) > self.max_vocab:
            self.model = load_model(self._model_path)
            self.reloads += 1
        if self.cache_size > 0:
            for text in fresh:
                if len(cache) >= self.cache_size:
                    del cache[next(iter(cache))]  # the oldest entry
                cache[text] = fresh[text]
        return out

    def _model_input(self, text: str, place: _Place | None) -> str | Doc:
        if place is None:
            return text
        doc, start, end = place
        tokens = _own_tokens(doc, doc_view(doc), start, end)
        return text if tokens is None else _words_doc(doc.vocab, tokens)

    def __call__(self, doc: Doc) -> Doc:
        for _ in self.pipe([doc]):
            pass
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        """Process documents ``batch_size`` at a time, their criteria together."""
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._process(batch)
                batch = []
        if batch:
            yield from self._process(batch)

    def _process(self, docs: list[Doc]) -> list[Doc]:
        texts: list[str] = []
        places: list[_Place | None] = []
        spans = [criteria(doc, self.name) for doc in docs]
        for doc, crits in zip(docs, spans, strict=True):
            view = doc_view(doc)
            for span in crits:
                c = fields(span)
                texts.append(view[c["start"] : c["end"]])
                places.append((doc, c["start"], c["end"]))
        predictions = iter(self.predict(texts, places))
        for crits in spans:
            for span in crits:
                crit = record(span)
                base = crit["start"]
                model = [
                    {
                        "label": label,
                        "start": base + start,
                        "end": base + end,
                        "negated": False,
                        "source": "model",
                    }
                    for start, end, label in next(predictions)
                ]
                set_entities(
                    span, reconcile(crit["entities"], rule_entities(crit), model)
                )
        return docs

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the concept model beside the pipeline (``<path>/model``)."""
        folder = ensure_path(path)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.to_disk(folder / MODEL_DIR)

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = ()
    ) -> "ConceptRecognizer":
        """Load the concept model saved by :meth:`to_disk`."""
        self._model_path = ensure_path(path) / MODEL_DIR
        self.model = load_model(self._model_path)
        return self


def _own_tokens(doc: Doc, view: str, start: int, end: int) -> _Tokens | None:
    """The tokens of ``doc`` over ``[start, end)`` when they are exactly what
    tokenising ``view[start:end]`` alone gives, else None.

    The tokenizer splits a text at whitespace and tokenises each piece on its
    own, so a range that begins and ends at whitespace, where the text reads as
    its reading view, has the same tokens inside the Doc as alone (checked on
    all 27,741 such criteria of the shared CT.gov sample: 0 differ). A Doc
    whose tokens are not words (:class:`~eligo.pipeline.tokenizer.WholeTextDocs`)
    has none to lend.
    """
    index = doc_index(doc)
    if start >= end or not index.words:
        return None
    n = len(view)
    if start > 0 and not view[start - 1].isspace():
        return None
    if end < n and not view[end].isspace():
        return None
    bounds = index.strict(start, end)
    if bounds is None or index.text[start:end] != view[start:end]:
        return None
    return doc, bounds[0], bounds[1]


def _words_doc(vocab: Vocab, tokens: _Tokens) -> Doc:
    """A Doc of the words of ``doc[i:j]`` (no trailing space), over ``vocab``,
    with the norms the tokenizer's exceptions gave them ("Mass." ->
    "Massachusetts")."""
    doc, first, stop = tokens
    index = doc_index(doc)
    text, starts, lengths = index.text, index.starts, index.lengths
    words = [text[starts[i] : starts[i] + lengths[i]] for i in range(first, stop)]
    spaces = [index.has_space(i) for i in range(first, stop - 1)] + [False]
    made = Doc(vocab, words=words, spaces=spaces)
    norms = index.norms(doc)[first:stop]
    if made.to_array(NORM).tolist() != norms:
        for token, norm in zip(made, norms, strict=True):
            if token.norm != norm:
                token.norm_ = doc.vocab.strings[norm]
    return made


@Language.factory(
    "eligo_concepts",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={
        "model": "",
        "batch_size": 512,
        "cache_size": 20_000,
        "max_vocab": 200_000,
    },
)
def make_concept_recognizer(
    nlp: Language,
    name: str,
    model: str,
    batch_size: int,
    cache_size: int,
    max_vocab: int,
) -> "ConceptRecognizer":
    """Registered factory for :class:`ConceptRecognizer`."""
    return ConceptRecognizer(
        nlp,
        name,
        model=model,
        batch_size=batch_size,
        cache_size=cache_size,
        max_vocab=max_vocab,
    )
