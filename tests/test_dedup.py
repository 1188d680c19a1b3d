"""Near-duplicate articles across outlets (`index.dedup`): recorded at ingest, never dropped, named in answers.

MinHash on hand-written texts, then a real embedded Chroma (fake embedder) through `Assistant`.
"""

from __future__ import annotations

import json
from pathlib import Path

from index.dedup import DUPLICATE_JACCARD, decode, encode, signature, similarity
from qa.assistant import Assistant
from qa.render import format_answer_html

WIRE = (
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة جدة بسعة 500 سرير. "
    "وقال المتحدث باسم الوزارة إن المستشفى سيخدم أكثر من مليون نسمة في المنطقة. "
    "وأضاف أن أعمال البناء استغرقت ثلاث سنوات بتكلفة بلغت مليار ريال. "
    "ويضم المستشفى أقساما للطوارئ والعناية المركزة وجراحة القلب والأطفال. "
    "وأشار إلى أن المستشفى سيبدأ استقبال المرضى مطلع الشهر المقبل."
)
# The same wire story as another outlet ran it: its own dateline and a closing line added.
COPY = "جدة - واس: " + WIRE + " ويأتي ذلك ضمن خطة الوزارة لتطوير الخدمات الصحية."
OTHER = (
    "فاز فريق الهلال على النصر بهدفين مقابل هدف في المباراة التي أقيمت مساء أمس في الرياض. "
    "وسجل الأهداف لاعبو الفريق في الشوط الثاني بعد شوط أول سلبي. "
    "وبهذا الفوز يتصدر الهلال جدول الدوري برصيد ثلاثين نقطة."
)


def test_copies_are_close_and_other_stories_far() -> None:
    a, b, c = signature(WIRE), signature(COPY), signature(OTHER)
    assert similarity(a, b) >= DUPLICATE_JACCARD > 0.3 > similarity(a, c)
    assert (signature(WIRE) == a).all() and (decode(encode(a)) == a).all()  # the same on every run


def write(folder: Path, name: str, *records: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")


def test_copies_across_outlets_are_recorded_and_named_as_also_reported(
    settings,
    fake_embedder,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    open_settings = settings.model_copy(update={"min_relevance_ar": -1.0, "min_coverage_ar": 0.0})
    assistant = Assistant(open_settings, embedder=fake_embedder)
    first, later = tmp_path / "first", tmp_path / "later"
    write(first, "a.jsonl", {"title": "مستشفى جديد في جدة", "outlet": "عكاظ", "text": WIRE},
          {"title": "الهلال يفوز", "outlet": "الرياض", "text": OTHER})  # fmt: skip
    write(later, "b.jsonl", {"title": "افتتاح مستشفى بجدة", "outlet": "المدينة", "text": COPY})
    assistant.ingest([first])
    assistant.ingest([later])  # a later run: matched against what is indexed
    by_outlet = {a.outlet: a for a in assistant.articles()}
    assert set(by_outlet) == {"عكاظ", "الرياض", "المدينة"}, "copies are kept, never dropped"
    copies = assistant.store().copies(a.id for a in by_outlet.values())
    assert [a.outlet for a in copies[by_outlet["عكاظ"].id]] == ["المدينة"]
    assert [a.outlet for a in copies[by_outlet["المدينة"].id]] == ["عكاظ"]
    assert copies[by_outlet["الرياض"].id] == []

    answer = assistant.ask("كم سريرا في المستشفى الجديد في جدة؟", k=10)
    hospital = [c for c in answer.citations if c.article_id in {by_outlet["عكاظ"].id, by_outlet["المدينة"].id}]
    assert hospital, answer.text
    for c in hospital:
        assert c.also_reported_by == ({"عكاظ": "المدينة", "المدينة": "عكاظ"}[c.outlet or ""],)
    assert "وأوردته أيضًا:" in format_answer_html(answer)

    assistant.remove(by_outlet["عكاظ"].id)  # the copy stays, and names no removed article
    assert assistant.store().copies([by_outlet["المدينة"].id]) == {by_outlet["المدينة"].id: []}


def test_copies_in_one_batch_are_recorded_too(settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assistant = Assistant(settings, embedder=fake_embedder)
    write(tmp_path / "one", "a.jsonl", {"title": "مستشفى", "outlet": "عكاظ", "text": WIRE},
          {"title": "مستشفى بجدة", "outlet": "المدينة", "text": COPY})  # fmt: skip
    assistant.ingest([tmp_path / "one"])
    ids = [a.id for a in assistant.articles()]
    assert {len(v) for v in assistant.store().copies(ids).values()} == {1}
