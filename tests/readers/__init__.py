"""Tests of eligo.readers (one module per reader module)."""
