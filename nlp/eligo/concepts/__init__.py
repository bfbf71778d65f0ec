"""Concept recognition: the trained Chia-type entity model and its reconciliation.

- :mod:`.lexicon_features`: lexicon matches as a token feature of the model.
- :mod:`.decode`: the model's flat spans (a span categorizer's candidates
  resolved to non-overlapping spans).
- :mod:`.component`: ``eligo_concepts``, which runs the model per criterion and
  reconciles its spans with rule matches.

Reading Chia and scoring on it (training only) are in :mod:`eligo_train.concepts`.
"""
