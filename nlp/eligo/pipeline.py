"""Build eligo's spaCy pipeline from its registered components.

The tokenizer (``eligo.tokenizer.v1``) and the components are declared as
``spacy_tokenizers`` and ``spacy_factories`` entry points in ``pyproject.toml``,
so ``nlp.add_pipe("eligo_sections")`` works in any spaCy program once eligo is
installed, with no import side effect.
"""

from __future__ import annotations

import spacy
from spacy.language import Language

from .errors import EligoError
from .extensions import register_extensions

#: Component names, in pipeline order.
PIPE_NAMES: tuple[str, ...] = (
    "eligo_sections",
    "eligo_criteria",
    "eligo_ages",
    "eligo_sex",
    "eligo_windows",
    "eligo_measurements",
    "eligo_concepts",
    "eligo_model_values",
    "eligo_logic",
    "eligo_context",
    "eligo_categories",
)
#: Components that read a Doc's text (its reading view) and ``doc._``
#: attributes, never its tokens. A component that reads tokens must not be
#: listed: :class:`eligo.parse.Parser` skips the tokenizer for a pipeline made
#: of these alone. (``eligo_concepts`` tokenizes each criterion itself.)
#: The optional component that puts ICD-10-CM codes on Condition entities
#: (``build_pipeline(codes=True)``; not in :data:`PIPE_NAMES`).
CODES = "eligo_codes"
TEXT_ONLY: frozenset[str] = frozenset((*PIPE_NAMES, CODES))
#: The component that runs the trained concept model (the slowest by far).
CONCEPTS = "eligo_concepts"
#: Components that only read the concept model's entities.
NEEDS_CONCEPTS = frozenset({CONCEPTS, "eligo_model_values"})
DEFAULT_MAX_CHARS = 1_000_000


def build_pipeline(
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    concepts: bool = True,
    tokenize: bool = True,
    codes: bool = False,
) -> Language:
    """A fresh eligo pipeline (eligo's tokenizer + eligo components).

    Args:
        max_chars: Longest text the pipeline accepts (``nlp.max_length``).
        concepts: Include ``eligo_concepts`` (the trained concept model). Without
            it criteria get no entities; the model is not even loaded.
        tokenize: Give the pipeline eligo's tokenizer (``eligo.tokenizer.v1``).
            False gives it ``eligo.whole_text_tokenizer.v1`` (one token per
            Doc), which is all the components of :data:`PIPE_NAMES` need and
            saves a quarter of a second at start-up; Docs then have no words.
        codes: Add ``eligo_codes`` last (:mod:`eligo.concepts.codes`): ICD-10-CM
            codes on Condition entities where certain. Needs ``concepts``.

    Returns:
        The pipeline.

    Raises:
        EligoError: ``codes`` without ``concepts``.
    """
    if codes and not concepts:
        raise EligoError("codes need the concept model (drop --no-concepts)")
    register_extensions()
    tokenizer = "eligo.tokenizer.v1" if tokenize else "eligo.whole_text_tokenizer.v1"
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": tokenizer}}})
    nlp.max_length = max_chars
    for name in PIPE_NAMES:
        if concepts or name not in NEEDS_CONCEPTS:
            nlp.add_pipe(name)
    if codes:
        from .concepts import codes as _codes  # noqa: F401  (registers the factory)

        nlp.add_pipe(CODES)
    return nlp
