"""Criterion categories: a calibrated scikit-learn classifier over criteria."""

from .component import CategoryComponent, make_category_component
from .labels import CATEGORIES, NOT_COMPUTABLE
from .model import FILES, TRUSTED_TYPES, load_model

__all__ = [
    "CATEGORIES",
    "FILES",
    "NOT_COMPUTABLE",
    "TRUSTED_TYPES",
    "CategoryComponent",
    "load_model",
    "make_category_component",
]
