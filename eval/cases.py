"""The evaluation set's cases: typed models, a JSON Lines loader, and resolving gold articles.

A case names its gold articles by *source label* (`"000_a1ddd61cadbabb1f.txt"`, `"...txt#2"` for the
second article in a file), because labels stay put while article ids are hashes of the cleaned text
and change whenever cleaning does. `resolve_articles` maps labels to the articles as cleaned today and
checks that every gold quote is still a verbatim span of its article, so a cleaning change that breaks
the set fails loudly instead of silently scoring against nothing.

It does not score anything: the runner does (see `eval/data/README.md` for the conventions).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from index.errors import InputError
from index.models import Article
from qa.models import Language

Kind = Literal["fact", "differs_by_outlet", "multi_passage", "follow_up", "unanswerable"]

#: The id's middle part for each kind, e.g. "ar-outlet-003".
KIND_TAGS: dict[str, str] = {
    "fact": "fact",
    "differs_by_outlet": "outlet",
    "multi_passage": "multi",
    "follow_up": "follow",
    "unanswerable": "unans",
}

__all__ = ["KIND_TAGS", "EvalCase", "GoldQuote", "KeyFact", "Kind", "Turn", "load_cases", "resolve_articles"]


class KeyFact(BaseModel):
    """A fact a correct answer must state; it counts as stated when any variant occurs in the answer.

    Variants cover both languages (e.g. "350", "٣٥٠", "three hundred and fifty"); the runner compares
    them after `index.normalize.normalize`, so diacritics, alef forms and Arabic-Indic digits need no
    separate variants.
    """

    model_config = ConfigDict(frozen=True)

    fact: str = Field(min_length=1, description="What the fact is, for people reading a report.")
    variants: list[str] = Field(min_length=1)


class Turn(BaseModel):
    """One earlier exchange of a conversation that a follow-up question depends on."""

    model_config = ConfigDict(frozen=True)

    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)


class GoldQuote(BaseModel):
    """A verbatim span of a gold article's cleaned text that supports the gold answer."""

    model_config = ConfigDict(frozen=True)

    article: str = Field(min_length=1, description="Source label of the article, e.g. 'x.txt#2'.")
    quote: str = Field(min_length=1)


class EvalCase(BaseModel):
    """One question with its gold answer, key facts, gold articles and supporting quotes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^(ar|en)-(fact|outlet|multi|follow|unans)-\d{3}$")
    question: str = Field(min_length=1)
    language: Language
    kind: Kind
    history: list[Turn] = Field(default_factory=list)
    answerable: bool
    gold_answer: str = Field(min_length=1)
    key_facts: list[KeyFact] = Field(default_factory=list)
    gold_articles: list[str] = Field(default_factory=list)
    gold_quotes: list[GoldQuote] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> EvalCase:
        lang, tag = self.id.split("-")[:2]
        if lang != self.language or tag != KIND_TAGS[self.kind]:
            raise ValueError(f"id {self.id!r} does not match language {self.language!r} and kind {self.kind!r}")
        if self.answerable == (self.kind == "unanswerable"):
            raise ValueError("a case is unanswerable exactly when its kind is 'unanswerable'")
        if bool(self.history) != (self.kind == "follow_up"):
            raise ValueError("follow-up cases need a history, and only they have one")
        if self.answerable and not (self.key_facts and self.gold_articles and self.gold_quotes):
            raise ValueError("an answerable case needs key facts, gold articles and gold quotes")
        if not self.answerable and (self.key_facts or self.gold_articles or self.gold_quotes):
            raise ValueError("an unanswerable case has no key facts, gold articles or gold quotes")
        stray = {q.article for q in self.gold_quotes} - set(self.gold_articles)
        if stray:
            raise ValueError(f"gold quotes cite articles not in gold_articles: {sorted(stray)}")
        return self


def load_cases(path: Path) -> list[EvalCase]:
    """Read a JSON Lines file of cases (blank lines skipped); raise `InputError` naming the bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the evaluation set ({exc}); give a UTF-8 .jsonl file") from exc
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = EvalCase.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {lineno} is not valid JSON ({exc.msg})") from exc
        except ValidationError as exc:
            raise InputError(f"{path}: line {lineno} is not a valid case: {_first_error(exc)}") from exc
        if case.id in seen:
            raise InputError(f"{path}: line {lineno} repeats case id {case.id!r}; ids must be unique")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise InputError(f"{path}: the evaluation set has no cases")
    return cases


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]


def resolve_articles(cases: Iterable[EvalCase], articles: Sequence[Article]) -> dict[str, Article]:
    """Map every gold article label of `cases` to its cleaned article, checking every gold quote is verbatim.

    Raises `InputError` naming the case when a label matches no article, or a quote is not a span of its
    article's cleaned text (re-copy it from the cleaned text, e.g. from `index.load.read_articles`).
    """
    by_label = {a.source: a for a in articles}
    resolved: dict[str, Article] = {}
    for case in cases:
        for label in case.gold_articles:
            if label not in by_label:
                known = ", ".join(sorted(by_label)) or "none"
                raise InputError(f"case {case.id}: gold article {label!r} is not in the corpus (articles: {known})")
            resolved[label] = by_label[label]
        for gold in case.gold_quotes:
            if gold.quote not in by_label[gold.article].text:
                raise InputError(
                    f"case {case.id}: quote {gold.quote[:60]!r} is not a verbatim span of {gold.article}'s "
                    "cleaned text; copy it from the cleaned article"
                )
    return resolved
