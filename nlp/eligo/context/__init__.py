"""Negation and assertion (ConText) of the entities and constraints of criteria."""

from .algorithm import Assertion, ConTextEngine, Cue
from .component import ContextComponent, make_context_component
from .rules import CONTEXT_RULES_FILE, ContextRule, load_context_rules

__all__ = [
    "CONTEXT_RULES_FILE",
    "Assertion",
    "ConTextEngine",
    "ContextComponent",
    "ContextRule",
    "Cue",
    "load_context_rules",
    "make_context_component",
]
