"""Training and evaluation code for eligo's models (not the runtime).

Corpus readers, scorers and fitting, imported by ``training/``, ``benchmarks/``
and the tests; the runtime package :mod:`eligo` never imports it.

- :mod:`.concepts`: Chia's brat files read for the concept model
  (:mod:`.concepts.brat`) and its strict/relaxed scores (:mod:`.concepts.scoring`).
- :mod:`.categories`: Chia lines labelled with a category (:mod:`.categories.chia`),
  training and evaluation examples (:mod:`.categories.data`) and fitting the
  classifier (:mod:`.categories.fit`).
"""
