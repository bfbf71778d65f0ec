"""Training and evaluation of the concept model (``eligo_concepts``).

- :mod:`.brat`: reading Chia's brat files (split, labels, span choices).
- :mod:`.scoring`: strict/relaxed scores on a Chia split.
"""
