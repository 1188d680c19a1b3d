"""Arabic-aware sentence splitting and chunking with exact character offsets.

A sentence ends at `.` `!` `?` `؟` `؛` (followed by space or the end) or at a
line break. A chunk is a run of whole sentences up to `max_chars`, and the next
chunk repeats the last `overlap` sentences, so a fact that straddles two chunks
is still whole in one. Every chunk's text is exactly `article.text[start:end]`,
which is what lets a citation quote and highlight its span.

It does not normalise or rewrite text: that would break the offsets.
"""

from __future__ import annotations

import hashlib
import re

from index.models import Article, Chunk

# End punctuation (Latin and Arabic), optionally followed by closing quotes or
# brackets, then whitespace or the end; or a line break on its own.
_SENTENCE_END = re.compile(r"[.!?؟؛…]+[\"'”’»)\]]*(?=\s|$)|\n")
#: A sentence longer than this is cut at white space, so no piece overflows the embedder.
HARD_MAX_CHARS = 1200


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return the (start, end) spans of the sentences of `text[start:end]`, stripped of white space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.extend(_trimmed(text, pos, m.end()))
        pos = m.end()
    spans.extend(_trimmed(text, pos, end))
    return [piece for span in spans for piece in _cut_long(text, *span)]


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if end > start else []


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > HARD_MAX_CHARS:
        cut = text.rfind(" ", start, start + HARD_MAX_CHARS)
        cut = cut if cut > start else start + HARD_MAX_CHARS
        pieces.extend(_trimmed(text, start, cut))
        start = cut
    pieces.extend(_trimmed(text, start, end))
    return pieces


def chunker_id(max_chars: int, overlap: int) -> str:
    """A name for the chunking settings; the store refuses to mix chunkings."""
    return f"sentences-v1:max={max_chars}:overlap={overlap}"


def chunk_id(article_id: str, start: int, end: int) -> str:
    """Deterministic chunk id: the same article content and span always give the same id."""
    digest = hashlib.sha256(f"{article_id}:{start}:{end}".encode()).hexdigest()[:8]
    return f"{article_id}-{start}-{end}-{digest}"


def chunk_article(article: Article, max_chars: int = 500, overlap: int = 1) -> list[Chunk]:
    """Cut an article into overlapping chunks of whole sentences."""
    if max_chars < 50:
        raise ValueError("max_chars must be at least 50")
    if overlap < 0:
        raise ValueError("overlap must be >= 0")
    sentences = split_sentences(article.text)
    chunks: list[Chunk] = []
    first = 0
    while first < len(sentences):
        last = first  # inclusive index of the chunk's last sentence
        while last + 1 < len(sentences) and sentences[last + 1][1] - sentences[first][0] <= max_chars:
            last += 1
        start, end = sentences[first][0], sentences[last][1]
        chunks.append(
            Chunk(
                id=chunk_id(article.id, start, end),
                article_id=article.id,
                title=article.title,
                outlet=article.outlet,
                date=article.date,
                text=article.text[start:end],
                start=start,
                end=end,
                ordinal=len(chunks),
            )
        )
        if last + 1 >= len(sentences):
            break
        # Step forward, repeating `overlap` sentences, but always make progress.
        first = max(first + 1, last + 1 - overlap)
    return chunks
