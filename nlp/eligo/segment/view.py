"""A same-length "reading view" of a criteria text.

Registry text arrives with markup that changes how it reads but must not change
the text that offsets index: ClinicalTrials.gov API v2 escapes markdown
(``\\>``, ``\\<``, ``\\^``, ``\\*``, ``\\[``, ``\\-``, ``\\~``). The view replaces each
escaping backslash with a space, non-breaking or exotic spaces with a plain
space, and the fraction and division slashes ("mg⁄dL") with "/", so the view
has exactly the length of the text: an offset found in the view is an offset
into the text.
"""

from __future__ import annotations

import re

# Backslash-escapable ASCII punctuation in CommonMark.
_MD_ESCAPE = re.compile(r"\\(?=[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
#: Fraction slash and division slash: one character each, read as "/".
_SLASHES = str.maketrans({"\u2044": "/", "\u2215": "/"})


def reading_view(text: str) -> str:
    """Return ``text`` with markdown escapes and odd spaces blanked.

    Args:
        text: The text as read.

    Returns:
        A string of the same length, safe to segment and pattern-match.
    """
    view = _MD_ESCAPE.sub(" ", text)
    view = _SPACES.sub(" ", view).translate(_SLASHES)
    assert len(view) == len(text)
    return view
