"""Whether the retrieved passages answer the question: a small learned model over the answer's own signals.

A single threshold on the best sentence's similarity cannot tell "the passage that
answers is here" from "a close passage of the same story is here": on XQuAD dev with the
gold paragraph removed (the rest of its article stays), the best remaining sentence scores
nearly as high. What differs is the shape of the evidence: how far the best sentence
stands out from the next ones, how far the best passage stands out from the other
retrieved ones, how much of what the question names the passages and that sentence
hold, how many sentences pass the answering check. `features` reads those signals
(every one is computed by the answer flow anyway); `AnswerabilityModel` is a logistic
regression over them per question language, with the threshold that keeps a chosen share
of answerable questions answered.

`bench/answerability.py` fits it on half A of XQuAD dev (answerable: the question over
all paragraphs; unanswerable: the same question without its gold paragraph), reports half
B and the seed questions, and writes `qa/answerability.json` (coefficients, scaling and
thresholds: a few hundred bytes). The flow (`qa.generate`) refuses when the probability is
below the threshold, after the relevance threshold and the answering check; only with the
embedder it was fitted on (its similarities are what the coefficients read).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import mean

from pydantic import BaseModel, Field

from qa.extractive import Candidate
from qa.models import Passage
from qa.question import Slot, coverage

#: The fitted model shipped with the package (written by `bench/answerability.py --write`).
MODEL_PATH = Path(__file__).with_name("answerability.json")

FEATURES = (
    "best_pass",  # similarity of the best sentence that passes the answering check (0: none passes)
    "best_any",  # similarity of the best sentence
    "sent_gap",  # best sentence minus the second
    "sent_peak",  # best sentence minus the mean of the next five
    "p1",  # cosine of the best passage
    "p_gap",  # best passage minus the second
    "p_peak",  # best passage minus the mean of the others
    "f1",  # fused (hybrid) score of the first passage
    "f_gap",  # first passage's fused score minus the second's
    "cov_all",  # share of what the question names that the passages hold (qa.question.coverage)
    "cov_best",  # ... that the passage of the best passing sentence holds
    "cov_sent",  # ... that the best passing sentence holds
    "pass_share",  # share of the sentences that pass the answering check
)


def features(
    slot: Slot, passages: Sequence[Passage], ranked: Sequence[Candidate], *, covered: float | None = None
) -> dict[str, float]:
    """The signals of `FEATURES` for a question (`slot`), its retrieved passages and their scored sentences.

    `ranked` are the passages' sentences scored and checked (`qa.extractive.rank_sources`); `covered` is
    `qa.question.coverage` of the passages when the caller has it already.
    """
    if covered is None:
        covered = coverage(slot, [p.chunk.text for p in passages]) if passages else 0.0
    scores = sorted((c.score for c in ranked), reverse=True)
    passing = [c for c in ranked if c.answers]
    best = max(passing, key=lambda c: c.score, default=None)
    cosines = sorted((p.score for p in passages), reverse=True)
    fused = [p.fused if p.fused is not None else p.score for p in sorted(passages, key=lambda p: p.rank)]
    return {
        "best_pass": best.score if best else 0.0,
        "best_any": scores[0] if scores else 0.0,
        "sent_gap": scores[0] - scores[1] if len(scores) > 1 else 0.0,
        "sent_peak": scores[0] - mean(scores[1:6]) if len(scores) > 1 else 0.0,
        "p1": cosines[0] if cosines else 0.0,
        "p_gap": cosines[0] - cosines[1] if len(cosines) > 1 else 0.0,
        "p_peak": cosines[0] - mean(cosines[1:]) if len(cosines) > 1 else 0.0,
        "f1": fused[0] if fused else 0.0,
        "f_gap": fused[0] - fused[1] if len(fused) > 1 else 0.0,
        "cov_all": covered,
        "cov_best": coverage(slot, [best.passage.chunk.text]) if best else 0.0,
        "cov_sent": coverage(slot, [best.text]) if best else 0.0,
        "pass_share": len(passing) / len(ranked) if ranked else 0.0,
    }


class LanguageModel(BaseModel):
    """A logistic regression over standardised features, and the probability below which the flow refuses."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = Field(ge=0, le=1)

    def probability(self, values: Mapping[str, float]) -> float:
        """P(answerable) for a question's feature values."""
        terms = zip(self.features, self.mean, self.scale, self.weights, strict=True)
        z = self.bias + sum(w * (values[f] - m) / s for f, m, s, w in terms)
        return float(1 / (1 + _exp(-z)))


class AnswerabilityModel(BaseModel):
    """One `LanguageModel` per question language, and where it was fitted."""

    models: dict[str, LanguageModel]
    #: The `Embedder.model_id` whose similarities it was fitted on: with another embedder it does not apply.
    embedder: str
    fitted_on: str = ""

    def applies_to(self, model_id: str) -> bool:
        """Whether the model was fitted on this embedder's similarities."""
        return model_id == self.embedder

    def probability(self, language: str, values: Mapping[str, float]) -> float | None:
        """P(answerable), or None when no model is fitted for `language`."""
        model = self.models.get(language)
        return None if model is None else model.probability(values)

    def threshold(self, language: str) -> float:
        """The refusal threshold for `language` (0 when there is no model: nothing is refused by it)."""
        model = self.models.get(language)
        return 0.0 if model is None else model.threshold

    def save(self, path: Path) -> None:
        """Write the model as indented JSON (atomic: a reader never sees half a file)."""
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.model_dump(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)


@functools.cache
def load_model(path: Path = MODEL_PATH) -> AnswerabilityModel:
    """The fitted model at `path` (cached); the one shipped with the package by default."""
    return AnswerabilityModel.model_validate_json(path.read_text(encoding="utf-8"))


def _exp(x: float) -> float:
    return math.exp(max(-60.0, min(60.0, x)))
