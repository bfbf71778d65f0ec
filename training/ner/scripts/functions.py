"""Registrations ``spacy train --code`` needs before eligo's entry points exist.

Importing :mod:`eligo.concepts.lexicon_features` registers the
``eligo_lexicon_features`` factory, :mod:`eligo.concepts.suggester` the span
categorizer's ``eligo.edge_ngram_suggester.v1``; the tokenizer is an entry
point already.
"""

from eligo.concepts import lexicon_features, suggester

__all__ = ["lexicon_features", "suggester"]
