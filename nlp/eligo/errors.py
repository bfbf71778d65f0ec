"""Exceptions raised by eligo, each carrying a one-line, user-facing message."""

from __future__ import annotations


class EligoError(Exception):
    """Base class of eligo's own errors."""


class RuleError(EligoError):
    """A rule file shipped in ``rules/`` is missing or invalid."""


class InputError(EligoError):
    """Input that eligo cannot read (bad encoding, malformed JSON/XML, ...)."""


class TextTooLongError(InputError):
    """A criteria text over the configured character limit."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"criteria text is {length:,} characters, over the {limit:,} limit "
            "(raise it with --max-chars)"
        )
        self.length = length
        self.limit = limit
