"""The answer flow: follow-up rewrite, retrieval, grounded generation (streamed), citation check, fallback.

`answer_events` yields `AnswerEvent`s: the draft's tokens as the model writes
them, then one final event holding the verified `Answer`, which replaces the
draft. Steps:

1. a follow-up question is made standalone (`qa.followup`) and retrieval uses that;
2. the retrieved passages' sentences are scored against the question (the
   extractive scorer) and checked for answering it (`qa.question`: the asked
   number, date or name, and content beyond the question's own). When no sentence
   that answers reaches the relevance threshold, or the learned answerability model
   (`qa.answerability`: how the best sentence and passage stand out, how much of what
   the question names they hold) finds the evidence too weak, the answer is the fixed
   "the articles do not say" reply, without calling a model. Across articles (`qa.combine`): a
   compound question gets a sentence per part, and a question on a value (when, how many,
   who, where) gets each other outlet's best account too, attributed and compared;
3. the best `llm_sentences` sentences become the numbered passages of the prompt
   (`qa.prompt`), which keeps the prompt short: a few seconds on a CPU; each outlet's and each
   part's sentence is among them;
4. the draft is checked sentence by sentence (`qa.citations`: support, then
   answering, and an attribution to an outlet no cited passage is from); what survives is the
   answer, unless it leaves out an outlet or a part the extractive answer covers. When
   nothing survives, or the model says the articles do not answer although relevant
   sentences were found (a 1.5B model refuses too readily), the
   extractive answer (retrieved sentences, quoted and cited) is shown instead; the
   draft and the verdict on each of its sentences stay in the `Answer`;
5. for an English question, that extractive answer is Arabic sentences behind a short
   English lead. With `Settings.render_evidence` "fallback" (off by default: measured,
   the 1.5B model's sentences are too often wrong; see the README) the model first
   writes, for the chosen Arabic sentence, the English sentence that answers the
   question from it alone (`render_evidence`, cached), checked like its own sentences
   against that sentence: what survives is an English answer whose citation quotes the
   Arabic and carries the English sentence. With "first" this comes before the draft,
   which is written only when no rendering verifies.

Without a model (`llm=None`) it is the extractive answer alone. `timings` holds
milliseconds for rewrite, embed_query, retrieve, answer (sentence scoring),
prompt, first_token, generation, verification and rendering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from index.embed import Embedder
from qa.answerability import features, load_model
from qa.citations import VerifiedAnswer, check_citations
from qa.combine import add_outlets, outlet_relation, question_parts, select_parts
from qa.extractive import (
    Candidate,
    candidate_sentences,
    compose,
    rank_sources,
    select,
    sentence_vectors,
    weighted_scores,
    with_rendering,
)
from qa.followup import standalone_question
from qa.language import detect_language
from qa.llm import ChatModel
from qa.models import Answer, AnswerEvent, Citation, Passage
from qa.prompt import answer_messages
from qa.question import Slot, analyze_question, coverage
from qa.settings import Settings
from qa.translate import EvidenceRenderer

log = logging.getLogger(__name__)

#: How the flow retrieves: (question, its query vector, k) -> passages, best first.
Retrieve = Callable[[str, Sequence[float], int], list[Passage]]


def answer_events(
    question: str,
    history: Sequence[tuple[str, str]],
    *,
    settings: Settings,
    embedder: Embedder,
    llm: ChatModel | None,
    retrieve: Retrieve,
    k: int,
    render_question: Callable[[str], str | None] | None = None,
) -> Iterator[AnswerEvent]:
    """Stream the answer to a cleaned `question` (see the module docstring); the last event holds the `Answer`.

    `render_question` gives an English question's Arabic rendering (`qa.translate`; None: none), which then orders
    the sentences too (`qa.extractive.with_rendering`).
    """
    s = settings
    timings: dict[str, float] = {}
    language = detect_language(question)

    t = time.perf_counter()
    standalone = standalone_question(question, history, llm)
    if history:
        timings["rewrite"] = _ms(t)
    t = time.perf_counter()
    vector = embedder.embed_query(standalone)
    timings["embed_query"] = _ms(t)
    t = time.perf_counter()
    passages = tuple(retrieve(standalone, vector, k))
    timings["retrieve"] = _ms(t)
    t = time.perf_counter()
    slot = analyze_question(standalone)
    candidates = candidate_sentences(passages)
    vectors = sentence_vectors(candidates, embedder)
    # The extractive answer's order: what answers first, then cosine + coverage (w = the model order's).
    scored = rank_sources(vector, candidates, embedder, slot, vectors, weight=s.source_coverage_weight(language))
    rendering = render_question(standalone) if render_question is not None and language == "en" else None
    if rendering:  # cached: retrieval has just asked for it
        scored = with_rendering(scored, candidates, vectors, rendering, embedder, slot)
    chosen, parts = cross_article(standalone, slot, scored, candidates, vectors, embedder, s, language)
    covered = coverage(slot, [p.chunk.text for p in passages])
    answerable = answerability(slot, passages, scored, language, embedder, s, covered)
    if chosen and (covered < s.min_coverage(language) or (answerable is not None and not answerable[1])):
        chosen = []  # the passages do not hold what the question asks about: the fixed reply
    text, citations = compose(chosen, language, slot, outlet_relation(chosen, slot))
    timings["answer"] = _ms(t)
    base = Answer(
        question=question, text=text, language=language, answered=bool(citations), citations=citations,
        passages=passages, backend="extractive", timings=timings,
        standalone_question=standalone if standalone != question else None, coverage=round(covered, 3),
        answerability=None if answerable is None else round(answerable[0], 3),
    )  # fmt: skip
    if llm is None or not chosen:  # no model, or nothing relevant enough: no need to ask one
        yield AnswerEvent(kind="answer", answer=base.model_copy(update={"backend": llm.name if llm else "extractive"}))
        return
    rendered_label = f"{llm.name} (English rendering of the cited sentences)"
    if not s.model_drafts_for(language, getattr(llm, "backend", None)):
        # The model renders questions and rewrites follow-ups; the answer is the extractive one, or (opt-in) the
        # model's checked English sentences from the evidence.
        label = f"extractive ({llm.name} does not draft {language} answers: model_drafts={s.model_drafts})"
        answer = base.model_copy(update={"backend": label})
        if language == "en" and s.render_evidence != "off":
            rendered = _timed(timings, lambda: render_evidence(standalone, chosen, llm, s, embedder, slot))
            if rendered is not None and rendered.answered:
                answer = _rendered_answer(answer, rendered, rendered_label, timings)
        yield AnswerEvent(kind="answer", answer=answer)
        return
    if language == "en" and s.render_evidence == "first":
        rendered = _timed(timings, lambda: render_evidence(standalone, chosen, llm, s, embedder, slot))
        if rendered is not None and rendered.answered:
            yield AnswerEvent(kind="answer", answer=_rendered_answer(base, rendered, rendered_label, timings))
            return

    t = time.perf_counter()
    # The model sees the sentences closest to the question whether or not they passed the answering check
    # (bench/answering.py: putting the passing ones first lowered answer-sentence recall by about a point),
    # for an Arabic question with what of the question they and their passage hold counted in (`source_order`).
    sources = source_order(scored, slot, s.source_coverage_weight(language))[: s.llm_sentences]
    # Each outlet's account and each part's sentence are given to the model too (after the closest ones).
    sources += [c for c in chosen if not any(_same(c, x) for x in sources)]
    messages = answer_messages(
        standalone, [c.text for c in sources], language, slot.kind, may_decline=s.model_may_decline
    )
    timings["prompt"] = _ms(t)
    t = time.perf_counter()
    draft = ""
    try:
        for piece in llm.stream(messages):
            if not draft:
                timings["first_token"] = _ms(t)
            draft += piece
            yield AnswerEvent(kind="token", text=piece)
    except Exception as exc:  # the model failed (an endpoint down, a timeout): the extractive answer still stands
        # The exception's type only: its text may quote a request, and a request may carry a key.
        log.warning("generation by %s failed (%s); showing the extractive answer", llm.name, type(exc).__name__)
        timings["generation"] = _ms(t)
        failed = f"extractive (fallback: {llm.name} failed, {type(exc).__name__})"
        yield AnswerEvent(kind="answer", answer=base.model_copy(update={"draft": draft, "backend": failed}))
        return
    timings["generation"] = _ms(t)

    t = time.perf_counter()
    parts_slots = [analyze_question(p) for p in parts] if len(parts) > 1 else slot
    verified = check_citations(
        draft, sources, embedder, min_support=s.min_support(language), language=language, slot=parts_slots,
        outlets={p.chunk.outlet for p in passages if p.chunk.outlet},
    )  # fmt: skip
    timings["verification"] = _ms(t)
    common = {"draft": draft, "sentences": verified.sentences, "timings": timings}
    if verified.answered and not _covers(verified.citations, chosen, len(parts)):
        # The extractive answer quotes each outlet (or each part of the question); a model answer that leaves
        # one out says less than it: the extractive one is shown, with the model's verdicts kept.
        verified = verified.model_copy(update={"answered": False})
    if verified.answered:
        answer = base.model_copy(
            update={**common, "text": verified.text, "citations": verified.citations, "backend": llm.name}
        )
    else:  # nothing verified, or a refusal although relevant sentences were found: the extractive answer
        answer = base.model_copy(update={**common, "backend": f"extractive (fallback from {llm.name})"})
        if language == "en" and s.render_evidence == "fallback":
            # ... or, for an English question, the chosen Arabic sentences rendered in English and checked.
            rendered = _timed(timings, lambda: render_evidence(standalone, chosen, llm, s, embedder, slot))
            if rendered is not None and rendered.answered:
                answer = _rendered_answer(answer, rendered, rendered_label, timings)
            elif rendered is not None:  # the renderings' verdicts are kept beside the draft's
                answer = answer.model_copy(update={"sentences": answer.sentences + rendered.sentences})
    yield AnswerEvent(kind="answer", answer=answer)


def cross_article(
    question: str,
    slot: Slot,
    scored: Sequence[Candidate],
    candidates: Sequence[Candidate],
    vectors: np.ndarray,
    embedder: Embedder,
    settings: Settings,
    language: str,
) -> tuple[list[Candidate], list[str]]:
    """The extractive answer's sentences and the parts of the question they answer (`qa.combine`).

    A compound question gets one sentence per part and the best one for the whole question (a yes/no part
    is poorly served by similarity alone: on the seed set the whole question's best held what its part's
    missed); one whose parts do not each find a sentence, and any other question, gets the best sentences
    with each other outlet's best account of the asked value.
    """
    min_relevance = settings.min_relevance(language)
    chosen = select(scored, min_relevance=min_relevance, max_sentences=settings.max_answer_sentences, slot=slot)
    parts = question_parts(question)
    if len(parts) > 1:
        per_part = select_parts(parts, candidates, vectors, embedder, min_relevance=min_relevance)
        if len(per_part) == len(parts):  # each part's sentence, then the whole question's best not among them
            extra = [c for c in chosen if not any(_same(c, x) for x in per_part)]
            return per_part + extra[:1], parts
    return add_outlets(chosen, scored, slot, min_relevance=min_relevance), [question]


def answerability(
    slot: Slot,
    passages: Sequence[Passage],
    scored: Sequence[Candidate],
    language: str,
    embedder: Embedder,
    settings: Settings,
    covered: float,
) -> tuple[float, bool] | None:
    """The learned model's P(answerable) and whether it reaches the threshold (`qa.answerability`).

    `covered` is the passages' coverage of the question, which the flow has computed already.

    None when it is switched off or was fitted on another embedder (whose similarities mean something else).
    """
    if not settings.answerability_model:
        return None
    model = load_model()
    if not model.applies_to(embedder.model_id):
        return None
    p = model.probability(language, features(slot, passages, scored, covered=covered))
    return None if p is None else (p, p >= model.threshold(language))


def source_order(scored: Sequence[Candidate], slot: Slot, weight: float) -> list[Candidate]:
    """The sentences in the order the model is given them: cosine, plus `weight` x the question's coverage.

    Coverage (`qa.extractive.weighted_scores`) is counted twice: of the sentence, and of its passage. With
    `weight` 0 it is the order `rank_sources` scored them by (the cosine, or with an English question's
    rendering `qa.extractive.with_rendering`'s), whether or not they answer. `bench/answering.py` measures
    it: on XQuAD dev, Arabic questions, the gold sentence among the first 5 rises .910 -> .935 (half A, where
    0.1 was chosen) and .891 -> .922 (half B); for English questions (only names and numbers compare across
    languages) it falls, so 0.
    """
    if weight <= 0:
        return sorted(scored, key=lambda c: -c.order)
    keys = weighted_scores(scored, slot, weight)
    return [c for _, c in sorted(zip(keys, scored, strict=True), key=lambda kc: -kc[0])]


def _same(a: Candidate, b: Candidate) -> bool:
    return a.passage.chunk.article_id == b.passage.chunk.article_id and a.start == b.start


def _covers(citations: Sequence[Citation], chosen: Sequence[Candidate], parts: int) -> bool:
    """Whether a verified answer cites every outlet the extractive answer quotes, and each part's sentence.

    (Citing as many sentences as there are parts is not enough: the local model answered "84% [1][2][3]"
    to "what purity, and what did Washington warn of?".)
    """
    outlets = {c.passage.chunk.outlet for c in chosen}
    if len(outlets) > 1 and None not in outlets and not outlets <= {c.outlet for c in citations}:
        return False
    cited = {(c.article_id, c.start) for c in citations}
    return parts < 2 or all((c.passage.chunk.article_id, c.start) in cited for c in chosen[:parts])


def render_evidence(
    question: str, chosen: Sequence[Candidate], llm: ChatModel, settings: Settings, embedder: Embedder, slot: Slot
) -> VerifiedAnswer | None:
    """For each chosen Arabic sentence, the English sentence `llm` answers `question` with from it alone, checked.

    (`qa.translate.EvidenceRenderer`.) Each cites the one sentence it comes from and goes through
    `check_citations` like a model's sentence (facts kept and none added, similarity, answering
    the question), so what is kept can be shown as an English answer whose citations quote the
    Arabic and carry the rendering. None when no sentence was rendered.
    """
    renderer = EvidenceRenderer(llm, settings.cache_dir)
    chosen = chosen[: settings.render_sentences]
    parts = [(i, r) for i, c in enumerate(chosen, start=1) if (r := renderer.render(c.text, question))]
    if not parts:
        return None
    draft = " ".join(f"{r.rstrip('.')} [{i}]." for i, r in parts)
    return check_citations(draft, chosen, embedder, min_support=settings.min_support("en"), language="en", slot=slot)


def _timed(timings: dict[str, float], render: Callable[[], VerifiedAnswer | None]) -> VerifiedAnswer | None:
    """`render()`, its milliseconds recorded as `timings["rendering"]`."""
    t = time.perf_counter()
    try:
        return render()
    finally:
        timings["rendering"] = _ms(t)


def _rendered_answer(answer: Answer, rendered: VerifiedAnswer, backend: str, timings: dict[str, float]) -> Answer:
    """`answer` showing the verified renderings instead (the draft's verdicts, if any, stay before theirs)."""
    shown = {"text": rendered.text, "citations": rendered.citations, "backend": backend, "timings": timings}
    return answer.model_copy(update={**shown, "sentences": answer.sentences + rendered.sentences})


def final_answer(events: Iterator[AnswerEvent]) -> Answer:
    """Run a stream to its end and return its verified answer."""
    for event in events:
        if event.answer is not None:
            return event.answer
    raise RuntimeError("the answer stream ended without an answer")  # a bug, not a user error


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
