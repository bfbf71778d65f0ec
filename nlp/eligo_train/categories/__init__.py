"""Training and evaluation of the criterion-category classifier.

- :mod:`.chia`: Chia's files as criterion lines, and the category of a line.
- :mod:`.data`: labelled examples (Chia and our own corpus) and the metrics.
- :mod:`.fit`: build, fit and save the classifier.
"""
