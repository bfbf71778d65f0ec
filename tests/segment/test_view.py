import pytest

from eligo.segment.view import reading_view


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("PLT\\<50×10\\^9/L", "PLT <50×10 ^9/L"),
        ("mRSS \\> 10", "mRSS  > 10"),
        ("\\- ", " - "),
        ("Aged 18\\~65 years", "Aged 18 ~65 years"),
        ("1\\*10\\^8 cells", "1 *10 ^8 cells"),
        ("a\u00a0b\tc", "a b c"),
        ("150 mg\u2044dL, 2\u22155", "150 mg/dL, 2/5"),  # fraction, division slash
        ("C:\\path", "C:\\path"),  # a backslash before a letter is no escape
        ("", ""),
    ],
)
def test_reading_view(text: str, view: str) -> None:
    assert reading_view(text) == view
    assert len(reading_view(text)) == len(text)
