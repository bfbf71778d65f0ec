"""Tests of eligo's patient matching."""
