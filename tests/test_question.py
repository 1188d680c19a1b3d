"""The answering check (`qa.question`) and the English-led extractive answer, on Arabic and English sentences."""

from __future__ import annotations

import pytest

from qa.extractive import compose, english_lead
from qa.language import answer_language
from qa.question import analyze_question, check_answering, coverage, date_numbers, question_kind
from tests.fakes import MISSILES, TALKS, sources

KINDS = [
    ("How many missiles did Iran launch at Israel?", "count"),
    ("What enrichment purity did Tehran reach in February?", "count"),
    ("How long did the war last?", "count"),
    ("When will IAEA inspectors visit Iran?", "when"),
    ("In what year was the nuclear deal signed?", "when"),
    ("Who headed the Iranian delegation?", "who"),
    ("Where were the talks held?", "where"),
    ("Which country hosted the talks?", "where"),
    ("Did the White House comment on the talks?", "yesno"),
    ("Why does Iran argue it may enrich uranium?", "why"),
    ("How were messages passed between the sides?", "how"),
    ("What did the spokesperson say?", "what"),
    ("كم عدد الصواريخ التي أطلقتها إيران؟", "count"),
    ("في كم موقعا غير معلن عثر على يورانيوم؟", "count"),
    ("إلى أي نسبة وصل تخصيب إيران لليورانيوم؟", "count"),
    ("ما النسبة اللازمة لصنع سلاح نووي؟", "count"),
    ("متى اتهمت إيران الوكالة الذرية؟", "when"),
    ("في أي يوم وصل ماكغورك إلى عمان؟", "when"),
    ("من هو مدير الوكالة الدولية للطاقة الذرية؟", "who"),
    ("مع من زار ماكجورك إسرائيل؟", "who"),
    ("أين جرت المحادثات؟", "where"),
    ("هل ستعود إيران إلى التفاوض؟", "yesno"),
    ("لماذا توقفت المحادثات؟", "why"),
    ("كيف تم صد الهجوم؟", "how"),
    ("ما موقف الصين من المحادثات؟", "what"),  # "من" here is "of", not "who"
]


@pytest.mark.parametrize(("question", "kind"), KINDS)
def test_question_kind(question: str, kind: str) -> None:
    assert question_kind(question) == kind


SITES_AND_PURITY = "عثر مراقبو الوكالة على يورانيوم مخصب في 3 مواقع غير معلنة، فيما رفعت طهران درجة النقاء إلى 84%."
CHECKS = [
    # (question, sentence, answers?)
    ("How many missiles did Iran launch at Israel?", "Iran launched 350 missiles at Israel [1].", True),
    ("How many missiles did Iran launch at Israel?", "Iran launched missiles at Israel [1].", False),
    ("How many missiles did Iran launch at Israel?", "It was the first direct attack on Israel [1].", False),
    ("How many missiles did Iran launch at Israel?", MISSILES, True),  # across languages: the number decides
    ("How many of the 350 were drones?", "Iran launched 350 missiles and drones [1].", False),  # 350 is given
    ("كم طائرة أطلقت إيران؟", "أطلقت إيران 350 صاروخا وطائرة [1].", True),
    ("كم طائرة أطلقت إيران؟", "أطلقت إيران طائرات مسيرة على إسرائيل [1].", False),
    ("كم مصدرا تحدث إلى أكسيوس؟", "تحدث مصدران مطلعان على المحادثات إلى أكسيوس.", True),  # a dual states 2
    ("كم مصدرا تحدث إلى أكسيوس؟", "تحدث إلى أكسيوس مسؤولان أميركيان مطلعان على المحادثات.", True),  # a dual
    ("كم يوما استمرت الحرب؟", "استمرت الحرب يومين فقط [1].", True),  # a time unit's dual
    ("كم يوما استمرت الحرب؟", "قال مسؤولون مطلعين إن الحرب استمرت طويلا [1].", False),  # "مطلعين" is no dual
    ("When did the envoys arrive in Oman?", "The envoys arrived in Oman on Tuesday [1].", True),
    ("When did the envoys arrive in Oman?", "The envoys arrived in Oman [1].", False),
    ("When did the envoys arrive in Oman?", TALKS, True),  # "يوم الثلاثاء" across languages
    ("متى اتهمت إيران الوكالة؟", "في 19 يونيو اتهمت إيران الوكالة بأنها شريك [1].", True),
    ("متى اتهمت إيران الوكالة؟", "اتهمت إيران الوكالة بأنها شريك في الحرب [1].", False),
    ("When did Iran stop its weapons program?", "وحذرت واشنطن إيران من تخصيب اليورانيوم بنسبة 90%.", False),  # a share
    ("Who headed the Iranian delegation?", "Ali Bagheri headed the Iranian delegation [1].", True),
    ("Who headed the Iranian delegation?", "The Iranian delegation was headed by a negotiator [1].", False),
    ("Where were the talks held?", "The talks were held in Oman [1].", True),
    ("Where were the talks held?", "The talks were held in secret [1].", False),
    # a sentence that restates the question never passes, whatever its kind
    ("من هو نائب المتحدث باسم وزارة الخارجية الأميركية؟", "نائب المتحدث باسم وزارة الخارجية الأميركية [1][2].", False),
    (
        "من هو نائب المتحدث باسم وزارة الخارجية الأميركية؟",
        "نائب المتحدث باسم وزارة الخارجية هو فيدانت باتيل [1].",
        True,
    ),
    ("What did the spokesperson say about US policy?", "The spokesperson spoke about US policy [1].", False),
    ("What did the spokesperson say about US policy?", "US policy toward Iran has not changed, he said [1].", True),
    # A count is not a share, a share not a count (the two sit in one sentence: 3 sites, 84% purity).
    ("At how many undeclared sites was uranium found?", SITES_AND_PURITY, True),
    ("How many missiles did Iran launch at Israel?", "وحذرت واشنطن إيران من تخصيب اليورانيوم بنسبة 90%.", False),
    ("What enrichment purity did Tehran reach?", "عثر المراقبون على يورانيوم مخصب في 3 مواقع غير معلنة.", False),
    ("What enrichment purity did Tehran reach?", SITES_AND_PURITY, True),
    ("ما نسبة التخصيب التي بلغتها طهران؟", "رفعت طهران نسبة التخصيب إلى 60 في المئة في المنشأة.", True),
    ("ما نسبة التخصيب التي بلغتها طهران؟", "رفعت طهران التخصيب في منشأتين اثنتين هما 2 من المنشآت.", False),
    ("كم موقعا غير معلن عثر فيه على اليورانيوم؟", "عثر على اليورانيوم في موقع غير معلن بنسبة 84%.", False),
    ("How much did wheat prices rise?", "وارتفعت أسعار القمح بنسبة 12% خلال الأسبوع.", True),  # "how much": either
    ("كم نسبة الغابات التي يمثلها الأمازون؟", "يمثل الأمازون أكثر من نصف غابات الكوكب المتبقية.", True),  # in words
    ("What share of the forests is the Amazon?", "The Amazon is more than half of the forests left [1].", True),
]


@pytest.mark.parametrize(("question", "sentence", "answers"), CHECKS)
def test_check_answering(question: str, sentence: str, answers: bool) -> None:
    verdict = check_answering(analyze_question(question), sentence)
    assert verdict.answers is answers, verdict.reason
    assert (verdict.reason is None) is answers


def test_question_measure_and_percent_numbers() -> None:
    from qa.question import percent_numbers, question_measure

    assert question_measure("How many missiles did Iran launch?") == "count"
    assert question_measure("What enrichment purity did Tehran reach?") == "percent"
    assert (
        question_measure("ما عدد المواقع غير المعلنة؟") == "count" and question_measure("كم صاروخا أطلقت؟") == "count"
    )
    assert question_measure("ما نسبة التخصيب؟") == "percent" and question_measure("كم يبلغ الإنتاج؟") is None
    assert question_measure("How much wheat is expected?") is None
    assert percent_numbers("نقاء 84%، و90 في المئة و12 بالمائة و٣٠٪ and 7 percent, not 5 sites") == {
        "84",
        "90",
        "12",
        "30",
        "7",
    }


def test_the_english_lead_lifts_a_count_for_how_many_and_a_share_for_what_purity() -> None:
    assert english_lead(SITES_AND_PURITY, analyze_question("At how many sites was uranium found?")) == (
        "The articles give 3"
    )
    assert english_lead(SITES_AND_PURITY, analyze_question("What purity did Tehran reach?")) == "The articles give 84%"
    # A share written in words after its number is a share too, for the lead as for the check.
    in_words = "رفعت طهران نسبة التخصيب إلى 60 في المئة في المنشأة."
    assert english_lead(in_words, analyze_question("What purity did Tehran reach?")) == "The articles give 60%"
    assert english_lead(in_words, analyze_question("How much did Tehran raise it?")) == "The articles give 60%"


def test_the_english_lead_of_a_count_leaves_out_a_duration_unless_one_is_asked() -> None:
    rounds = "وعقدت إيران والولايات المتحدة 5 جولات من المحادثات، ولكنها عُلقت نتيجة حرب استمرت 12 يوما."
    assert english_lead(rounds, analyze_question("How many rounds of talks were held?")) == "The articles give 5"
    # Asked a duration: the duration alone, with its unit in English (the 5 rounds are no duration).
    assert english_lead(rounds, analyze_question("How many days did the war last?")) == "The articles give 12 days"
    only = "واستمرت الحرب 12 يوما بين البلدين."
    assert english_lead(only, analyze_question("How many rounds were held?")) == "The articles say"  # 12 days: no count


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("How long did the war last?", "duration"),
        ("How long after Iran's attack did Israel strike?", "duration"),
        ("How many weeks did the talks take?", "duration"),
        ("How long is the river?", None),  # a length, not a duration
        ("How many rounds of talks were held?", "count"),
        ("كم استمرت الحرب؟", "duration"),
        ("كم يوما استمرت الحرب؟", "duration"),
        ("ما مدة الهدنة؟", "duration"),
        ("كم صاروخا أطلقت إيران؟", "count"),
    ],
)
def test_a_question_asking_how_long_measures_a_duration(question: str, measure: str | None) -> None:
    assert analyze_question(question).measure == measure


def test_a_duration_question_is_answered_only_by_a_duration() -> None:
    after = analyze_question("How long after Iran's attack did Israel strike back?")
    several = "وبعد عدة أيام من الهجوم، ردت إسرائيل بضربة استهدفت قاعدة جوية إيرانية."
    assert check_answering(after, several).answers and english_lead(several, after) == "The articles give several days"
    # 350 missiles is no duration: no answer to "how long", and no "The articles give 350".
    assert not check_answering(after, MISSILES).answers
    two = "قال بقائي إن الوكالة ستجري زيارة إلى إيران في غضون أسبوعين."
    wait = analyze_question("How long will the IAEA wait before visiting?")
    assert check_answering(wait, two).answers and english_lead(two, wait) == "The articles give two weeks"
    war = analyze_question("كم استمرت الحرب؟")
    assert check_answering(war, "ولكن المحادثات علقت نتيجة حرب استمرت 12 يوما بين إيران وإسرائيل.").answers
    assert not check_answering(war, "وقتل في الحرب 350 شخصا من الجانبين.").answers


def test_the_english_lead_lifts_a_clock_time_whole_and_only_for_when() -> None:
    arrival = "ووصل الوفد إلى المطار عند الساعة 5:30 مساء."
    assert english_lead(arrival, analyze_question("When did the delegation arrive?")) == "The articles give 5:30"
    assert english_lead(arrival, analyze_question("How many delegates arrived?")) == "The articles say"  # not 5 and 30


def test_english_lead_lifts_only_what_the_checker_can_verify() -> None:
    assert english_lead(MISSILES, analyze_question("How many missiles did Iran launch?")) == "The articles give 350"
    assert english_lead(MISSILES, analyze_question("When did Iran attack Israel?")) == "The articles give 13 April"
    assert english_lead(TALKS, analyze_question("When did the envoys arrive?")) == "The articles give Tuesday"
    # A number the question already gives is not an answer; nothing else to lift: a neutral lead.
    assert english_lead(MISSILES, analyze_question("Why did Iran fire 350 missiles?")) == "The articles say"
    two_times = "قال بقائي اليوم الاثنين إن الوكالة ستجري زيارة إلى إيران في غضون أسبوعين."
    assert english_lead(two_times, analyze_question("When will the IAEA visit?")) == "The articles say"


def test_an_english_question_gets_an_english_led_answer_with_the_arabic_quote_as_evidence() -> None:
    chosen = sources(MISSILES, TALKS)
    text, citations = compose(chosen, "en", analyze_question("How many missiles did Iran launch at Israel?"))
    assert text.startswith(f"The articles give 350 [1]: «{MISSILES}»")
    assert "They also say [2]: «" in text
    assert [c.quote for c in citations] == [MISSILES, TALKS]
    assert answer_language(text) == "en"
    arabic, _ = compose(chosen, "ar", analyze_question("كم صاروخا أطلقت إيران؟"))
    assert arabic == f"{MISSILES} [1] {TALKS} [2]" and answer_language(arabic) == "ar"


@pytest.mark.parametrize(
    ("question", "texts", "expected"),
    [
        # Arabic over Arabic: analysed content terms (clitics and ta marbuta folded by the analyser).
        ("كم صاروخا أطلقت إيران على إسرائيل؟", ["أطلقت إيران 350 صاروخا على إسرائيل."], 1.0),
        ("كم جهاز طرد مركزي تشغل إيران؟", ["أطلقت إيران 350 صاروخا على إسرائيل."], 0.2),
        ("كم جهاز طرد مركزي تشغل إيران؟", ["تشغل إيران أجهزة طرد مركزي.", "وقال جهاز الأمن"], 1.0),
        # English over Arabic: only names and numbers can be compared.
        ("How many ships have the Houthis attacked in the Red Sea?", ["أطلقت إيران 350 صاروخا على إسرائيل."], 0.0),
        ("How many ships have the Houthis attacked in the Red Sea?", ["هاجم الحوثيون سفنا في البحر الأحمر."], 1.0),
        ("Which countries signed the 2015 nuclear deal?", ["الاتفاق النووي لعام 2015"], 1.0),
        ("Which countries signed the 2015 nuclear deal?", ["الاتفاق النووي لعام 2018"], 0.0),
        ("Where were the talks held?", ["جرت المحادثات في مسقط."], 1.0),  # nothing to compare
    ],
)
def test_coverage_is_the_share_of_what_the_question_names_found_in_the_passages(
    question: str, texts: list[str], expected: float
) -> None:
    assert coverage(analyze_question(question), texts) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("sentence", "lead"),
    [
        ("انتشرت كتابات لوثر في أنحاء فرنسا بدايةً من 1519.", "The articles give 1519"),  # a year outside 1800-2099
        ("وفي عام 1685 صدر المرسوم.", "The articles give 1685"),
        ("أطلقت إيران 350 صاروخا في 13 أبريل 2024.", "The articles give 13 April 2024"),  # the year joins its date
        ("قتل 1500 جندي في المعركة.", "The articles say"),  # a count, not a year
        ("في 13 أبريل، بعد اتفاق عام 2015.", "The articles say"),  # two times: the lead cannot tell which
    ],
)
def test_a_when_lead_lifts_one_time_expression_with_its_year(sentence: str, lead: str) -> None:
    assert english_lead(sentence, analyze_question("When did it happen?")) == lead


@pytest.mark.parametrize(
    ("question", "sentence", "lead"),
    [
        # Saudi press: a decimal written with ر is one number (11.7), not "7 and 11"; a Hijri year is no amount.
        (
            "How much wheat was imported?",
            "واستوردت المملكة 7ر11 مليون طن من القمح خلال العام 1436هـ.",
            "The articles give 11.7",
        ),
        ("How many students enrolled?", "التحق 3500 طالب بالجامعة في العام الدراسي 1436 هـ.", "The articles give 3500"),
        ("How many students enrolled?", "بدأت الدراسة في 26 /9 /1436 هـ بالجامعة.", "The articles say"),
        # Asked when: a Gregorian numeric date is lifted whole, a Hijri date or year not at all ("1436" would read as
        # a Gregorian year), with or without a year cue before it.
        (
            "When was the decision announced?",
            "أعلنت الوزارة القرار بتاريخ 12/7/2015م في بيان.",
            "The articles give 12/7/2015",
        ),
        ("When was the decision announced?", "أعلنت الوزارة القرار يوم 26 /9 /1436 هـ في بيان.", "The articles say"),
        ("When was the university founded?", "تأسست الجامعة في عام 1436 هـ بقرار من المجلس.", "The articles say"),
        ("When was the university founded?", "تأسست الجامعة في عام 2015م بقرار من المجلس.", "The articles give 2015"),
    ],
)
def test_the_english_lead_reads_press_decimals_and_hijri_dates(question: str, sentence: str, lead: str) -> None:
    assert english_lead(sentence, analyze_question(question)) == lead


def test_the_english_lead_lifts_no_words_of_a_latin_phrase_quoted_in_arabic() -> None:
    latin = 'ومنح هنري الثالث النبلاء لدروغو بصفته " dux et magister Italiae comesque Normannorum".'
    assert english_lead(latin, analyze_question("Who was ennobled by Henry III?")) == "The articles say"
    named = 'وفاز فريق Denver Broncos بلقب "Franks" في Super Bowl 50.'
    assert english_lead(named, analyze_question("Who won the title?")) == "The articles give Denver Broncos and Franks"


def test_hijri_years_and_numeric_dates_are_no_counts() -> None:
    assert date_numbers("صدر القرار في 26/9/1436هـ بعد عام 2015م") == {"26", "9", "1436", "2015"}
    # Read in archive answers: a Hijri year span, a score, hours of the day ("12 and 3" for a count of violations).
    assert date_numbers("لهذا العام 1436 / 1437هـ، وخسر 2/1، من الساعة الـ 12 ظهرا والساعة 3") == {
        "1436", "1437", "2", "1", "12", "3"}  # fmt: skip
    wheat = "أتمت المؤسسة ترسية الدفعة الثالثة من القمح المستورد لهذا العام 1436 / 1437هـ بكمية 505 آلاف طن."
    assert english_lead(wheat, analyze_question("How much wheat was awarded?")) == "The articles give 505"
    hours = "يطبق المنع من الساعة الـ 12 ظهراً إلى الساعة الـ 3 مساءً، ورصدت الحملات 267 مخالفة."
    assert english_lead(hours, analyze_question("How many violations were recorded?")) == "The articles give 267"
    score = "فشل لاتسيو في الثأر لهزيمته 2/1 أمام يوفنتوس في نهائي الكأس."
    assert english_lead(score, analyze_question("How many titles has Juventus won?")) == "The articles say"
    count = analyze_question("كم طالبا التحق بالجامعة؟")
    assert not check_answering(count, "التحق الطلاب بالجامعة في العام الدراسي 1436 هـ.").answers
    assert check_answering(count, "التحق 3500 طالب بالجامعة في العام الدراسي 1436 هـ.").answers
