"""The answerability model (`qa.answerability`): its features, its probability, where the flow applies it.

Logic tests build passages and sentences by hand and use hand-set models; the shipped model
is checked for what the flow relies on (both languages, the real embedder's id), and, with
the real e5 model on the bundled corpus, for answering what the articles say.
"""

from __future__ import annotations

import pytest

from index.models import Chunk
from qa.answerability import FEATURES, AnswerabilityModel, LanguageModel, features, load_model
from qa.assistant import Assistant
from qa.extractive import Candidate
from qa.models import Passage
from qa.question import analyze_question
from tests.conftest import CORPUS


def _passage(text: str, score: float, rank: int, fused: float | None = None) -> Passage:
    chunk = Chunk(id=f"a{rank}:0", article_id=f"a{rank}", title="t", text=text, start=0, end=len(text), ordinal=0)
    return Passage(chunk=chunk, score=score, fused=fused, rank=rank)


def _sentence(p: Passage, score: float, answers: bool) -> Candidate:
    return Candidate(p, 0, len(p.chunk.text), p.chunk.text, score=score, answers=answers)


def test_features_read_the_gaps_coverage_and_the_share_that_passes() -> None:
    slot = analyze_question("كم صاروخا أطلقت إيران على إسرائيل؟")
    first = _passage("أطلقت إيران 350 صاروخا على إسرائيل في نيسان.", 0.90, 1, fused=0.80)
    second = _passage("قال المسؤولون إن المحادثات جرت في مسقط.", 0.80, 2, fused=0.70)
    ranked = [_sentence(first, 0.88, True), _sentence(second, 0.84, False)]
    f = features(slot, [first, second], ranked)
    assert set(f) == set(FEATURES)
    assert f["best_pass"] == 0.88 and f["best_any"] == 0.88
    assert f["sent_gap"] == pytest.approx(0.04) and f["sent_peak"] == pytest.approx(0.04)
    assert f["p1"] == 0.90 and f["p_gap"] == pytest.approx(0.10) and f["f_gap"] == pytest.approx(0.10)
    assert f["pass_share"] == 0.5
    assert f["cov_sent"] == 1.0 and f["cov_best"] == 1.0  # every term of the question is in that sentence
    # No sentence passes: nothing to score, no coverage of a passing sentence.
    f = features(slot, [second], [_sentence(second, 0.84, False)])
    assert f["best_pass"] == 0.0 and f["cov_best"] == 0.0 and f["pass_share"] == 0.0 and f["best_any"] == 0.84
    assert f["cov_all"] < 1.0  # the second passage names neither missiles nor Israel


def test_features_of_no_evidence_are_zeros() -> None:
    f = features(analyze_question("Who won?"), [], [])
    assert set(f) == set(FEATURES) and all(v == 0.0 for v in f.values())


def _model(weight: float, threshold: float) -> LanguageModel:
    return LanguageModel(features=("p_gap",), mean=(0.05,), scale=(0.05,), weights=(weight,), bias=0.0,
                         threshold=threshold)  # fmt: skip


def test_probability_follows_the_weights_and_the_threshold_decides() -> None:
    model = _model(2.0, 0.5)
    assert model.probability({"p_gap": 0.05}) == pytest.approx(0.5)
    low, high = model.probability({"p_gap": 0.0}), model.probability({"p_gap": 0.2})
    assert low < 0.5 < high and 0 < low and high < 1
    assert _model(-2.0, 0.5).probability({"p_gap": 0.2}) == pytest.approx(1 - high)
    both = AnswerabilityModel(models={"ar": model}, embedder="e")
    assert both.probability("en", {"p_gap": 0.2}) is None and both.threshold("en") == 0.0
    assert both.applies_to("e") and not both.applies_to("other")


def test_a_saved_model_loads_back_the_same(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = AnswerabilityModel(models={"ar": _model(1.5, 0.3)}, embedder="e", fitted_on="test")
    path = tmp_path / "m.json"
    model.save(path)
    assert load_model(path) == model and not list(tmp_path.glob("*.tmp"))


def test_the_shipped_model_covers_both_languages_with_every_feature() -> None:
    model = load_model()
    assert set(model.models) == {"ar", "en"}
    for m in model.models.values():
        assert set(m.features) <= set(FEATURES) and 0 <= m.threshold < 1
        assert len(m.mean) == len(m.scale) == len(m.weights) == len(m.features) and all(s > 0 for s in m.scale)
    assert model.threshold("ar") > 0  # Arabic questions are refused by it; English ones only get its probability
    assert "e5" in model.embedder


def _assistant(settings, embedder, model: AnswerabilityModel, monkeypatch) -> Assistant:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("qa.generate.load_model", lambda: model)
    open_settings = settings.model_copy(update={"min_relevance_ar": -1.0, "min_relevance_en": -1.0})
    assistant = Assistant(open_settings, embedder=embedder)
    assistant.ingest([CORPUS])
    return assistant


QUESTION = "كم صاروخا أطلقت إيران على إسرائيل؟"


def test_the_flow_refuses_below_the_threshold_and_records_the_probability(settings, fake_embedder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def fitted(threshold: float) -> AnswerabilityModel:
        return AnswerabilityModel(models={"ar": _model(1.0, threshold)}, embedder=fake_embedder.model_id)

    answered = _assistant(settings, fake_embedder, fitted(0.0), monkeypatch).ask(QUESTION)
    assert answered.answered and answered.answerability is not None
    refused = _assistant(settings, fake_embedder, fitted(0.999), monkeypatch).ask(QUESTION)
    assert not refused.answered and refused.citations == ()
    assert refused.answerability == answered.answerability  # the same evidence, read the same way
    off = settings.model_copy(update={"answerability_model": False})
    unused = _assistant(off, fake_embedder, fitted(0.999), monkeypatch).ask(QUESTION)
    assert unused.answered and unused.answerability is None


def test_a_model_fitted_on_another_embedder_is_not_applied(settings, fake_embedder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    other = AnswerabilityModel(models={"ar": _model(1.0, 0.999)}, embedder="another-model")
    answer = _assistant(settings, fake_embedder, other, monkeypatch).ask(QUESTION)
    assert answer.answered and answer.answerability is None


@pytest.mark.slow
def test_the_shipped_model_applies_to_the_real_embedder(real_embedder) -> None:  # type: ignore[no-untyped-def]
    assert load_model().applies_to(real_embedder.model_id)
