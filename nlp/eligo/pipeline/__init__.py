"""Build eligo's spaCy pipeline from its registered components.

The tokenizer (``eligo.tokenizer.v1``) and the components are declared as
``spacy_tokenizers`` and ``spacy_factories`` entry points in ``pyproject.toml``,
so ``nlp.add_pipe("eligo_sections")`` works in any spaCy program once eligo is
installed, with no import side effect.
"""

from __future__ import annotations

import spacy
from spacy.language import Language

from ..errors import EligoError
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
#: The optional component that puts ICD-10-CM codes on Condition entities
#: (``build_pipeline(codes=True)``; not in :data:`PIPE_NAMES`).
CODES = "eligo_codes"
#: The component that runs the trained concept model (the slowest by far).
CONCEPTS = "eligo_concepts"
#: Components that only read the concept model's entities.
NEEDS_CONCEPTS = frozenset({CONCEPTS, "eligo_model_values"})
DEFAULT_MAX_CHARS = 1_000_000


def build_pipeline(
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    concepts: bool = True,
    codes: bool = False,
) -> Language:
    """A fresh eligo pipeline (eligo's tokenizer + eligo components).

    Args:
        max_chars: Longest text the pipeline accepts (``nlp.max_length``).
        concepts: Include ``eligo_concepts`` (the trained concept model). Without
            it criteria get no entities; the model is not even loaded.
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
    nlp = spacy.blank(
        "en",
        config={"nlp": {"tokenizer": {"@tokenizers": "eligo.tokenizer.v1"}}},
    )
    nlp.max_length = max_chars
    for name in PIPE_NAMES:
        if concepts or name not in NEEDS_CONCEPTS:
            nlp.add_pipe(name)
    if codes:
        from ..concepts import codes as _codes  # noqa: F401  (registers the factory)

        nlp.add_pipe(CODES)
    return nlp
