import json
from pathlib import Path

import pytest

from index.errors import InputError
from index.load import SUPPORTED_SUFFIXES, find_article_files, read_articles

ARTICLES = Path(__file__).parent.parent / "data" / "articles"
ARABIC = "عنوان الخبر\n\nقال المتحدث باسم الوزارة إن المحادثات ستستأنف الأسبوع المقبل في مسقط.\n"


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- finding files -------------------------------------------------------------------------------


def test_find_article_files_recurses_sorted_and_skips_hidden_and_unsupported(tmp_path):
    for name in ["b.txt", "a.md", "sub/c.html", "sub/deeper/d.jsonl", "sub/e.HTM", "notes.pdf", "sub/img.png"]:
        _write(tmp_path / name, "x")
    for name in [".hidden.txt", ".git/config.txt", "sub/.cache/f.txt"]:
        _write(tmp_path / name, "x")
    found = find_article_files([tmp_path])
    assert found == sorted(found)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.md",
        "b.txt",
        "sub/c.html",
        "sub/deeper/d.jsonl",
        "sub/e.HTM",
    ]


def test_find_article_files_mixes_files_and_folders_without_duplicates(tmp_path):
    f = _write(tmp_path / "dir" / "a.txt", "x")
    assert find_article_files([f, tmp_path / "dir"]) == [f]


def test_find_article_files_missing_path_is_an_error(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        find_article_files([tmp_path / "nope.txt"])


def test_find_article_files_explicit_unsupported_file_is_an_error(tmp_path):
    pdf = _write(tmp_path / "paper.pdf", "x")
    with pytest.raises(InputError, match=r"paper\.pdf: unsupported file type '\.pdf'"):
        find_article_files([pdf])


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".html", ".htm", ".jsonl")


# --- decoding and refusals -----------------------------------------------------------------------


def test_seed_files_read():
    articles = [a for path in find_article_files([ARTICLES]) for a in read_articles(path)]
    assert len(articles) == 3
    assert [a.outlet for a in articles] == ["الحرة", None, "الشرق"]
    assert articles[1].source.endswith(".txt#2")


def test_utf8_with_bom(tmp_path):
    path = _write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + ARABIC.encode("utf-8"))
    (a,) = read_articles(path)
    assert a.title == "عنوان الخبر"
    assert a.text.startswith("قال المتحدث")
    assert a.source == "bom.txt"


def test_windows_1256_arabic_is_decoded(tmp_path):
    path = _write(tmp_path / "cp.txt", ARABIC.encode("cp1256"))
    (a,) = read_articles(path)
    assert a.title == "عنوان الخبر"
    assert "المحادثات ستستأنف" in a.text


def test_latin1_text_is_refused(tmp_path):
    path = _write(tmp_path / "latin.txt", "Café résumé naïve. Über façade déjà vu.".encode("latin-1"))
    with pytest.raises(
        InputError, match=r"latin\.txt: is not UTF-8 text \(or Windows-1256 Arabic\): re-save it as UTF-8"
    ):
        read_articles(path)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(1, 32)) * 20])
def test_binary_is_refused(tmp_path, data):
    path = _write(tmp_path / "image.txt", data)
    with pytest.raises(InputError, match=r"image\.txt: looks like a binary file"):
        read_articles(path)


@pytest.mark.parametrize("data", [b"", b"  \n\t\n", b"\xef\xbb\xbf \n"])
def test_empty_is_refused(tmp_path, data):
    path = _write(tmp_path / "empty.txt", data)
    with pytest.raises(InputError, match=r"empty\.txt: the file"):
        read_articles(path)


def test_oversize_is_refused_naming_the_limit(tmp_path):
    path = _write(tmp_path / "big.txt", "Headline\n\n" + "Word. " * 100)
    with pytest.raises(InputError, match=r"big\.txt: .* over the 100-byte limit"):
        read_articles(path, max_bytes=100)
    assert read_articles(path, max_bytes=10_000)


def test_only_boilerplate_is_refused_naming_the_file(tmp_path):
    path = _write(tmp_path / "ads.txt", "إعلان\n\nAdvertisement\n")
    with pytest.raises(InputError, match=r"ads\.txt: contains no article text"):
        read_articles(path)


def test_unsupported_suffix_is_refused(tmp_path):
    path = _write(tmp_path / "a.docx", "Headline\n\nBody.")
    with pytest.raises(InputError, match=r"a\.docx: unsupported file type"):
        read_articles(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"gone\.txt: cannot be read"):
        read_articles(tmp_path / "gone.txt")


# --- formats -------------------------------------------------------------------------------------


def test_markdown_heading_is_title_and_syntax_is_stripped(tmp_path):
    md = (
        "# Oman hosts talks\n\n"
        "The **talks** were *indirect* and [Axios](https://axios.com) reported them.\n\n"
        "![a photo](photo.jpg)\n\n"
        "## Background\n\n"
        "> Officials met in `Muscat` on May 8, 2024.\n"
    )
    (a,) = read_articles(_write(tmp_path / "a.md", md))
    assert a.title == "Oman hosts talks"
    assert a.text == (
        "The talks were indirect and Axios reported them.\n\nBackground\n\nOfficials met in Muscat on May 8, 2024."
    )
    assert a.date is None  # a date the story mentions is not the article's date


def test_html_drops_chrome_and_reads_metadata(tmp_path):
    html = """<!doctype html><html><head>
    <title>Page title | Site</title>
    <meta property="og:site_name" content="Asharq">
    <meta property="article:published_time" content="2024-05-17T10:00:00Z">
    <style>p { color: red }</style><script>var ad = "SCRIPT TEXT";</script>
    </head><body>
    <header><a href="/">Home</a><h1>Oman hosted indirect talks</h1></header>
    <nav><ul><li>NAV ITEM</li></ul></nav>
    <article>
      <figure><img src="x.jpg"><figcaption>CAPTION TEXT</figcaption></figure>
      <p>The talks were   held
      in Muscat &amp; lasted a day.</p>
      <div>Officials said more talks<br>would follow.</div>
      <aside>RELATED STORY</aside>
      <form><label>NEWSLETTER</label></form>
    </article>
    <footer>FOOTER TEXT</footer>
    </body></html>"""
    (a,) = read_articles(_write(tmp_path / "page.html", html))
    assert a.title == "Oman hosted indirect talks"
    assert a.outlet == "Asharq"
    assert a.date == "2024-05-17T10:00:00Z"
    assert a.text == "The talks were held in Muscat & lasted a day.\n\nOfficials said more talks\nwould follow."
    for junk in ("SCRIPT", "color", "NAV", "CAPTION", "RELATED", "NEWSLETTER", "FOOTER", "Home", "Page title"):
        assert junk not in a.text


def test_html_title_tag_and_time_fallbacks(tmp_path):
    html = (
        '<html><head><title>Fallback title</title></head><body><time datetime="2023-02-13">13 Feb</time>'
        "<p>Body sentence one.</p><p>Body sentence two.</p></body></html>"
    )
    (a,) = read_articles(_write(tmp_path / "p.htm", html))
    assert a.title == "Fallback title"
    assert a.date == "2023-02-13"
    assert a.outlet is None
    assert a.text.endswith("Body sentence one.\n\nBody sentence two.")


def test_jsonl_reads_each_line_as_an_article(tmp_path):
    lines = [
        json.dumps({"id": "x1", "url": "http://a", "title": "First", "text": "First body.", "outlet": "AP"}),
        "",
        json.dumps(
            {"title": "ثاني", "body": "نص الثاني.", "source": "الحرة", "published": "8 مايو"}, ensure_ascii=False
        ),
        json.dumps({"content": "Third headline\n\nThird body.", "site": "Reuters", "date": "2024-05-17"}),
    ]
    articles = read_articles(_write(tmp_path / "news.jsonl", "\n".join(lines) + "\n"))
    assert [a.source for a in articles] == ["news.jsonl:1", "news.jsonl:3", "news.jsonl:4"]
    assert [(a.title, a.text, a.outlet, a.date) for a in articles] == [
        ("First", "First body.", "AP", None),
        ("ثاني", "نص الثاني.", "الحرة", "8 مايو"),
        ("Third headline", "Third body.", "Reuters", "2024-05-17"),
    ]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "line 2 is not valid JSON"),
        ('["a list"]', "line 2 is not a JSON object"),
        ('{"title": "no text"}', "line 2 has no article text"),
        ('{"text": "Body.", "title": 5}', "line 2: field 'title' must be a string"),
    ],
)
def test_jsonl_bad_line_fails_the_whole_file(tmp_path, bad, message):
    good = json.dumps({"text": "A fine body."})
    path = _write(tmp_path / "bad.jsonl", f"{good}\n{bad}\n{good}\n")
    with pytest.raises(InputError, match=rf"bad\.jsonl: {message}"):
        read_articles(path)
