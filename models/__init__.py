"""Trained pipelines shipped with eligo (each folder has a model card)."""
