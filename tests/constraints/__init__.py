"""Tests of eligo."""
