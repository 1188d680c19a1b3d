"""Outlet names in both scripts, so that an answer names an outlet in the question's language.

An article's outlet comes from its metadata (`index.clean`: a dateline or 'source:' line, an HTML
page's site name, a JSON record's field), in whatever script the source wrote it: "الحرة" for an
Arabic page, "Al-Weeam" in the SaudiNewsNet archive. An English answer that says "According to
الحرة" is not English, and an Arabic one that says "بحسب Al-Weeam" reads badly. This table gives
the usual English and Arabic names of the Arab outlets and agencies an Arabic news collection
mostly holds (pan-Arab channels and sites, Saudi and other Gulf dailies, the wire agencies); an
outlet it does not know keeps its metadata name in both languages.

The citation checker reads `forms` too: a cited article's outlet named in either script is held
by its metadata, and an attribution to another outlet is caught in either script.
"""

from __future__ import annotations

import functools

from index.normalize import normalize
from qa.models import Language

# (English names, the first is shown), (Arabic names, the first is shown). An Arabic name shared by two
# outlets (الجزيرة: the Qatari channel and the Saudi daily Al-Jazirah) reads as the first entry that has it.
_OUTLETS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("Alhurra", "Al Hurra", "Al-Hurra"), ("الحرة", "قناة الحرة", "موقع الحرة")),
    (("Asharq Al-Awsat", "Al-Sharq Al-Awsat", "Asharq Alawsat", "Al Sharq Al Awsat"), ("الشرق الأوسط",)),
    (("Asharq", "Asharq News", "Al-Sharq", "Al Sharq"), ("الشرق", "الشرق للأخبار")),
    (("Al Jazeera", "Al-Jazeera", "Aljazeera", "Al Jazeera Net"), ("الجزيرة", "الجزيرة نت", "قناة الجزيرة")),
    (("Al-Jazirah", "Al Jazirah"), ("الجزيرة", "صحيفة الجزيرة")),
    (("Al Arabiya", "Al-Arabiya", "Alarabiya"), ("العربية", "قناة العربية", "العربية نت")),
    (("Sky News Arabia",), ("سكاي نيوز عربية",)),
    (("BBC Arabic", "BBC"), ("بي بي سي عربي", "بي بي سي")),
    (("CNN Arabic", "CNN"), ("سي إن إن بالعربية", "سي إن إن")),
    (("RT Arabic", "RT"), ("آر تي", "روسيا اليوم")),
    (("France 24",), ("فرانس 24",)),
    (("Reuters",), ("رويترز", "وكالة رويترز")),
    (("AFP", "Agence France-Presse"), ("فرانس برس", "وكالة الصحافة الفرنسية", "وكالة فرانس برس")),
    (("AP", "Associated Press"), ("أسوشيتد برس", "وكالة أسوشيتد برس")),
    (("Axios",), ("أكسيوس", "موقع أكسيوس")),
    (("Anadolu", "Anadolu Agency"), ("الأناضول", "وكالة الأناضول")),
    (("Al-Riyadh", "Al Riyadh"), ("الرياض", "صحيفة الرياض")),
    (("Al-Yaum", "Al Yaum", "Alyaum"), ("اليوم", "صحيفة اليوم")),
    (("Okaz",), ("عكاظ", "صحيفة عكاظ")),
    (("Al-Eqtisadiya", "Al Eqtisadiya", "Aleqtisadiah"), ("الاقتصادية", "صحيفة الاقتصادية")),
    (("Al-Watan", "Al Watan"), ("الوطن", "صحيفة الوطن")),
    (("Ain Alyoum", "Ain Al-Youm"), ("عين اليوم",)),
    (("Al-Weeam", "Al Weeam", "Alweeam"), ("الوئام", "صحيفة الوئام")),
    (("Al-Madina", "Al Madina", "Al-Madinah"), ("المدينة", "صحيفة المدينة")),
    (("Sabq",), ("سبق", "صحيفة سبق")),
    (("Saudi Press Agency", "SPA"), ("وكالة الأنباء السعودية", "واس")),
    (("Arreyadi", "Al-Riyadi"), ("الرياضي", "صحيفة الرياضي")),
    (("Arriyadiyah", "Al-Riyadiyah"), ("الرياضية", "صحيفة الرياضية")),
    (("Al-Ahram", "Al Ahram"), ("الأهرام",)),
    (("Al-Quds Al-Arabi",), ("القدس العربي",)),
    (("Al-Hayat", "Al Hayat"), ("الحياة",)),
    (("An-Nahar", "Annahar"), ("النهار",)),
    (("Al Mayadeen", "Al-Mayadeen"), ("الميادين",)),
    (("Al-Khaleej", "Al Khaleej"), ("الخليج",)),
    (("Al-Bayan", "Al Bayan"), ("البيان",)),
    (("Al-Ittihad", "Al Ittihad"), ("الاتحاد",)),
    (("The National",), ("ذا ناشيونال",)),
]


def _key(name: str) -> str:
    return " ".join(normalize(name).replace("-", " ").split())


@functools.cache
def _entries() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each known name (folded: marks, case, hyphens) -> the first entry that has it."""
    out: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for entry in _OUTLETS:
        for name in entry[0] + entry[1]:
            out.setdefault(_key(name), entry)
    return out


def outlet_name(outlet: str, language: Language) -> str:
    """The outlet's usual name in `language` ("الحرة" -> "Alhurra" in English); unknown: as its metadata gives it."""
    entry = _entries().get(_key(outlet))
    if entry is None:
        return outlet
    return entry[0][0] if language == "en" else entry[1][0]


def forms(outlet: str) -> tuple[str, ...]:
    """Every name of the outlet (its metadata's first, then the table's in both scripts), for the checker."""
    entry = _entries().get(_key(outlet))
    return tuple(dict.fromkeys((outlet, *(entry[0] + entry[1] if entry else ()))))
