"""``eligo_categories``: what each criterion is about.

Sets, on the record (``span._.fields``) of every criterion span:

- ``category``: one of :data:`eligo.categories.labels.CATEGORIES`;
- ``category_scores``: calibrated probability of every category (sums to 1);
- ``computable``: False for investigator judgement and consent/compliance
  (nothing in patient data can decide them), True otherwise.

The classifier (:mod:`eligo.categories.model`) reads the criterion's text; it
is loaded once per component from ``eligo.models`` (or from the folder of a
saved pipeline) and travels with ``nlp.to_disk``.
"""

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path, minibatch

from ..pipeline.extensions import doc_view, register_extensions
from ..pipeline.spans import criteria, fields
from .labels import NOT_COMPUTABLE
from .model import FILES, FastScorer, default_model_path, load_model


class CategoryComponent:
    """spaCy component: a category for every criterion.

    The classifier reads only the criterion's text (whitespace collapsed), so
    results are kept in a bounded cache by that text: registry criteria repeat.
    """

    #: Criterion texts whose results are kept.
    CACHE_SIZE = 20_000

    def __init__(self, name: str, *, model_path: Path | None = None) -> None:
        register_extensions()
        self.name = name
        self.model_path = model_path or default_model_path()
        self.scorer = _scorer(self.model_path)
        self._cache: dict[str, tuple[str, dict[str, float], bool]] = {}

    def __call__(self, doc: Doc) -> Doc:
        self._process([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Process documents ``batch_size`` at a time, their criteria scored
        together (one call of the scorer per batch)."""
        for batch in minibatch(docs, size=batch_size):
            self._process(batch)
            yield from batch

    def _process(self, docs: list[Doc]) -> None:
        found: list[dict[str, Any]] = []
        texts: list[str] = []
        for doc in docs:
            crits = [fields(span) for span in criteria(doc, self.name)]
            if crits:
                view = doc_view(doc)
                found += crits
                texts += [" ".join(view[c["start"] : c["end"]].split()) for c in crits]
        if not found:
            return
        cache = self._cache
        fresh: dict[str, tuple[str, dict[str, float], bool]] = {}
        todo = list(dict.fromkeys(t for t in texts if t not in cache))
        if todo:
            proba = self.scorer.predict_proba(todo)
            classes = self.scorer.classes
            for text, row in zip(todo, proba, strict=True):
                best = classes[int(row.argmax())]
                scores = {
                    c: round(p, 4) for c, p in zip(classes, row.tolist(), strict=True)
                }
                fresh[text] = (best, scores, best not in NOT_COMPUTABLE)
        for criterion, text in zip(found, texts, strict=True):
            category, scores, computable = fresh.get(text) or cache[text]
            criterion["category"] = category
            criterion["category_scores"] = dict(scores)
            criterion["computable"] = computable
        for text, result in fresh.items():
            if len(cache) >= self.CACHE_SIZE:
                del cache[next(iter(cache))]  # the oldest entry
            cache[text] = result

    def to_disk(self, path: Any, *, exclude: Any = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.model_path, path / FILES.model)
        arrays = self.model_path.with_name(FILES.scorer)
        if arrays.is_file():
            shutil.copyfile(arrays, path / FILES.scorer)

    def from_disk(self, path: Any, *, exclude: Any = ()) -> "CategoryComponent":
        self.model_path = ensure_path(path) / FILES.model
        self.scorer = _scorer(self.model_path)
        self._cache.clear()
        return self

    def estimator(self) -> Any:
        """The scikit-learn estimator (loaded from skops on first call).

        A method, not a lazy ``model`` property: spaCy checks every component
        against its ``ListenedToComponent`` protocol with ``hasattr``, and in
        the attribute order some hash seeds give, a ``model`` property was
        read there, importing scikit-learn and skops (+4 s, +120 MB) at every
        start-up that used such a seed.
        """
        if self._estimator is None:
            self._estimator = load_model(self.model_path)
        return self._estimator

    _estimator: Any = None


def _scorer(model_path: Path) -> FastScorer:
    """The exported arrays beside the model when present, else the skops model."""
    arrays = model_path.with_name(FILES.scorer)
    if arrays.is_file():
        return FastScorer.from_arrays(arrays)
    return FastScorer(load_model(model_path))


@Language.factory(
    "eligo_categories",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={},
)
def make_category_component(nlp: Language, name: str) -> CategoryComponent:
    """Factory of :class:`CategoryComponent`."""
    return CategoryComponent(name)
