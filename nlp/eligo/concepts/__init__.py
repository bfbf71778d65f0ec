"""Concept recognition: the trained Chia-type entity model and its reconciliation.

- :mod:`.brat`: reading Chia's brat files (split, labels, span choices).
- :mod:`.lexicon_features`: lexicon matches as a token feature of the model.
- :mod:`.decode`: the model's flat spans (a span categorizer's candidates
  resolved to non-overlapping spans).
- :mod:`.component`: ``eligo_concepts``, which runs the model per criterion and
  reconciles its spans with rule matches.
- :mod:`.scoring`: strict/relaxed scores on a Chia split.
"""
