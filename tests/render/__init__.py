"""Tests of eligo's renderings."""
