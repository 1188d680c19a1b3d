"""News-aware cleaning: one raw text document in, one or more `Article`s out.

What it does, by generic rules (none names a site or a sentence):

* normalises line endings, drops zero-width and control characters (keeps newlines), turns every kind of
  space into " ", collapses runs, strips lines, and keeps paragraphs, separated by one blank line;
* drops boilerplate: ad labels ("إعلان", "Advertisement"), "related"/"read also" headers with the list
  after them, tag/category/share footers, a trailing bullet list of headlines, exact repeats of an earlier
  line, "...read more" links, what a site appends to a line (a link to the story "رابط الخبر بصحيفة X: ...",
  a contact-the-writer footer with the phone lines after it, a wire end mark "// انتهى //", a slider's
  "Next Previous"), and photo captions (a line ending in a credit such as "- REUTERS", "(رويترز)", "AFP", "Getty
  Images", with a date just before it). Captions are dropped, not kept once: they describe a picture, are
  not article prose, and their dates are not the article's;
* reads metadata: a "المصدر: X" / "Source: X" line or a dateline ("دبي-الشرق", "WASHINGTON (Reuters) -")
  gives the outlet; a short first line without sentence punctuation is the title, else the first sentence
  (cut to ~120 characters) is, and the text is kept whole. The date is the article's only where the source
  says so: a "published" line ("نشر في: ...", "تاريخ النشر: ...", "Published: ..."; it is removed), else a
  dateline (a line of its own before the prose, "الجمعة 17 مايو 2024", "دبي - 17 مايو 2024", removed; or
  opening the prose, "WASHINGTON, May 17 (Reuters) -", kept), else an "updated" line ("آخر تحديث: ...",
  removed); written as in the source (Arabic, Levantine or English month names, ISO, d/m/y). A date the
  story merely mentions ("the attack of 13 April") is not the article's: the date is then None, unknown.
  Metadata of the file (a .jsonl field, an HTML meta tag: `index.load`) comes first;
* splits off another article when a standalone "read also" marker is followed by a title line and over
  ~300 characters of prose (source gets "#2", "#3", ...); otherwise the marker is boilerplate.

What it deliberately does not do: change the characters of sentences (no diacritic, alef or digit
folding: citations quote exact spans of the cleaned text), guess outlets from wording, parse dates, drop
bullet lists inside an article (they may be content), or read files or the environment (see `index.load`).
"""

from __future__ import annotations

import hashlib
import re

from index.errors import InputError
from index.models import Article

_MAX_TITLE = 150
_TRUNCATED_TITLE = 120
_SPLIT_MIN_PROSE = 300
_LIST_ITEM_MAX = 150

_ZERO_WIDTH = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")

_BULLET = re.compile(r"^(?:[•·▪●◦►‣]\s*|[*\-–—]\s+)\S")
_CLOSERS = "\"'»”’)] "
_SENTENCE_END = ".!?؟…"
_NOT_TITLE_END = ".!…:;؛,،"

_READ = r"[إاأ]قر[أا]"
_ALSO = r"[أا]يض(?:اً|ًا|ا)"
_TAIL = r"\s*(?P<colon>[:：])?\s*(?P<rest>.*)$"
_READ_ALSO = re.compile(rf"^(?:{_READ}\s+{_ALSO}|read\s+(?:also|more)|also\s+read|see\s+also){_TAIL}", re.IGNORECASE)
_RELATED = re.compile(
    r"^(?:(?:مقالات|أخبار|اخبار|مواضيع|موضوعات|قصص)\s+(?:مشابهة|ذات\s+صلة|ذات\s+علاقة|متعلقة|مرتبطة|أخرى)"
    r"|الأكثر\s+قراءة|related(?:\s+(?:articles|stories|news|posts|content|coverage))?|more\s+stories"
    rf"|most\s+read|you\s+may\s+also\s+like){_TAIL}",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"^(?:التصنيفات|تصنيفات|التصنيف|الوسوم|وسوم|الكلمات\s+المفتاحية|كلمات\s+مفتاحية|كلمات\s+دلالية"
    r"|شارك(?:\s+(?:هذا\s+)?(?:المقال|الخبر))?|مشاركة|tags?|categories|category|topics|filed\s+under"
    rf"|share(?:\s+this(?:\s+(?:article|story|page))?)?){_TAIL}",
    re.IGNORECASE,
)
_AD = re.compile(
    r"^[\s\-–—_*•·|()\[\]]*(?:إعلان|اعلان|إعلانات|اعلانات|مساحة\s+إعلانية|محتوى\s+(?:مدعوم|ممول|إعلاني)"
    r"|advertisement|advertisements|advertising|ads?|sponsored(?:\s+(?:content|post))?|promoted|paid\s+content)"
    r"[\s\-–—_*•·|()\[\]]*$",
    re.IGNORECASE,
)
_MORE = re.compile(
    r"^(?:(?:\.{2,}|…)\s*(?:المزيد|اقرأ\s+المزيد|read\s+more)|(?:المزيد|read\s+more)\s*(?:\.{2,}|…))$", re.IGNORECASE
)
# What a site appends to the prose of a line, cut from where it starts: "رابط الخبر بصحيفة X: <headline>" (a link
# to the story), a contact-the-writer footer ("للتواصل مع الكاتب ارسل رسالة SMS ..."), a wire end mark "// انتهى //".
_TRAILER = re.compile(
    r"\s*(?:رابط\s+(?:ال)?(?:خبر|مقال|موضوع)\s+(?:ب|في\s+)?(?:صحيفة|موقع|جريدة)\s+[^\s:：]+(?:\s+[^\s:：]+)?\s*[:：].*"
    r"|(?P<contact>(?:\S+@\S+?)?للتواصل(?:\s+مع\s+الكاتب)?\s+[أا]رسل\s+(?:رسالة\s+(?:نصية\s+)?)?sms\b.*)"
    r"|//\s*(?:انتهى|يتبع)\s*//)\s*$",
    re.IGNORECASE,
)
#: A photo slider's "Next Previous" left in front of a line (both words: "Next week ..." is prose).
_SLIDER = re.compile(r"^(?:next\s+previous|previous\s+next)(?:\s+|$)", re.IGNORECASE)
_SOURCE = re.compile(r"^(?:المصدر|مصدر\s+الخبر|source)\s*[:：]\s*(?P<outlet>[^.:!?؟]{1,60}?)\s*\.?$", re.IGNORECASE)
_DATELINE = re.compile(r"^[^\W\d_]+(?:\s[^\W\d_]+)?\s*[-–—]\s*(?P<outlet>[^\W\d_]+(?:\s[^\W\d_]+){0,2})$")
_WIRE_DATELINE = re.compile(
    r"^[^\W\d_][^\W\d_.'’-]*(?:[\s,.'’-]+[^\W\d_]+){0,3}\s*\((?P<outlet>[^()\d]{2,40})\)\s*(?:[-–—:]\s*|$)"
)

_CREDIT = (
    r"(?:REUTERS|Reuters|AFP|AP|EPA(?:-EFE)?|Getty\s+Images|Getty|GETTY|Anadolu(?:\s+Agency)?|Bloomberg"
    r"|Shutterstock|رويترز|فرانس\s+برس|أسوشيتد\s+برس|الأناضول|غيتي|جيتي|أ\.?\s?ف\.?\s?ب)"
)
_CAPTION_TAIL = re.compile(
    rf"(?:[-–—|/]\s*|[(\[]\s*(?:[^()\[\]]{{0,60}}?[/\s])?|\s){_CREDIT}"
    r"(?:\s*/\s*[^()\[\]/]{1,40}|\s+via\s+[^()\[\]]{1,30})?\s*[)\]]?\s*\.?$"
)

_AR_MONTH = (
    r"(?:يناير|كانون\s+الثاني|فبراير|شباط|مارس|آذار|أبريل|ابريل|إبريل|نيسان|مايو|أيار|يونيو|يونيه|حزيران"
    r"|يوليو|يوليه|تموز|أغسطس|اغسطس|آب|سبتمبر|أيلول|أكتوبر|اكتوبر|تشرين\s+الأول|تشرين\s+الاول|نوفمبر"
    r"|تشرين\s+الثاني|ديسمبر|كانون\s+الأول|كانون\s+الاول)(?!\w)"
)
_AR_MONTHS = rf"{_AR_MONTH}(?:\s*/\s*{_AR_MONTH}|\s*\(\s*{_AR_MONTH}\s*\))?"
_EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)(?![\w])"
)
_DAY = r"(?<![\w/.,])(?:3[01]|[12]\d|0?[1-9]|[٠-٣]?[٠-٩])(?:st|nd|rd|th)?(?![\d٠-٩])"
_YEAR = r"(?:1[89]\d\d|20\d\d|[١٢][٠-٩]{3})(?![\d٠-٩])"
_DATE = re.compile(
    rf"{_DAY}\s+(?:من\s+)?{_AR_MONTHS}(?:\s*[,،]?\s*(?:عام\s+)?{_YEAR})?"
    rf"|(?<!\w){_AR_MONTHS}\s+(?:(?:من\s+)?عام\s+)?{_YEAR}"
    rf"|(?<!\w){_EN_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"
    rf"|{_DAY}\s+{_EN_MONTH}(?:,?\s+{_YEAR})?"
    rf"|(?<!\w){_EN_MONTH}\s+{_YEAR}"
    r"|(?<![\d-])(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)"
    r"|(?<![\d/.])[0-3]?\d[/.][01]?\d[/.](?:19|20)\d\d(?!\d)"
)
# What may stand beside a date in a date line: week days, a time and its zone, a few joining words.
_DATE_FILLER = re.compile(
    r"(?<!\w)(?:الأحد|الاحد|الاثنين|الإثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة|السبت|يوم|في|الساعة|بتوقيت"
    r"|غرينتش|غرينيتش|مكة(?:\s+المكرمة)?|القدس|صباحا|صباحاً|مساء|مساءً|ص|م|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|on|at|am|pm|a\.m\.|p\.m\.|gmt|utc"
    r"|[ecmp][sd]?t)(?!\w)"
    r"|T?[\d٠-٩]{1,2}[:：][\d٠-٩]{2}(?:[:：][\d٠-٩]{2})?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?|[+-]\d{1,2}(?::?\d\d)?(?!\w)",
    re.IGNORECASE,
)
_PUBLISHED = re.compile(
    r"^(?:(?:تاريخ\s+)?(?:النشر|نشر(?:\s+(?:الخبر|المقال))?)(?:\s+(?:في|بتاريخ|يوم))?|تم\s+النشر(?:\s+في)?"
    r"|(?:first\s+)?published(?:\s+(?:on|at))?|date\s+published|publication\s+date|posted(?:\s+(?:on|at))?)"
    r"\s*[:：]?\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_UPDATED = re.compile(
    r"^(?:(?:آخر|اخر|تاريخ)\s+(?:تحديث|التحديث)|تم\s+التحديث|(?:last\s+)?updated(?:\s+(?:on|at))?"
    r"|last\s+modified|modified)\s*[:：]?\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_STAMP_SEPARATOR = re.compile(r"\s+[|·•]\s+|\s+[-–—]\s+(?=\D)")
_PLACE_DATELINE = re.compile(r"^(?P<place>[^\W\d_]+(?:\s[^\W\d_]+){0,2})\s*[-–—,،:]\s*(?P<rest>.+)$")
_PROSE_DATELINE = re.compile(
    r"^(?:[^\W\d_][^\W\d_.'’-]*(?:[\s'’.-]+[^\W\d_]+){0,3}\s*[,،]?\s+(?:في\s+)?)?"
    rf"(?P<date>{_DATE.pattern})\s*(?:\((?P<outlet>[^()\d]{{2,40}})\)\s*)?[-–—:]"
)
_VOWELS = re.compile("[\u064b-\u0652\u0670]")


def _is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def _is_prose(line: str) -> bool:
    """Tell whether `line` is sentence-like: sentence punctuation at the end, or too long for a headline."""
    tail = line.rstrip(_CLOSERS)
    return not _is_bullet(line) and (len(line) > _LIST_ITEM_MAX or (tail != "" and tail[-1] in _SENTENCE_END))


def _is_label(regex: re.Pattern[str], line: str) -> bool:
    """`line` is the label alone, or the label, a colon and a short list ("Tags: Iran, US")."""
    m = regex.match(line)
    if not m:
        return False
    rest = m["rest"]
    return not rest or (bool(m["colon"]) and len(rest) <= _LIST_ITEM_MAX and not _is_prose(rest))


def _is_boilerplate_label(line: str) -> bool:
    return bool(_AD.match(line)) or any(_is_label(rx, line) for rx in (_READ_ALSO, _RELATED, _FOOTER))


def _is_title_like(line: str) -> bool:
    tail = line.rstrip(_CLOSERS)
    return (
        0 < len(line) <= _MAX_TITLE
        and not _is_bullet(line)
        and re.search(r"[^\W\d_]", line) is not None
        and (tail == "" or tail[-1] not in _NOT_TITLE_END)
        and not _is_boilerplate_label(line)
    )


def _is_caption(line: str) -> bool:
    """Tell whether `line` is a photo caption: a photo credit at the end, with a date shortly before it."""
    if len(line) > 400:
        return False
    m = _CAPTION_TAIL.search(line)
    return m is not None and _DATE.search(line[max(0, m.start() - 80) : m.start()]) is not None


def _date_only(text: str) -> str | None:
    """The date `text` consists of (beside a week day, a time, joining words and punctuation), or None."""
    m = _DATE.search(text)
    if m is None:
        return None
    rest = _DATE_FILLER.sub(" ", f"{text[: m.start()]} {text[m.end() :]}")
    return None if re.search(r"[^\W_]", rest) else m.group(0).strip()


def _stamp(line: str) -> dict[str, str] | None:
    """A "published" / "updated" line as {"published": date, "updated": date} (one or both), else None."""
    if len(line) > 160:
        return None
    found: dict[str, str] = {}
    for part in _STAMP_SEPARATOR.split(_VOWELS.sub("", line)):
        for kind, regex in (("published", _PUBLISHED), ("updated", _UPDATED)):
            m = regex.match(part.strip())
            if m and (date := _date_only(m["rest"])):
                found.setdefault(kind, date)
                break
        else:
            return None  # a part that is not a stamp: prose that happens to start like one
    return found


def _dateline_date(line: str) -> str | None:
    """The date of a dateline standing alone before the prose ("الجمعة 17 مايو 2024", "دبي - 17 مايو 2024")."""
    if len(line) > 80:
        return None
    if date := _date_only(line):
        return date
    m = _PLACE_DATELINE.match(line)
    return _date_only(m["rest"]) if m else None


def _normalise(raw: str) -> list[str]:
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", _ZERO_WIDTH.sub("", text))
    return [_SPACES.sub(" ", line).strip() for line in text.split("\n")]


def _strip_boilerplate(lines: list[str]) -> tuple[list[str], str | None, dict[str, str]]:
    """Drop boilerplate lines (blank lines are kept as separators).

    Return the rest, a 'source:' outlet, and the dates of "published"/"updated" lines (also dropped).
    """
    out: list[str] = []
    outlet: str | None = None
    stamps: dict[str, str] = {}
    seen: set[str] = set()
    in_list = False  # after a related/read-also/footer header: drop list items until prose resumes
    for line in lines:
        if not line:
            out.append(line)
            continue
        if in_list:
            if _is_bullet(line) or not _is_prose(line):
                continue
            in_list = False
        line = _SLIDER.sub("", line)
        trailer = _TRAILER.search(line)
        if trailer:  # the line's own text stays; after a contact footer its phone-number lines go too
            line, in_list = line[: trailer.start()].rstrip(), trailer["contact"] is not None
        if not line or _AD.match(line) or _MORE.match(line) or _is_caption(line):
            continue
        if any(_is_label(rx, line) for rx in (_READ_ALSO, _RELATED, _FOOTER)):
            m = _READ_ALSO.match(line) or _RELATED.match(line) or _FOOTER.match(line)
            in_list = m is not None and not m["rest"]  # "Read also: <headline>" is one link, not a header
            continue
        if (stamp := _stamp(line)) is not None:
            stamps = {**stamp, **stamps}  # the first line of each kind wins
            continue
        source = _SOURCE.match(line)
        if source and len(source["outlet"].split()) <= 6:
            outlet = outlet or source["outlet"].strip()
            continue
        if len(line) >= 10 and line in seen:
            continue
        seen.add(line)
        out.append(line)
    kept = [i for i, line in enumerate(out) if line]
    run = 0
    while run < len(kept) and _is_bullet(out[kept[-1 - run]]) and len(out[kept[-1 - run]]) <= _LIST_ITEM_MAX:
        run += 1
    if run >= 2:  # a trailing list of headlines
        out = out[: kept[-run]]
    return out, outlet, stamps


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line:
            block.append(line)
        elif block:
            paragraphs.append("\n".join(block))
            block = []
    return paragraphs


def _first_sentence(text: str) -> str:
    first = text.split("\n", 1)[0]
    m = re.search(rf"[{_SENTENCE_END}](?=[{re.escape(_CLOSERS)}]*(?:\s|$))", first)
    sentence = first[: m.end()] if m else first
    if len(sentence) <= _TRUNCATED_TITLE:
        return sentence
    cut = sentence[:_TRUNCATED_TITLE]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ،,:;؛") + "…"


def _parse(lines: list[str], title: str | None) -> tuple[str, str | None, str, str | None] | None:
    """Clean one article's lines into (title, outlet, text, date); a given `title` replaces title detection."""
    body, outlet, stamps = _strip_boilerplate(lines)
    first_prose = next((i for i, line in enumerate(body) if _is_prose(line)), len(body))
    date = stamps.get("published")
    lead = [i for i in range(first_prose) if body[i]]
    for i in lead:  # a date line of its own before the prose
        if line_date := _dateline_date(body[i]):
            date = date or line_date
            body[i] = ""
            break
    lead = [i for i in lead if body[i]]
    for i in lead:  # a standalone dateline before the prose; "City-Outlet" only right before it, never 1st line
        m = _WIRE_DATELINE.fullmatch(body[i])
        if not m and i == lead[-1] and i != lead[0] and len(body[i]) <= 40:
            m = _DATELINE.match(body[i])
        if m:
            outlet = outlet or m["outlet"].strip()
            body[i] = ""
            break
    if first_prose < len(body) and (m := _WIRE_DATELINE.match(body[first_prose])):
        outlet = outlet or m["outlet"].strip()  # "WASHINGTON (Reuters) - ..." opening the prose: text kept
    if first_prose < len(body) and (m := _PROSE_DATELINE.match(body[first_prose])):
        date = date or m["date"].strip()  # "WASHINGTON, May 17 (Reuters) - ...": text kept
        outlet = outlet or (m["outlet"] or "").strip() or None
    date = date or stamps.get("updated")  # the last resort: when the page was last changed
    paragraphs = _paragraphs(body)
    if not paragraphs:
        return None
    first_line, _, rest = paragraphs[0].partition("\n")
    if title is not None:
        drop_first = first_line == " ".join(title.split())
    else:
        drop_first = _is_title_like(first_line) and (len(paragraphs) > 1 or bool(rest))
        title = first_line if drop_first else None
    if drop_first:
        paragraphs = ([rest] if rest else []) + paragraphs[1:]
    text = "\n\n".join(paragraphs)
    if not text:
        return None
    return title or _first_sentence(text), outlet, text, date


def _looks_like_article(lines: list[str]) -> bool:
    """Tell whether `lines` (after a 'read also' marker) are an article: a title, then >~300 chars of prose."""
    body, _, _ = _strip_boilerplate(lines)
    nonblank = [line for line in body if line]
    if not nonblank or not _is_title_like(nonblank[0]):
        return False
    return sum(len(line) for line in nonblank[1:] if _is_prose(line)) > _SPLIT_MIN_PROSE


def _segments(lines: list[str]) -> list[list[str]]:
    """Split at standalone 'read also' markers that introduce a whole article."""

    def is_marker(line: str) -> bool:
        m = _READ_ALSO.match(line)
        return m is not None and not m["rest"]

    segments: list[list[str]] = [[]]
    i = 0
    while i < len(lines):
        if is_marker(lines[i]):
            end = next((k for k in range(i + 1, len(lines)) if is_marker(lines[k])), len(lines))
            if _looks_like_article(lines[i + 1 : end]):
                segments.append(lines[i + 1 : end])
                i = end
                continue
        segments[-1].append(lines[i])
        i += 1
    return segments


def find_date(text: str) -> str | None:
    """Return the first date written in `text`, exactly as written, or None (not an article's date by itself)."""
    m = _DATE.search(text)
    return m.group(0).strip() if m else None


def article_id(title: str, text: str) -> str:
    """Return the stable id: the first 16 hex characters of sha256 over title, a newline, and text."""
    return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:16]


def clean_document(
    raw: str,
    source: str,
    *,
    title: str | None = None,
    outlet: str | None = None,
    date: str | None = None,
) -> list[Article]:
    """Clean `raw` into its articles (at least one); `title`/`outlet`/`date` override detection for the first.

    Raises `InputError` when nothing but boilerplate or blank text is left.
    """
    given_title, given_outlet, given_date = ((v or "").strip() or None for v in (title, outlet, date))
    articles: list[Article] = []
    for k, segment in enumerate(_segments(_normalise(raw))):
        parsed = _parse(segment, given_title if k == 0 else None)
        if parsed is None:
            continue
        art_title, art_outlet, text, art_date = parsed
        articles.append(
            Article(
                id=article_id(art_title, text),
                title=art_title,
                outlet=(given_outlet if k == 0 and given_outlet else art_outlet),
                date=(given_date if k == 0 and given_date else art_date),
                text=text,
                source=source if not articles else f"{source}#{len(articles) + 1}",
            )
        )
    if not articles:
        raise InputError(f"{source}: contains no article text (only blank lines or boilerplate); nothing to index")
    return articles
