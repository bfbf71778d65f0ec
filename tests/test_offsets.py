"""Property: every span eligo outputs indexes the text it came from."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligo.readers.sanitise import clean_text
from eligo.trial import Trial

from .strategies import SURROGATES, any_text

FRAGMENTS = [
    "Inclusion Criteria:",
    "Exclusion Criteria:",
    "INCLUSION CRITERIA",
    "Key exclusion criteria",
    "Eligibility",
    "Patients are not eligible if:",
    "DISEASE CHARACTERISTICS:",
    "Excluded:",
    "Hepatic:",
    "Minimum Eligible Age",
    "About us",
    "- ",
    "* ",
    "• ",
    "1. ",
    "2) ",
    "(a) ",
    "i. ",
    "- • 3. ",
    "\\-",
    "\\>",
    "\\<",
    "\\^",
    "\\*",
    "\\~",
    "18-80",
    "acute-on-chronic",
    "INR >= 1.5",
    "PLT<50×10^9/L",
    "e.g.",
    "etc.",
    ". ",
    ", ",
    ":",
    ";",
    "(",
    ")",
    " - ",
    " * ",
    "\n",
    "\n\n",
    "\r\n",
    "   ",
    "\t",
    "\u00a0",
    "Age",
    "years",
    "pregnant",
    "No",
    "history of stroke",
    "É",
    "≥",
    "µmol/L",
    "日本",
]

texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8), SURROGATES),
    max_size=60,
).map("".join)


def check_spans(doc, given: str) -> None:
    """Offsets index the text given; ``doc.text`` is it with any code point
    that cannot be encoded replaced by U+FFFD, one for one."""
    text, note = clean_text(given)
    assert doc.text == text and len(text) == len(given)
    assert bool(doc.notes) == (note is not None)
    for span in doc.spans():
        assert 0 <= span.start <= span.end <= len(text)
    last_end = 0
    for crit in doc.criteria:
        piece = text[crit.start : crit.end]
        assert piece, "empty criterion"
        assert piece == piece.strip(), "criterion has outer whitespace"
        assert crit.start >= last_end, "criteria overlap or are out of order"
        last_end = crit.end
        for item in crit.items:
            assert crit.start <= item.start < item.end <= crit.end
        if crit.heading is not None:
            assert text[crit.heading.start : crit.heading.end] == crit.heading.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, fmt=st.sampled_from(["text", "ctgov_v2"]))
def test_every_span_indexes_the_text(parser, text: str, fmt: str) -> None:
    doc = parser.parse(Trial(id="h", text=text, source_format=fmt))
    check_spans(doc, text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text(max_size=400))
def test_arbitrary_unicode_never_crashes(parser, text: str) -> None:
    doc = parser.parse(Trial(id="h", text=text, source_format="text"))
    check_spans(doc, text)
