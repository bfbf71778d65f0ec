"""Hypothesis strategies the property tests share."""

from __future__ import annotations

from hypothesis import strategies as st

#: One lone surrogate (U+D800-U+DFFF): JSON's ``"\\ud8ff"`` decodes to one, and
#: ``st.text()`` never generates one.
SURROGATES = st.characters(categories=["Cs"])


def any_text(max_size: int = 400) -> st.SearchStrategy[str]:
    """Arbitrary text with lone surrogates among it (about one piece in two).

    Args:
        max_size: Longest text, in code points.
    """
    pieces = st.one_of(st.text(max_size=8), SURROGATES)
    return st.lists(pieces, max_size=max(1, max_size // 4)).map(
        lambda parts: "".join(parts)[:max_size]
    )
