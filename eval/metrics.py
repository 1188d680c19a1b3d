"""Answer and retrieval metrics for the evaluation runner: plain functions over plain values.

- `key_facts_stated`: which key facts an answer states (any variant, after Arabic
  normalisation and digit folding, so "٣٥٠" matches "350", "500,000" matches "500000" and
  "إيران" matches "ايران").
- `token_f1`, `exact_match`: SQuAD-style token F1 and exact match between an answer and a gold answer
  (normalised tokens).
- `gold_rank`: the rank of the first retrieved passage that holds a gold quote (1-based), or None.
- `refusal_scores`: precision and recall of "the articles do not say" on unanswerable cases.
- `percentile`: nearest-rank percentile, for latencies.

Citation precision and recall are computed by the runner with the live pipeline's
verifier (`qa.citations`), not here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from index.normalize import normalize, tokens

_SPACES = re.compile(r"\s+")
# A thousands separator between digits ("500,000", "٥٠٠٬٠٠٠"): dropped, so both spellings of a number agree.
_GROUPS = re.compile(r"(?<=\d)[,،٬](?=\d{3}(?!\d))")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", normalize(text)).strip()


def fact_stated(answer: str, variants: Sequence[str]) -> bool:
    """True when any variant occurs in the answer (normalised; whole tokens for short variants)."""
    answer = _GROUPS.sub("", normalize(answer))
    text = f" {' '.join(tokens(answer))} "
    raw = _norm(answer)
    for v in variants:
        v = _GROUPS.sub("", normalize(v))
        vt = " ".join(tokens(v))
        if not vt:
            continue
        # Short variants ("US", "5") must match whole tokens; longer ones may sit inside words
        # (Arabic attaches prefixes: "وعمان" states "عمان").
        if (len(vt) <= 3 and f" {vt} " in text) or (len(vt) > 3 and (vt in text or _norm(v) in raw)):
            return True
    return False


def key_facts_stated(answer: str, facts: Sequence[Sequence[str]]) -> list[bool]:
    """For each key fact (its variants), whether the answer states it."""
    return [fact_stated(answer, variants) for variants in facts]


def token_f1(prediction: str, gold: str) -> float:
    """Token-overlap F1 of normalised tokens (0 when either side is empty)."""
    p, g = tokens(prediction), tokens(gold)
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, gold: str) -> bool:
    """SQuAD exact match on normalised tokens (Arabic folding, digits, punctuation)."""
    return bool(tokens(gold)) and tokens(prediction) == tokens(gold)


def spans_overlap(a_start: int, a_end: int, b_start: int, b_end: int, min_fraction: float = 0.5) -> bool:
    """True when span b overlaps span a by at least `min_fraction` of b's length."""
    overlap = min(a_end, b_end) - max(a_start, b_start)
    return overlap > 0 and overlap >= min_fraction * (b_end - b_start)


def gold_rank(retrieved: Sequence[tuple[str, int, int]], gold: Sequence[tuple[str, int, int]]) -> int | None:
    """1-based rank of the first retrieved (article id, start, end) that covers a gold span, or None."""
    for rank, (art, start, end) in enumerate(retrieved, start=1):
        if any(art == g_art and spans_overlap(start, end, g_start, g_end) for g_art, g_start, g_end in gold):
            return rank
    return None


def refusal_scores(refused: Sequence[bool], unanswerable: Sequence[bool]) -> tuple[float, float]:
    """(precision, recall) of refusals as a detector of unanswerable cases (1.0 when undefined)."""
    tp = sum(r and u for r, u in zip(refused, unanswerable, strict=True))
    n_refused, n_unans = sum(refused), sum(unanswerable)
    return (tp / n_refused if n_refused else 1.0), (tp / n_unans if n_unans else 1.0)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank q-quantile (q in 0..1); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
