"""The evaluation set's cases: typed models, a JSON Lines loader, and resolving gold articles.

A case names its gold articles by *source label* (`"000_a1ddd61cadbabb1f.txt"`, `"...txt#2"` for the
second article in a file), because labels stay put while article ids are hashes of the cleaned text
and change whenever cleaning does. For a JSON Lines corpus the label is better the record's own `id`
(`"snn-014acd5ddc95"`, `"snn-014acd5ddc95#2"`): ingestion labels such an article by file name and line
(`articles.jsonl:1234`), which moves when the file is renamed, split or re-sampled; `record_labels`
maps the ids back to those labels. `resolve_articles` maps labels to the articles as cleaned today and
checks that every gold quote is still a verbatim span of its article, so a cleaning change that breaks
the set fails loudly instead of silently scoring against nothing.

It does not score anything: the runner does (see `eval/data/README.md` for the conventions).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from index.errors import InputError
from index.load import find_article_files, jsonl_label
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

__all__ = [
    "KIND_TAGS",
    "EvalCase",
    "GoldQuote",
    "KeyFact",
    "Kind",
    "Turn",
    "load_cases",
    "record_labels",
    "resolve_articles",
]


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


def record_labels(paths: Sequence[Path]) -> dict[str, str]:
    """Map the `id` of every JSON Lines record under `paths` to the source label its article gets when ingested.

    Files and lines ingestion would refuse are skipped here (ingestion reports them); when two records share
    an id, the first in file order wins.
    """
    labels: dict[str, str] = {}
    for path in find_article_files(paths):
        if path.suffix.lower() != ".jsonl":
            continue
        try:
            text = path.read_bytes().decode("utf-8-sig", errors="replace")
        except OSError:
            continue
        for lineno, line in enumerate(text.split("\n"), start=1):  # as index.load numbers them
            if '"id"' not in line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            rid = record.get("id") if isinstance(record, dict) else None
            if isinstance(rid, str) and rid.strip():
                labels.setdefault(rid.strip(), jsonl_label(path, lineno))
    return labels


def resolve_articles(
    cases: Iterable[EvalCase], articles: Sequence[Article], records: Mapping[str, str] | None = None
) -> dict[str, Article]:
    """Map every gold article label of `cases` to its cleaned article, checking every gold quote is verbatim.

    A label is an article's source label or, given `records` (record id -> source label, from `record_labels`),
    a JSON Lines record's id, optionally with the `#n` of a later article in the same record.
    Raises `InputError` naming the case when a label matches no article, or a quote is not a span of its
    article's cleaned text (re-copy it from the cleaned text, e.g. from `index.load.read_articles`).
    """
    by_label = {a.source: a for a in articles}
    records = records or {}

    def find(label: str) -> Article | None:
        if label in by_label:
            return by_label[label]
        rid, sep, part = label.partition("#")
        return by_label.get(records[rid] + sep + part) if rid in records else None

    resolved: dict[str, Article] = {}
    for case in cases:
        for label in case.gold_articles:
            article = find(label)
            if article is None:
                known = sorted(by_label)
                shown = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "")
                raise InputError(
                    f"case {case.id}: gold article {label!r} is not in the corpus (articles: {shown or 'none'}"
                    f"{f'; {len(records)} record ids' if records else ''})"
                )
            resolved[label] = article
        for gold in case.gold_quotes:
            if gold.quote not in resolved[gold.article].text:
                raise InputError(
                    f"case {case.id}: quote {gold.quote[:60]!r} is not a verbatim span of {gold.article}'s "
                    "cleaned text; copy it from the cleaned article"
                )
    return resolved
