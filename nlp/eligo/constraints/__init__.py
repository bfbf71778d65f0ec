"""Constraint extraction: ages, sex, measurements, scores, time windows, logic."""
