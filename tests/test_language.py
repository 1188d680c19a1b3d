from __future__ import annotations

import pytest

from qa.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("كم صاروخا أطلقت إيران على إسرائيل؟", "ar"),
        ("How many missiles did Iran launch?", "en"),
        ("What did بقائي say about the IAEA?", "en"),
        ("ماذا قال ChatGPT عن المحادثات؟", "ar"),
        ("مَنْ هُوَ الوَسِيطُ؟", "ar"),
        ("Oman عمان", "en"),
        ("عمان Oman", "ar"),
        ("350?", "en"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected
