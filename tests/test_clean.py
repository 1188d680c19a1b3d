import hashlib
from pathlib import Path

import pytest

from index.clean import clean_document, find_date
from index.errors import InputError

ARTICLES = Path(__file__).parent.parent / "data" / "articles"
SECOND_TITLE = "إيران تنتظر زيارة مفتشي الوكالة الذرية وتتمسك بالتخصيب"
ASHARQ_TITLE = "تقرير: عُمان استضافت محادثات أميركية إيرانية غير مباشرة"
PROSE = (
    "The foreign ministry said on Monday that talks would resume next week in the capital. "
    "Officials from both delegations described the previous round as constructive and detailed.\n\n"
    "Diplomats said the two sides still disagree on the timetable for lifting sanctions. "
    "A spokesman declined to comment on the details of the draft agreement being discussed."
)


def _seed(name_prefix: str) -> tuple[str, str]:
    (path,) = sorted(ARTICLES.glob(f"{name_prefix}*.txt"))
    return path.read_text(encoding="utf-8"), path.name


def _alhurra() -> list:
    raw, name = _seed("000_")
    return clean_document(raw, name)


def _asharq() -> list:
    raw, name = _seed("001_")
    return clean_document(raw, name)


# --- the real seed files -------------------------------------------------------------------------


def test_alhurra_file_yields_two_articles_split_at_read_also():
    raw, name = _seed("000_")
    first, second = clean_document(raw, name)
    assert first.source == name
    assert second.source == f"{name}#2"
    assert second.title == SECOND_TITLE
    assert second.text.startswith("قال المتحدث")
    assert SECOND_TITLE not in first.text and SECOND_TITLE not in second.text


def test_alhurra_metadata():
    first, second = _alhurra()
    assert first.outlet == "الحرة"
    assert second.outlet is None
    # No headline line: the title is the first sentence, cut, and the text is kept whole.
    assert first.text.startswith("أجرى اثنان من كبار المسؤولين")
    assert first.title.startswith("أجرى اثنان من كبار المسؤولين") and first.title.endswith("…")
    assert len(first.title) <= 121
    # Neither says when it was published: "13 أبريل" is the attack it recalls, "19 يونيو/حزيران" a day in the story.
    assert first.date is None
    assert second.date is None


def test_asharq_metadata_caption_and_duplicates():
    (article,) = _asharq()
    assert article.outlet == "الشرق"
    assert article.title == ASHARQ_TITLE
    assert "REUTERS" not in article.text
    assert "منسق البيت الأبيض لشؤون الشرق الأوسط بريت ماكجورك، خلال مؤتمر" not in article.text
    assert "دبي-الشرق" not in article.text
    assert ASHARQ_TITLE not in article.text
    assert article.text.startswith('نقل موقع "أكسيوس"')
    lines = [line for line in article.text.split("\n") if line]
    assert len(lines) == len(set(lines))
    # Neither the caption's "13 فبراير 2018" nor "8 مايو", a day in the story, is the date of the article.
    assert article.date is None
    assert '"الردع الأميركي"' in article.text  # quoted sub-headings are content


def test_seed_articles_have_no_boilerplate():
    for article in _alhurra() + _asharq():
        for marker in ("مقالات مشابهة", "إقرأ أيضاً", "اقرأ أيضاً", "تصنيفات", "المصدر:", "•"):
            assert marker not in article.text, (article.source, marker)
        assert "إعلان" not in article.text.split("\n")


def test_seed_key_facts_survive():
    text = "\n".join(a.text for a in _alhurra() + _asharq())
    for fact in ("350 صاروخا", "84%", "400 كيلوغرام", "إس-300", "90%"):
        assert fact in text


def test_seed_text_shape_and_exact_sentences():
    raw_lines = set()
    for prefix in ("000_", "001_"):
        raw, _ = _seed(prefix)
        raw_lines |= {line.replace("\xa0", " ").strip() for line in raw.splitlines()}
    for article in _alhurra() + _asharq():
        assert article.text == article.text.strip()
        assert "\n\n\n" not in article.text and "\xa0" not in article.text
        for line in article.text.split("\n"):
            assert line == "" or line in raw_lines  # sentences are kept character for character


def test_seed_ids_deterministic_distinct_and_content_hashes():
    articles = _alhurra() + _asharq()
    again = _alhurra() + _asharq()
    assert [a.id for a in articles] == [a.id for a in again]
    assert len({a.id for a in articles}) == 3
    for a in articles:
        assert a.id == hashlib.sha256(f"{a.title}\n{a.text}".encode()).hexdigest()[:16]
    # Same content under another file name: same id.
    raw, _ = _seed("001_")
    assert clean_document(raw, "copy.txt")[0].id == articles[2].id


# --- normalisation -------------------------------------------------------------------------------


def test_normalises_line_endings_invisible_characters_and_spaces():
    raw = "Title here\r\n\r\nFirst\u200b  para\u200f\tgoes\x07 on.\r\n\r\n\r\n\r\nSecond\u00a0para  ends here.\r"
    (a,) = clean_document(raw, "s.txt")
    assert a.title == "Title here"
    assert a.text == "First para goes on.\n\nSecond para ends here."


def test_lines_inside_a_paragraph_are_kept():
    (a,) = clean_document("Headline\n\nLine one of a paragraph.\nLine two of it.", "s.txt")
    assert a.text == "Line one of a paragraph.\nLine two of it."


# --- boilerplate ---------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["إعلان", "اعلان", "Advertisement", "ADVERTISEMENT", "Ad", "Sponsored", "- إعلان -"])
def test_ad_label_lines_are_removed(label):
    (a,) = clean_document(f"Headline\n\nFirst paragraph here.\n\n{label}\n\nSecond paragraph here.", "s.txt")
    assert a.text == "First paragraph here.\n\nSecond paragraph here."


def test_words_that_start_like_labels_are_kept():
    raw = (
        "عنوان الخبر\n\nأعلنت الوزارة عن خطة جديدة.\n\n"
        "Share prices fell sharply on Monday.\n\nAdvertisement spending rose."
    )
    (a,) = clean_document(raw, "s.txt")
    assert "أعلنت الوزارة" in a.text and "Share prices fell" in a.text and "Advertisement spending" in a.text


@pytest.mark.parametrize(
    "footer",
    [
        "Related articles\n\n- Iran says talks will go on\n- Oman hosts another round",
        "مقالات ذات صلة\n\n• عنوان أول\n• عنوان ثان",
        "Read more: Iran and the US meet again in Muscat",
        "اقرأ ايضا\n\nعنوان خبر آخر",
        "Tags: Iran, Oman, nuclear",
        "الوسوم\n\nإيران\nعمان",
        "Share\n\nFacebook\nTwitter",
        "تصنيفات",
        "Read also:",
    ],
)
def test_related_lists_and_footers_are_removed(footer):
    (a,) = clean_document(f"Headline\n\nThe body sentence stays.\n\n{footer}\n", "s.txt")
    assert a.text == "The body sentence stays."


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("وصل الحجاج إلى مكة. رابط الخبر بصحيفة الوئام: الحجاج يصلون مكة", "وصل الحجاج إلى مكة."),
        ("وصل الوفد إلى عدن. // انتهى //", "وصل الوفد إلى عدن."),
        ("writer@example.comللتواصل مع الكاتب ارسل رسالة SMS تبدأ بالرمز (3) إلى 88591", ""),
        ("للتواصل أرسل sms إلى 88548 الاتصالات", ""),
        ("...المزيد", ""),
        ("Next Previous", ""),
    ],
)
def test_what_sites_append_to_a_line_is_cut(line: str, kept: str) -> None:
    raw = f"Headline\n\nThe body sentence stays.\n\n{line}\n88591 - Stc\n635031 - Mobily\n"
    (a,) = clean_document(raw, "s.txt")
    expected = "The body sentence stays." + (f"\n\n{kept}" if kept else "")
    # A contact footer takes its phone lines with it; the other trailers leave them (not prose, but not theirs).
    if "للتواصل" not in line:
        expected += ("\n" if kept else "\n\n") + "88591 - Stc\n635031 - Mobily"
    assert a.text == expected


def test_prose_that_mentions_links_contact_or_the_end_is_kept() -> None:
    raw = (
        "Headline\n\nNext week the talks resume in Muscat.\n\n"
        "قال إن رابط الخبر بين الحادثين واضح.\n\nوتسعى الوزارة للتواصل مع الأهالي.\n\n"
        "ولكننا نعلم جميعا كيف انتهى الأمر.\n\nوقال إن الوقت حان لفعل المزيد."
    )
    (a,) = clean_document(raw, "s.txt")
    assert a.text == raw.split("\n\n", 1)[1]


def test_prose_after_a_related_list_is_kept():
    raw = "Headline\n\nFirst sentence.\n\nRelated\n- One headline\n- Two headline\n\nThe article goes on here."
    (a,) = clean_document(raw, "s.txt")
    assert a.text == "First sentence.\n\nThe article goes on here."


def test_trailing_bullet_headlines_removed_but_mid_article_bullets_kept():
    raw = (
        "Headline\n\nThe plan has points:\n\n- cut taxes\n- build roads\n\n"
        "It ends here.\n\n• Other story one\n• Other story two"
    )
    (a,) = clean_document(raw, "s.txt")
    assert "- cut taxes\n- build roads" in a.text
    assert "Other story" not in a.text
    assert a.text.endswith("It ends here.")


def test_exact_duplicate_lines_keep_the_first():
    raw = "Headline\n\nThis paragraph is repeated.\n\nThis paragraph is repeated.\n\nAnother one."
    (a,) = clean_document(raw, "s.txt")
    assert a.text == "This paragraph is repeated.\n\nAnother one."


@pytest.mark.parametrize(
    "caption",
    [
        "A man walks past a mural in Tehran, Iran, May 17, 2024. REUTERS/Majid Asgaripour",
        "متظاهرون في طهران يوم 17 مايو 2024 (رويترز)",
        "Officials meet in Muscat on March 3, 2023. (Photo by John Smith/Getty Images)",
        "وزير الخارجية خلال مؤتمر صحافي. 13 فبراير 2018 - AFP",
    ],
)
def test_photo_captions_are_removed_and_their_dates_ignored(caption):
    (a,) = clean_document(f"Headline\n\n{caption}\n\nThe body has no date at all.", "s.txt")
    assert a.text == "The body has no date at all."
    assert a.date is None


def test_prose_ending_with_agency_credit_but_no_nearby_date_is_kept():
    line = "وقال الوزير إن المحادثات ستستمر خلال الأسابيع المقبلة في العاصمة العمانية مسقط. (رويترز)"
    (a,) = clean_document(f"عنوان\n\n{line}", "s.txt")
    assert a.text == line


# --- metadata ------------------------------------------------------------------------------------


def test_source_line_gives_outlet_and_is_removed():
    (a,) = clean_document("Headline\n\nBody sentence here.\n\nSource: Reuters", "s.txt")
    assert a.outlet == "Reuters"
    assert a.text == "Body sentence here."


@pytest.mark.parametrize("dateline", ["القاهرة - الشرق", "دبي-الشرق", "CAIRO (Reuters) -"])
def test_standalone_dateline_gives_outlet_and_is_removed(dateline):
    (a,) = clean_document(f"Headline\n\n{dateline}\n\nBody sentence here.", "s.txt")
    assert a.outlet in ("الشرق", "Reuters")
    assert a.text == "Body sentence here."


def test_short_hyphenated_first_line_is_a_title_not_a_dateline():
    (a,) = clean_document("Iran-US talks\n\nThe two sides met in Muscat.", "s.txt")
    assert (a.title, a.outlet, a.text) == ("Iran-US talks", None, "The two sides met in Muscat.")


def test_inline_wire_dateline_gives_outlet_and_keeps_text():
    body = "WASHINGTON (Reuters) - The United States said on Friday it would keep talking."
    (a,) = clean_document(f"US keeps talking\n\n{body}", "s.txt")
    assert a.outlet == "Reuters"
    assert a.text == body


def test_explicit_arguments_win():
    raw = "Headline\n\nBody sentence on May 17, 2024.\n\nSource: Reuters"
    (a,) = clean_document(raw, "s.txt", title="Given title", outlet="Given outlet", date="2024-01-01")
    assert (a.title, a.outlet, a.date) == ("Given title", "Given outlet", "2024-01-01")
    assert a.text == "Headline\n\nBody sentence on May 17, 2024."  # no title detection when one is given
    (b,) = clean_document(raw, "s.txt", title="Headline")
    assert b.text == "Body sentence on May 17, 2024." and b.date is None and b.outlet == "Reuters"


def test_short_first_line_is_title_long_first_line_is_not():
    (a,) = clean_document("Short headline\nBody sentence directly below.", "s.txt")
    assert a.title == "Short headline" and a.text == "Body sentence directly below."
    (b,) = clean_document("A first line that is a sentence. It goes on.\n\nMore text.", "s.txt")
    assert b.title == "A first line that is a sentence."
    assert b.text.startswith("A first line that is a sentence. It goes on.")
    (c,) = clean_document("Only one line without punctuation", "s.txt")
    assert c.title == c.text == "Only one line without punctuation"


def test_long_first_sentence_title_is_truncated():
    sentence = " ".join(["word"] * 60) + "."
    (a,) = clean_document(sentence, "s.txt")
    assert a.text == sentence
    assert a.title.endswith("…") and len(a.title) <= 121 and a.title.startswith("word word")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("جرت المحادثات في 13 فبراير 2018 بحضور الوزير.", "13 فبراير 2018"),
        ("زار الوفد مسقط في 8 مايو الماضي.", "8 مايو"),
        ("وفي 19 يونيو/حزيران الماضي، اتهمت إيران الوكالة.", "19 يونيو/حزيران"),
        ("عقد الاجتماع في 5 كانون الثاني 2020 في بيروت.", "5 كانون الثاني 2020"),
        ("وصل الوفد في 3 آذار إلى دمشق.", "3 آذار"),
        ("Published 2024-05-17 at noon.", "2024-05-17"),
        ("The talks on May 17, 2024 were secret.", "May 17, 2024"),
        ("The talks on 17 May 2024 were secret.", "17 May 2024"),
        ("منذ يناير لم تعقد أي محادثات.", None),
        ("أطلقت إيران 350 صاروخا.", None),
    ],
)
def test_find_date(text, expected):
    assert find_date(text) == expected


def test_a_date_the_story_mentions_is_not_the_articles() -> None:
    (a,) = clean_document("Headline\n\nOn 3 March 2023 they met.\n\nAgain on April 4, 2024.", "s.txt")
    assert a.date is None
    (b,) = clean_document("عنوان\n\nنشر في 12 مايو تقرير يقول إن المحادثات ستستمر في مسقط بين الطرفين.", "s.txt")
    assert b.date is None and b.text.startswith("نشر في 12 مايو"), "prose that starts like a stamp stays prose"


BODY = "جرت محادثات في 13 أبريل بين الوفدين."


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("نشر في: الجمعة 17 مايو 2024 - 10:30", "17 مايو 2024"),
        ("نُشر في ١٧ مايو ٢٠٢٤", "١٧ مايو ٢٠٢٤"),
        ("تاريخ النشر: 2024-05-17 | آخر تحديث: 2024-05-18", "2024-05-17"),
        ("آخر تحديث: 18 مايو 2024 الساعة 09:15", "18 مايو 2024"),
        ("Published: May 17, 2024 10:30 AM GMT", "May 17, 2024"),
        ("Updated 2024-05-18T09:00:00Z", "2024-05-18"),
    ],
)
def test_published_and_updated_lines_give_the_date_and_are_removed(stamp: str, expected: str) -> None:
    for raw in (f"عنوان الخبر\n\n{stamp}\n\n{BODY}", f"عنوان الخبر\n\n{BODY}\n\n{stamp}"):
        (a,) = clean_document(raw, "s.txt")
        assert (a.title, a.text, a.date) == ("عنوان الخبر", BODY, expected)


def test_published_wins_over_dateline_and_updated() -> None:
    raw = f"عنوان الخبر\n\nآخر تحديث: 20 مايو 2024\n\nالجمعة 18 مايو 2024\n\n{BODY}\n\nنشر في: 17 مايو 2024"
    (a,) = clean_document(raw, "s.txt")
    assert (a.text, a.date) == (BODY, "17 مايو 2024")


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [("الجمعة 17 مايو 2024", "17 مايو 2024"), ("دبي - 17 مايو 2024", "17 مايو 2024"), ("May 17, 2024", "May 17, 2024")],
)
def test_a_dateline_of_its_own_gives_the_date_and_is_removed(dateline: str, expected: str) -> None:
    (a,) = clean_document(f"عنوان الخبر\n\n{dateline}\n\n{BODY}", "s.txt")
    assert (a.title, a.text, a.date) == ("عنوان الخبر", BODY, expected)


@pytest.mark.parametrize(
    ("prose", "date", "outlet"),
    [
        ("WASHINGTON, May 17 (Reuters) - The United States said on Friday it would keep talking.", "May 17", "Reuters"),
        ("القاهرة في 17 مايو/أيار (رويترز) - قال مسؤول إن المحادثات ستستمر.", "17 مايو/أيار", "رويترز"),
    ],
)
def test_a_dateline_opening_the_prose_gives_the_date_and_the_text_is_kept(prose: str, date: str, outlet: str) -> None:
    (a,) = clean_document(f"Headline\n\n{prose}", "s.txt")
    assert (a.text, a.date, a.outlet) == (prose, date, outlet)


# --- splitting -----------------------------------------------------------------------------------


def test_read_also_followed_by_an_article_splits_it_off():
    raw = (
        "First headline\n\nFirst body sentence.\n\nSource: AP\n\n"
        f"Read also:\n\nSecond headline\n\n{PROSE}\n\nAdvertisement"
    )
    first, second = clean_document(raw, "f.txt", outlet="Given")
    assert (first.title, first.text, first.outlet, first.source) == (
        "First headline",
        "First body sentence.",
        "Given",
        "f.txt",
    )
    assert (second.title, second.text, second.outlet, second.source) == ("Second headline", PROSE, None, "f.txt#2")
    assert second.id != first.id


def test_read_also_followed_by_short_text_is_not_split():
    raw = "First headline\n\nFirst body sentence.\n\nاقرأ أيضا:\n\nعنوان خبر آخر\n\nجملة قصيرة."
    (a,) = clean_document(raw, "f.txt")
    assert "عنوان خبر آخر" not in a.text and "اقرأ" not in a.text


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   \n\n \u200b \n", "إعلان\n\nمقالات مشابهة\n• عنوان\n• عنوان آخر"])
def test_nothing_left_raises_input_error_naming_source(raw):
    with pytest.raises(InputError, match=r"empty\.txt.*no article text"):
        clean_document(raw, "empty.txt")
