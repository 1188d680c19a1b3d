from __future__ import annotations

import pytest

from eval.metrics import fact_stated, gold_rank, key_facts_stated, percentile, refusal_scores, token_f1


def test_fact_variants_match_after_normalisation() -> None:
    assert fact_stated("أطلقت إيران ٣٥٠ صاروخاً", ["350"])
    assert fact_stated("Iran launched 350 missiles", ["350", "ثلاثمئة وخمسون"])
    assert fact_stated("جرت المحادثات في مسقط وعُمان", ["عمان"])
    assert not fact_stated("Iran launched 3500 missiles", ["350"]), "numbers match whole tokens"
    assert not fact_stated("The talks were in Qatar", ["Oman", "عمان"])
    assert key_facts_stated("Talks in Oman on 8 May", [["Oman"], ["8 May", "8 مايو"], ["Bagheri"]]) == [
        True,
        True,
        False,
    ]


def test_numbers_match_with_or_without_thousands_separators() -> None:
    assert fact_stated("about 500000 fled France", ["500,000"])
    assert fact_stated("نحو ٥٠٠٬٠٠٠ لاذوا بالفرار", ["500000"])
    assert not fact_stated("about 50000 fled France", ["500,000"]), "a different number still differs"
    assert not fact_stated("in 1,2000", ["12000"]), "only groups of three digits are thousands"


def test_token_f1_by_hand() -> None:
    # prediction tokens: iran launched 350 missiles (4); gold: iran launched 350 ballistic missiles and drones (7)
    # common 4 -> precision 1, recall 4/7 -> F1 = 2*(4/7)/(1+4/7) = 8/11
    assert token_f1("Iran launched 350 missiles.", "Iran launched 350 ballistic missiles and drones") == pytest.approx(
        8 / 11
    )
    assert token_f1("", "x") == 0.0
    assert token_f1("أطلقت إيران", "اطلقت ايران") == 1.0


def test_gold_rank_needs_the_same_article_and_overlap() -> None:
    gold = [("a1", 100, 140)]
    assert gold_rank([("a2", 100, 140), ("a1", 0, 90), ("a1", 90, 200)], gold) == 3
    assert gold_rank([("a1", 130, 300)], gold) is None, "a quarter of the quote is not enough"
    assert gold_rank([], gold) is None


def test_refusal_scores_by_hand() -> None:
    refused = [True, True, False, False, True]
    unanswerable = [True, False, True, False, True]
    # refused 3, of which unanswerable 2 -> precision 2/3; unanswerable 3, refused 2 -> recall 2/3
    assert refusal_scores(refused, unanswerable) == pytest.approx((2 / 3, 2 / 3))
    assert refusal_scores([False], [False]) == (1.0, 1.0)


def test_percentile() -> None:
    assert percentile([5, 1, 3, 2, 4], 0.5) == 3
    assert percentile([1, 2, 3, 4, 100], 0.95) == 100
    assert percentile([], 0.5) == 0.0
