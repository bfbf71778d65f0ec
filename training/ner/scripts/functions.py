"""Registrations ``spacy train --code`` needs before eligo's entry points exist.

Importing :mod:`eligo.concepts.lexicon_features` registers the
``eligo_lexicon_features`` factory; the tokenizer is an entry point already.
"""

from eligo.concepts import lexicon_features

__all__ = ["lexicon_features"]
