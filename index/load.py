"""Reading article files: finding them, decoding them, and handing their text to `clean_document`.

Supported: plain text (.txt), Markdown (.md, minimally stripped), HTML (.html/.htm,
with the standard library's `html.parser` only) and JSON Lines (.jsonl, one
article per line). Text must be UTF-8 (a BOM is fine); Windows-1256 is accepted
only when it decodes to mostly Arabic letters. Every refusal is an `InputError`
whose message names the file; a file either yields all its articles or none.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

from index.clean import clean_document
from index.errors import InputError
from index.models import Article

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")

_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def find_article_files(paths: Sequence[Path]) -> list[Path]:
    """Return the supported files among `paths`, sorted: files as given, folders recursively (hidden entries skipped).

    A missing path, or a file of an unsupported type named explicitly, raises `InputError`; unsupported files
    found inside folders are skipped.
    """
    found: set[Path] = set()
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found.update(Path(root, f) for f in files if not f.startswith(".") and _supported(Path(f)))
        elif _supported(path):
            found.add(path)
        else:
            raise InputError(_unsupported(path))
    return sorted(found)


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def _unsupported(path: Path) -> str:
    return f"{path}: unsupported file type '{path.suffix or '(none)'}'; use one of {', '.join(SUPPORTED_SUFFIXES)}"


def read_articles(path: Path, *, max_bytes: int = 5_000_000) -> list[Article]:
    """Read one file and return its cleaned articles (at least one), or raise `InputError` naming the file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not _supported(path):
        raise InputError(_unsupported(path))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: {size:,} bytes is over the {max_bytes:,}-byte limit per file; split it or raise the limit"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    text = _decode(data, path)
    if suffix == ".jsonl":
        return _read_jsonl(text, path)
    if suffix == ".md":
        body, title = _markdown_to_text(text)
        return clean_document(body, path.name, title=title)
    if suffix in (".html", ".htm"):
        page = _HTMLArticle()
        page.feed(text)
        page.close()
        return clean_document(page.body(), path.name, title=page.title(), outlet=page.outlet, date=page.date())
    return clean_document(text, path.name)


def _decode(data: bytes, path: Path) -> str:
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    if b"\x00" in data or len(_CONTROL_BYTES.findall(data)) > 0.05 * len(data):
        raise InputError(f"{path}: looks like a binary file, not text; give a .txt/.md/.html/.jsonl text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1256", errors="replace")
        letters = [c for c in text if c.isalpha()]
        arabic = sum(1 for c in letters if _ARABIC_LETTER.match(c))
        if not letters or arabic / len(letters) < 0.6 or "\ufffd" in text:
            raise InputError(f"{path}: is not UTF-8 text (or Windows-1256 Arabic): re-save it as UTF-8") from None
    if len(_BAD_CHARS.findall(text)) > 0.05 * len(text):
        raise InputError(f"{path}: looks like a binary file, not text; give a .txt/.md/.html/.jsonl text file")
    if not text.strip():
        raise InputError(f"{path}: the file has only white space")
    return text


def jsonl_label(path: Path, lineno: int) -> str:
    """The source label of the article read from line `lineno` (1-based) of a .jsonl file: `name.jsonl:12`."""
    return f"{Path(path).name}:{lineno}"


def _read_jsonl(text: str, path: Path) -> list[Article]:
    articles: list[Article] = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}: line {lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where} is not valid JSON ({exc.msg}); write one JSON object per line") from exc
        if not isinstance(record, dict):
            raise InputError(f"{where} is not a JSON object; write one object per line")
        body = _field(record, where, "text", "body", "content")
        if body is None:
            raise InputError(f"{where} has no article text: put it in a 'text', 'body' or 'content' field")
        articles.extend(
            clean_document(
                body,
                jsonl_label(path, lineno),
                title=_field(record, where, "title"),
                outlet=_field(record, where, "outlet", "source", "site"),
                date=_field(record, where, "date", "published"),
            )
        )
    return articles


def _field(record: dict[str, object], where: str, *names: str) -> str | None:
    """Return the first non-blank string among `names`; a non-string value is an error."""
    for name in names:
        value = record.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f"{where}: field '{name}' must be a string, not {type(value).__name__}")
        if value.strip():
            return value
    return None


_MD_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_MD_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EM = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_MD_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MD_CODE = re.compile(r"`([^`]+)`")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?$")
_MD_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
_MD_REFDEF = re.compile(r"^\[[^\]]+\]:\s*\S+")


def _markdown_to_text(markdown: str) -> tuple[str, str | None]:
    """Minimal Markdown stripping; a leading '# ' heading becomes the title."""
    title: str | None = None
    out: list[str] = []
    fence = False
    for raw in markdown.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            out.append(line)
            continue
        if _MD_RULE.match(line) or _MD_REFDEF.match(line):
            out.append("")
            continue
        heading = _MD_HEADING.match(line)
        if heading and line.startswith("# ") and title is None and not any(out):
            title = _md_inline(heading.group(1)).strip()
            continue
        if heading:
            line = heading.group(1)
        line = re.sub(r"^>\s?", "", line)
        out.append(_md_inline(line))
    return "\n".join(out), title or None


def _md_inline(line: str) -> str:
    line = _MD_IMAGE.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_AUTOLINK.sub(r"\1", line)
    line = _MD_CODE.sub(r"\1", line)
    line = _MD_STRONG.sub(r"\2", line)
    line = _MD_EM.sub(lambda m: m.group(1) or m.group(2), line)
    return _MD_STRIKE.sub(r"\1", line)


class _HTMLArticle(HTMLParser):
    """Collects an HTML page's article text as paragraphs, plus its title, date and outlet."""

    _SKIP = frozenset({
        "script", "style", "nav", "header", "footer", "aside", "form", "figcaption", "noscript", "template", "svg",
        "iframe", "button", "select", "textarea",
    })  # fmt: skip
    _BLOCK = frozenset({
        "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt",
        "dd", "blockquote", "pre", "table", "tr", "td", "th", "figure", "hr", "address", "caption", "details",
        "summary", "body",
    })  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._skip: list[str] = []
        self._parts: list[str] = []
        self._paragraphs: list[str] = []
        self._h1: list[str] | None = None  # collecting the first <h1>
        self._h1_text: str | None = None
        self._title_tag: list[str] | None = None
        self._title_text: str | None = None
        self._meta_date: str | None = None
        self._time_date: str | None = None
        self.outlet: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "meta":
            key = (attr.get("property") or attr.get("name") or "").lower()
            if key == "article:published_time" and attr.get("content"):
                self._meta_date = self._meta_date or attr["content"]
            elif key == "og:site_name" and attr.get("content"):
                self.outlet = self.outlet or attr["content"]
            return
        if tag == "time" and attr.get("datetime") and not self._skip:
            self._time_date = self._time_date or attr["datetime"]
        if tag in self._SKIP:
            self._skip.append(tag)
            return
        if tag == "title" and self._title_text is None:
            self._title_tag = []
        if tag == "h1" and self._h1_text is None and self._skip in ([], ["header"]):
            self._h1 = []
            return
        if tag in self._BLOCK:
            self._flush()
        elif tag == "br" and not self._skip:
            self._parts.append("\n")
        if tag == "li" and not self._skip:
            self._parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            if tag in self._skip:
                del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag) :]
            return
        if tag == "title" and self._title_tag is not None:
            self._title_text = " ".join("".join(self._title_tag).split()) or None
            self._title_tag = None
        elif tag == "h1" and self._h1 is not None:
            self._h1_text = " ".join("".join(self._h1).split()) or None
            self._h1 = None
        elif tag in self._BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._title_tag is not None:
            self._title_tag.append(data)
        elif self._h1 is not None:
            self._h1.append(data)
        elif not self._skip:
            self._parts.append(re.sub(r"\s+", " ", data))

    def _flush(self) -> None:
        lines = (" ".join(part.split()) for part in "".join(self._parts).split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self._paragraphs.append(paragraph)
        self._parts = []

    def body(self) -> str:
        self._flush()
        return "\n\n".join(self._paragraphs)

    def title(self) -> str | None:
        return self._h1_text or self._title_text

    def date(self) -> str | None:
        return self._meta_date or self._time_date
