"""The one Arabic normaliser and its tokenizer: the same folding at indexing and at query time."""

from __future__ import annotations

import pytest

from index.normalize import normalize, text_key, tokens


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("كَتَبَ الطَّالِبُ الدَّرْسَ", "كتب الطالب الدرس"),  # harakat, shadda, sukun
        ("الرَّحْمٰنِ", "الرحمن"),  # dagger alef
        ("مـــصـــر", "مصر"),  # tatweel
        ("أحمد إلى آخر ٱلله", "احمد الي اخر الله"),  # alef forms, alef maqsura
        ("مدرسة", "مدرسه"),  # ta marbuta
        ("٣٥٠ صاروخا و۴۰۰ كيلوغرام", "350 صاروخا و400 كيلوغرام"),  # Arabic-Indic and Persian digits
        ("مؤتمر، رئيس؟", "موتمر, رييس?"),  # hamza seats, Arabic comma and question mark
        ("إيران\u200cي\u200f", "ايراني"),  # zero-width non-joiner and a direction mark
        ("Iran's IAEA", "iran's iaea"),
        # A press decimal, fraction first: 11.7 million tons, 0.88 degree; a thousands group after "/" is left alone.
        ("7ر11 مليون طن و88ر0 درجة و٥ر٢٪", "11.7 مليون طن و0.88 درجه و2.5%"),
        ("94/000ر59 متر", "94/000ر59 متر"),
    ],
)
def test_normalize_folds_marks_letters_and_digits(raw: str, plain: str) -> None:
    assert normalize(raw) == plain


def test_vocalised_words_survive_tokenizing() -> None:
    # A `\b\w\w+\b` pattern drops these: harakat are not word characters.
    assert tokens("وَقَالَ المُتَحَدِّثُ") == ["وقال", "المتحدث"]


def test_tokens_of_mixed_scripts_numbers_and_punctuation() -> None:
    text = "رفعت طهران التخصيب إلى ٨٤٪ (84%) وفق IAEA، في 13 أبريل/نيسان 2023؛ بنسبة 3.67."
    assert tokens(text) == ["رفعت", "طهران", "التخصيب", "الي", "84", "84", "وفق", "iaea", "في", "13", "ابريل",
                            "نيسان", "2023", "بنسبه", "3.67"]  # fmt: skip


def test_same_words_give_the_same_key_whatever_the_marks() -> None:
    assert text_key("صورة: الرئيسُ يصافحُ الوزير.") == text_key("صوره  الرئيس يصافح الوزير")
    assert text_key("صورة الرئيس") != text_key("صورة الوزير")
