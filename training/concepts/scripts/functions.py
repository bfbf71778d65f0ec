"""Registrations ``spacy train --code`` needs before eligo's entry points exist.

Importing :mod:`eligo.concepts.lexicon_features` registers the
``eligo_lexicon_features`` factory, :mod:`eligo.concepts.suggester` the span
categorizer's ``eligo.edge_ngram_suggester.v1`` and
:mod:`eligo.concepts.architecture` its ``eligo.SpanCategorizer.v1``; the
tokenizer is an entry point already.
"""

from eligo.concepts import architecture, lexicon_features, suggester

__all__ = ["architecture", "lexicon_features", "suggester"]
