"""The citation checker: only sentences backed by the passages they cite reach the user.

`check_citations(answer_text, sources, embedder, ...)` splits a generated answer
into sentences (Latin and Arabic punctuation, a marker written after the full
stop belongs to the sentence before it) and checks each one:

1. it cites at least one passage that was given to the model (`[n]` with n in
   1..len(sources)); markers naming anything else are removed. A sentence with
   no marker is repaired when one given passage supports it on its own;
2. every number, date word and Latin-script name it states is in the cited
   passages (`qa.facts`: normalised, digits folded, across languages), the question's
   own included: a sentence that repeats the question's "12 days" cites a passage
   that must say it too. A name may be held by the retrieved passage (chunk) the cited
   sentence is from rather than by the sentence itself, which often refers back to it
   ("وتشعر الوكالة بقلق…" after the chunk has named the IAEA); numbers and dates may not;
3. it is semantically close to the span it cites: the cosine similarity of the
   multilingual e5 vectors of the sentence and of the best sentence of the cited
   passage is at least `min_support` (calibrated by `bench/calibrate_support.py`);
4. it does not reverse a denial: when the clause closest to it, of the cited span or of the
   given span closest to it (citing a vaguer passage does not dodge this), denies something
   ("ولطالما نفت طهران سعيها لامتلاك أسلحة نووية", "Iran denied ...") and the sentence has no
   negation or denial of its own, it states what the article says was denied, however similar
   it is ("Tehran says its program is for producing weapons");
5. given the question's slot, it answers the question (`qa.question.check_answering`):
   a supported sentence that restates the question or lacks what it asks is dropped;
6. it does not repeat a sentence kept before it (`index.normalize.near_duplicate`): the small model
   often writes the same sentence once per passage, each citing another one.

Sentences that fail are dropped, and the record says why. The kept ones are
rewritten with their markers renumbered 1, 2, ... in order of appearance, each
pointing at a `Citation` whose quote is the exact article span that supports it
(the best-supporting sentence of the cited passage). The live pipeline and the
evaluation runner share this function.

It does not fix wrong facts or translate: a sentence is kept or dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from index.chunk import split_sentences
from index.embed import Embedder
from index.normalize import near_duplicate, normalize
from qa.extractive import NOT_IN_ARTICLES, Candidate
from qa.facts import Facts, facts_of, missing_facts, name_in
from qa.language import detect_language
from qa.models import Citation, Language, Passage, SentenceCheck
from qa.outlets import forms as outlet_forms
from qa.question import Slot, check_answering

__all__ = ["VerifiedAnswer", "check_citations", "is_refusal", "sources_from_passages", "split_answer"]

_DIGITS = str.maketrans({chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)})
_MARKER = re.compile(r"\[\s*(\d+(?:\s*[,،]\s*\d+)*)\s*\]")
# A marker group written after the sentence's end punctuation on the same line: "... missiles. [1] Next".
# It belongs to the sentence before, unless the model writes markers first ("[1] Iran ... [2] It ...").
_MARKER_AFTER_STOP = re.compile(r"([.!?؟؛…])([ \t]*)((?:\[\s*\d+(?:\s*[,،]\s*\d+)*\s*\][ \t]*)+)")
_STOP = "..!?؟؛…"


class VerifiedAnswer(BaseModel):
    """The checked answer: kept sentences with renumbered markers, their citations, and every sentence's verdict."""

    model_config = ConfigDict(frozen=True)

    text: str
    citations: tuple[Citation, ...]
    sentences: tuple[SentenceCheck, ...]
    answered: bool
    refused: bool = False


def sources_from_passages(passages: Sequence[Passage]) -> list[Candidate]:
    """Whole retrieved chunks as numbered sources (for callers that gave the model chunks, not sentences)."""
    return [Candidate(p, p.chunk.start, p.chunk.end, p.chunk.text, p.score) for p in passages]


def split_answer(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """The answer's sentences, each with the marker numbers it carries (in order, without repeats)."""
    text = text.translate(_DIGITS)
    if not _MARKER.match(text.strip()):  # markers trail their sentence (unless the answer opens with one)
        text = _MARKER_AFTER_STOP.sub(lambda m: f" {m.group(3).strip()}{m.group(1)}{m.group(2) or ' '}", text)
    out: list[tuple[str, tuple[int, ...]]] = []
    for s, e in split_sentences(text):
        sentence = text[s:e]
        numbers = (int(n) for m in _MARKER.finditer(sentence) for n in re.split(r"[,،]", m.group(1)))
        markers = tuple(dict.fromkeys(numbers))
        plain = _MARKER.sub("", sentence)
        if not any(ch.isalnum() for ch in plain):  # a stray marker line: it belongs to the sentence before
            if out and markers:
                prev, prev_markers = out[-1]
                out[-1] = (prev, tuple(dict.fromkeys(prev_markers + markers)))
            continue
        out.append((sentence, markers))
    return out


def strip_markers(sentence: str) -> str:
    """The sentence without its markers, white space tidied."""
    plain = _MARKER.sub("", sentence)
    plain = re.sub(r"\s+([.!?؟؛,،:])", r"\1", plain)
    return re.sub(r"\s+", " ", plain).strip()


def plain_text(answer_text: str) -> str:
    """An answer's text without its citation markers (what is scored against gold answers)."""
    return " ".join(strip_markers(sentence) for sentence, _ in split_answer(answer_text))


def is_refusal(text: str) -> bool:
    """True when the answer is (or starts with) the fixed "the articles do not say" reply, in either language."""
    norm = _letters(text)
    return any(norm.startswith(_letters(reply)) for reply in NOT_IN_ARTICLES.values())


def _says_refusal(sentence: str) -> bool:
    """True when a sentence holds the fixed reply anywhere (a small model garbles its start, or cites it)."""
    norm = _letters(sentence)
    return any(_letters(reply) in norm for reply in NOT_IN_ARTICLES.values())


def check_citations(
    answer_text: str,
    sources: Sequence[Candidate],
    embedder: Embedder,
    *,
    min_support: float,
    language: Language | None = None,
    slot: Slot | Sequence[Slot] | None = None,
    outlets: Collection[str] = (),
) -> VerifiedAnswer:
    """Check every sentence of `answer_text` against the numbered `sources` (marker n = sources[n-1]).

    With `language`, a sentence written in the other language is dropped too. With `slot`
    (`qa.question.analyze_question` of the question, or of each part of a compound one), a
    supported sentence that does not answer it (restates it, or lacks the asked number, date or
    name; for parts: answers none of them) is dropped.
    A citation of a sentence in another language than its quote carries the sentence as its
    `rendering`. A sentence that attributes its claim to an outlet (of the sources, or of `outlets`: those
    of the retrieved passages) that no passage it cites is from is dropped (`misattributed`).
    """
    if is_refusal(answer_text):
        return VerifiedAnswer(text="", citations=(), sentences=(), answered=False, refused=True)
    sentences = split_answer(answer_text)
    if not sentences:
        return VerifiedAnswer(text="", citations=(), sentences=(), answered=False)
    spans = _spans(sources)  # per source: (start, end, text) of its sentences
    flat = [sp for per in spans for sp in per]
    vectors = np.asarray(
        embedder.embed_passages([strip_markers(s) for s, _ in sentences] + [t for *_, t in flat]), dtype=np.float32
    )
    sent_vecs, span_vecs = vectors[: len(sentences)], vectors[len(sentences) :]
    offsets = np.cumsum([0] + [len(per) for per in spans])

    def best_span(sentence_index: int, source_index: int) -> tuple[float, int]:
        lo, hi = int(offsets[source_index]), int(offsets[source_index + 1])
        sims = span_vecs[lo:hi] @ sent_vecs[sentence_index]
        j = int(np.argmax(sims))
        return float(sims[j]), lo + j

    def judge(i: int, plain: str, facts: Facts, cited: list[int]) -> tuple[str | None, float, list[int]]:
        """(why not supported or None, best similarity, the spans kept as its citations) for sources `cited`."""
        missing = _missing(facts, [sources[c] for c in cited])
        scored = [(*best_span(i, c), c) for c in cited]
        support = max(s for s, _, _ in scored)
        if missing:
            return f"not in the cited passage(s): {', '.join(missing)}", support, []
        if support < min_support:
            return f"too far from the cited passage(s): similarity {support:.3f} < {min_support:.3f}", support, []
        # The cited span, and the given span closest to the sentence (citing a vaguer one does not dodge it).
        cited_best, closest = max(scored)[1], int(np.argmax(span_vecs @ sent_vecs[i]))
        checked = [(cited_best, "the cited passage")]
        if closest != cited_best:
            checked.append((closest, "the closest given passage"))
        for j, where in checked:
            denial = reversed_denial(plain, flat[j][3], sent_vecs[i], embedder)
            if denial is not None:
                return f"states what {where} says is denied: «{denial}»", support, []
        wrong = misattributed(plain, [sources[c] for c in cited], sources, outlets)
        if wrong:
            return f"attributes it to {', '.join(wrong)}, but no cited passage is from there", support, []
        # Keep the citations that support it themselves (close enough, or holding one of its facts).
        return None, support, [j for s, j, c in scored if s >= min_support or _holds_some(facts, sources[c].text)]

    checks: list[SentenceCheck] = []
    kept: list[tuple[str, list[int]]] = []  # plain sentence, indexes into `flat` it cites
    refusals = 0
    for i, (sentence, markers) in enumerate(sentences):
        plain = strip_markers(sentence)
        facts = facts_of(plain)
        notes: list[str] = []
        unknown = [m for m in markers if not 1 <= m <= len(sources)]
        if unknown:
            notes.append(f"removed citation(s) {unknown} to passages that were not given")
        cited = [m - 1 for m in markers if 1 <= m <= len(sources)]
        repaired = False
        if not cited:
            cited = _supporting_source(i, facts, sources, best_span, min_support)
            repaired = bool(cited)
            if repaired:
                notes.append(f"no valid citation: added [{cited[0] + 1}], which supports it")
        reason: str | None = None
        support: float | None = None
        chosen: list[int] = []
        if _says_refusal(plain):
            reason = "the 'articles do not say' reply, not a claim"
            refusals += 1
        elif not cited:
            reason = "no citation to a given passage"
        elif language is not None and detect_language(plain) != language:
            reason = f"not in the question's language ({language})"
        else:
            reason, support, chosen = judge(i, plain, facts, cited)
            other = [] if reason is None else _supporting_source(i, facts, sources, best_span, min_support)
            if other and other != cited:  # the model cited the wrong passage: cite the one that supports it
                notes.append(f"cited {[c + 1 for c in cited]}, but [{other[0] + 1}] supports it: re-cited")
                reason, support, chosen = judge(i, plain, facts, other)
        answers: bool | None = None
        if reason is None and slot is not None:
            # A compound question's sentence answers one of its parts (`qa.combine.question_parts`).
            verdicts = [check_answering(one, plain) for one in ([slot] if isinstance(slot, Slot) else slot)]
            verdict = next((v for v in verdicts if v.answers), verdicts[0])
            answers = verdict.answers
            reason = None if verdict.answers else f"does not answer the question: {verdict.reason}"
        if reason is None and any(near_duplicate(plain, earlier) for earlier, _ in kept):
            reason = "repeats an earlier sentence of the answer"  # the 1.5B model writes one sentence per passage
        if reason is None:
            kept.append((plain, chosen))
        checks.append(
            SentenceCheck(
                text=sentence,
                cited=markers,
                verified=reason is None,
                reason=reason,
                note="; ".join(notes) or None,
                support=None if support is None else round(support, 4),
                answers=answers,
            )
        )
    text, citations, renumbered = _compose(kept, flat, sources)
    it = iter(renumbered)
    checks = [c.model_copy(update={"markers": next(it)}) if c.verified else c for c in checks]
    return VerifiedAnswer(text=text, citations=citations, sentences=tuple(checks), answered=bool(kept),
                          refused=not kept and refusals > 0)  # fmt: skip


def reversed_denial(sentence: str, span: str, sentence_vector: np.ndarray, embedder: Embedder) -> str | None:
    """The clause of `span` that denies what `sentence` asserts without any negation, or None.

    Only when the span holds a denial and the sentence no negation: then the span is cut into clauses (at commas
    and semicolons) and, when the clause closest to the sentence is the denial, the sentence has turned "X denied
    seeking weapons" into "X seeks weapons". A sentence closer to another clause ("…, saying its programme is
    purely peaceful") is left alone.
    """
    if not _DENIAL.search(normalize(span).lower()) or _NEGATION.search(normalize(sentence).lower()):
        return None
    clauses = [c.strip() for c in re.split(r"[،,;؛]", span) if len(c.split()) >= 2]
    if len(clauses) <= 1:
        return span.strip()
    vectors = np.asarray(embedder.embed_passages(clauses), dtype=np.float32)
    closest = clauses[int(np.argmax(vectors @ sentence_vector))]
    return closest if _DENIAL.search(normalize(closest).lower()) else None


# Denials in a cited span, and negations in a sentence (normalised: alef forms, ta marbuta, alef maqsura folded).
_AR_DENIAL = r"(?:نفت|نفي|نفوا|تنفي|ينفي|نافيه|نافيا|نافين|انكر|انكرت|تنكر|ينكر|منكره)"
_DENIAL = re.compile(rf"(?:^|\s)[وف]?{_AR_DENIAL}(?:\s|$)|\bden(?:y|ies|ied|ying|ial|ials)\b")
_NEGATION = re.compile(
    rf"(?:^|\s)[وف]?(?:لا|لم|لن|ليس|ليست|غير|عدم|رفض|رفضت|يرفض|ترفض|{_AR_DENIAL})(?:\s|$)"
    r"|\b(?:not|no|never|none|nor|without|den(?:y|ies|ied|ying|ial|ials)|rejects?|rejected|refutes?|refuted|"
    r"dismiss(?:es|ed)?)\b|n't\b"
)


def misattributed(
    sentence: str, cited: Sequence[Candidate], sources: Sequence[Candidate], outlets: Collection[str] = ()
) -> list[str]:
    """The outlets `sentence` attributes a claim to ("according to X", "بحسب X") that none of `cited` is from.

    Only the outlets of the given sources and `outlets` are known, and only attribution phrases count: "الشرق" in
    "الشرق الأوسط" is no attribution. An outlet comes from the article's metadata, never the text.
    """
    known = ({src.passage.chunk.outlet for src in sources} | set(outlets)) - {None, ""}
    cited_outlets = {src.passage.chunk.outlet for src in cited}
    norm = normalize(sentence)
    # A cited outlet's own names are masked first ("According to Asharq Al-Awsat" attributes nothing to Asharq),
    # except where they begin another known outlet's longer name (cited Asharq, "بحسب الشرق الأوسط").
    cited_forms = sorted({normalize(f) for o in cited_outlets if o for f in outlet_forms(o)}, key=len, reverse=True)
    other_forms = {normalize(f) for o in known - cited_outlets for f in outlet_forms(str(o))}
    for form in cited_forms:
        rests = [o[len(form) :].strip() for o in other_forms if o.startswith(form + " ")]
        longer = "".join(rf"(?!\s+{re.escape(rest)})" for rest in rests)
        norm = re.sub(rf"(?<!\w){re.escape(form)}(?!\w){longer}", " @ ", norm)
    wrong = []
    for outlet in sorted(known - cited_outlets, key=str):
        for i, form in enumerate(outlet_forms(str(outlet))):
            name = re.escape(normalize(form))
            before = rf"(?:{_ATTRIBUTION_BEFORE})\s+(?:(?:{_MEDIUM})\s+)?{name}(?!\w)"
            if i > 0 and _ARABIC.search(form):  # the table's Arabic names are words too ("اليوم", "الوطن")
                before = rf"(?:{_ATTRIBUTION_BY})\s+(?:(?:{_MEDIUM})\s+)?{name}(?!\w)"
                if re.search(before, norm):
                    wrong.append(str(outlet))
                    break
                continue
            after = rf"(?<!\w){name}\s+(?:{_ATTRIBUTION_AFTER})(?!\w)"
            joined = rf"(?:{_ATTRIBUTION_BEFORE})\s+(?:[^\s]+\s+){{0,3}}?(?:and|و)\s*{name}(?!\w)"
            if re.search(before, norm) or re.search(after, norm) or re.search(joined, norm):
                wrong.append(str(outlet))
                break
    return wrong


# Normalised attribution phrases (qa.extractive.compose writes "بحسب X:", "X gives …", "According to X").
_ATTRIBUTION_BEFORE = "|".join(
    re.escape(normalize(w))
    for w in ("بحسب", "حسب", "وبحسب", "وفق", "وفقا ل", "وفقا لـ", "نقلا عن", "ذكرت", "وذكرت", "قالت", "وقالت",
              "افادت", "اوردت", "according to", "reported by", "reports from", "per")
)  # fmt: skip
# The prepositional ones only ("بحسب اليوم" names the daily; "وقالت اليوم" is "she said today").
_ATTRIBUTION_BY = "|".join(re.escape(normalize(w)) for w in ("بحسب", "حسب", "وبحسب", "وفق", "وفقا ل", "نقلا عن"))
_ARABIC = re.compile("[\u0600-\u06ff]")
_MEDIUM = "|".join(normalize(w) for w in ("صحيفة", "موقع", "قناة", "وكالة", "the"))
_ATTRIBUTION_AFTER = "|".join(
    ("reports", "reported", "says", "said", "gives", "give", "say", "writes", "wrote", "adds", "notes", "also")
)


def _spans(sources: Sequence[Candidate]) -> list[list[tuple[Candidate, int, int, str]]]:
    """Each source's sentences as (source, article start, article end, text); a one-sentence source is itself."""
    out: list[list[tuple[Candidate, int, int, str]]] = []
    for src in sources:
        pieces = split_sentences(src.text) or [(0, len(src.text))]
        out.append([(src, src.start + s, src.start + e, src.text[s:e]) for s, e in pieces])
    return out


def _supporting_source(
    i: int, facts: Facts, sources: Sequence[Candidate], best_span: Callable[[int, int], tuple[float, int]],
    min_support: float,
) -> list[int]:  # fmt: skip
    """The one source that supports an uncited sentence on its own (facts held, similar enough), if any."""
    best: tuple[float, int] | None = None
    for c, src in enumerate(sources):
        if _missing(facts, [src]):
            continue
        score, _ = best_span(i, c)
        if score >= min_support and (best is None or score > best[0]):
            best = (score, c)
    return [] if best is None else [best[1]]


def _missing(facts: Facts, cited: Sequence[Candidate]) -> list[str]:
    """The facts the cited sentences do not hold; a name counts as held when their passages (chunks) hold it.

    The outlet of a cited article counts as held too, by any of its names (`qa.outlets.forms`: "According to
    Al-Weeam [1]" over a sentence of an Al-Weeam article, "According to Alhurra [1]" over one of الحرة): it
    comes from the article's metadata, not its text, and `misattributed` checks it.
    """
    missing = missing_facts(facts, " ".join(c.text for c in cited))
    if missing and facts.names:  # the sentence may refer back to a name its passage gives ("the agency")
        context = " ".join(dict.fromkeys(c.passage.chunk.text for c in cited))
        outlets = {normalize(f) for c in cited if c.passage.chunk.outlet for f in outlet_forms(c.passage.chunk.outlet)}
        missing = [
            m for m in missing if m not in facts.names or not (name_in(m, context) or normalize(m).lower() in outlets)
        ]
    return missing


def _holds_some(facts: Facts, text: str) -> bool:
    total = len(facts.numbers) + len(facts.months) + len(facts.names)
    return total > 0 and len(missing_facts(facts, text)) < total


def _compose(
    kept: Sequence[tuple[str, list[int]]], flat: Sequence[tuple[Candidate, int, int, str]], sources: Sequence[Candidate]
) -> tuple[str, tuple[Citation, ...], list[tuple[int, ...]]]:
    """Answer text with renumbered markers before each sentence's end punctuation, and the citations."""
    number: dict[int, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    renumbered: list[tuple[int, ...]] = []
    for plain, spans in kept:
        marks = []
        for j in spans:
            if j not in number:
                src, start, end, quote = flat[j]
                number[j] = len(number) + 1
                chunk = src.passage.chunk
                citations.append(
                    Citation(
                        marker=number[j],
                        article_id=chunk.article_id,
                        title=chunk.title,
                        outlet=chunk.outlet,
                        date=chunk.date,
                        chunk_id=chunk.id,
                        quote=quote,
                        start=start,
                        end=end,
                        rendering=plain if detect_language(plain) != detect_language(quote) else None,
                    )
                )
            marks.append(number[j])
        marks = sorted(set(marks), key=marks.index)
        renumbered.append(tuple(marks))
        tags = "".join(f"[{m}]" for m in marks)
        stop = len(plain) - len(plain.rstrip(_STOP + "\"'”»)"))
        body, end_punct = (plain[:-stop], plain[-stop:]) if stop else (plain, "")
        parts.append(f"{body} {tags}{end_punct or '.'}")
    return " ".join(parts), tuple(citations), renumbered


def _letters(text: str) -> str:
    return "".join(ch for ch in normalize(text) if ch.isalnum())
