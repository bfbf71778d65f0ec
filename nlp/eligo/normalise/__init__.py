"""Normalisation: numbers, units, comparators and the analyte lexicon.

Plain functions over text with character offsets; the constraint components
in :mod:`eligo.constraints` call them.
"""
