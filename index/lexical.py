"""The lexical (BM25) side of retrieval: an Arabic-aware analyser and a persistent index of chunks.

`Analyzer` turns text into index terms: `index.normalize.tokens` (so vocalised
words, tatweel and Arabic-Indic digits match their plain forms), minus Arabic
stop words (the `arabic-stopwords` list, folded the same way) and English ones,
then stemmed: Arabic words by Snowball's Arabic stemmer (PyStemmer) or a light
prefix/suffix stripper, Latin words by Snowball English; numbers are kept as
they are. `bench/retrieval.py` measured the choice (see the README).

`LexicalIndex` holds the chunks of the committed articles with their terms and
scores queries with BM25 (`bm25s`). It is saved as one JSON-lines file in its
own folder beside the vector store, updated when articles are added or removed
(`add_article`, `remove_article`, then `save`), and can be brought back in line
with the store at any time (`sync`): articles the store holds but the index
lacks are read back from the store, and articles the store no longer holds are
dropped. So a missing, stale or foreign file is repaired, never trusted, and so is
a torn or truncated one (its header records how many rows follow; an unreadable
file is logged and the index starts empty). Several writers (`qa serve` and
`qa ingest` on one data directory, two `Assistant`s in one process) may save at
once: each writes its own temporary file beside the index and renames it into
place, so a reader sees one whole version (the last rename wins; `sync` repairs
whatever that version lacks). The BM25 matrix is rebuilt once after a change, on
the next search, never per query.

Opening a large index is cheap: `save` also writes the BM25 matrix (`bm25s`' own arrays),
the rows' chunk and article ids and each row's byte offset in the file, under a token the
file's header carries (`bm25.json` names them). An index opened with a sidecar whose token
and file size match its file is served from it (the arrays memory-mapped, a result chunk
read from its offset) without parsing a row; the first change parses the file as before. At
12,000 archive articles (70,050 chunks) opening and the first search took 6.3 + 4.5 s before
(`bench/lexical.py`). A missing, stale or unreadable sidecar only costs the full parse.

It does not know about vectors or fusion: that is `qa.retrieve`.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from index.models import Chunk
from index.normalize import normalize, tokens

log = logging.getLogger(__name__)

StemmerName = Literal["snowball", "light", "none"]
#: Bump when the analyser's output changes: an index saved by another version is rebuilt.
ANALYZER_VERSION = 2  # 2: press decimals ("7ر11") folded by `normalize`
INDEX_FILE = "chunks.jsonl"
#: Names the current BM25 sidecar of `INDEX_FILE` (see the module docstring).
SIDECAR_FILE = "bm25.json"
_SIDECAR_DIR = "bm25-"
_ARABIC = range(0x0600, 0x0700)
_EN_STOP = frozenset(
    "a an and are as at be been but by can did do does for from had has have how if in into is it its of on or "
    "that the their them there these they this to was were what when where which who whom whose why will with "
    "would".split()
)
# Light stemming (after normalisation): the longest matching prefix, then suffix, is removed while
# at least three letters remain. Definite article with its proclitics, and common pronoun/plural endings.
_PREFIXES = ("وبال", "وكال", "فبال", "وال", "بال", "كال", "فال", "لل", "ال", "و")
_SUFFIXES = ("هما", "كما", "تين", "تان", "ها", "ان", "ات", "ون", "ين", "يه", "هم", "هن", "كم", "نا", "ه", "ي")


class ChunkSource(Protocol):
    """What `LexicalIndex.sync` needs from the vector store."""

    def article_ids(self) -> set[str]:
        """Ids of the committed articles."""
        ...

    def chunks_of(self, article_ids: Sequence[str]) -> list[Chunk]:
        """The stored chunks of these articles."""
        ...


@functools.cache
def _arabic_stop_words() -> frozenset[str]:
    import arabicstopwords.arabicstopwords as stp

    return frozenset(normalize(w) for w in stp.stopwords_list())


def light_stem(word: str) -> str:
    """Strip one proclitic/article prefix and one suffix from a normalised Arabic word (Light10-style)."""
    for p in _PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            word = word[len(p) :]
            break
    for s in _SUFFIXES:
        if word.endswith(s) and len(word) - len(s) >= 3:
            return word[: -len(s)]
    return word


class Analyzer:
    """Text -> index terms, the same at indexing and query time."""

    def __init__(self, stemmer: StemmerName = "snowball", *, stop_words: bool = True) -> None:
        import Stemmer

        self.stemmer = stemmer
        self.stop_words = stop_words
        self._ar_stop = _arabic_stop_words() if stop_words else frozenset()
        self._en_stop = _EN_STOP if stop_words else frozenset()
        self._ar = Stemmer.Stemmer("arabic")
        self._en = Stemmer.Stemmer("english")
        self._stem = functools.lru_cache(maxsize=200_000)(self._stem_uncached)

    @property
    def id(self) -> str:
        """Names the analyser: an index built with another one is rebuilt."""
        return f"v{ANALYZER_VERSION}-{self.stemmer}-stop{int(self.stop_words)}"

    def _stem_uncached(self, tok: str) -> str:
        if tok[0].isdigit():
            return tok
        if ord(tok[0]) in _ARABIC:
            if self.stemmer == "snowball":
                return str(self._ar.stemWord(tok))
            return light_stem(tok) if self.stemmer == "light" else tok
        return str(self._en.stemWord(tok)) if self.stemmer != "none" else tok

    def __call__(self, text: str) -> list[str]:
        """The index terms of `text`."""
        out = []
        for tok in tokens(text):
            if tok in self._ar_stop or tok in self._en_stop or (len(tok) < 2 and not tok.isdigit()):
                continue
            out.append(self._stem(tok))
        return out


@dataclass
class _Snapshot:
    """A saved index served without parsing its rows: the BM25 arrays, the rows' ids, and where each row starts."""

    file: Any  # the index file, open (binary): a later rename by another writer does not move what it reads
    bm25: Any
    ids: list[str]
    articles: list[str]
    offsets: np.ndarray
    by_article: dict[str, list[str]]

    def chunk(self, row: int) -> Chunk:
        self.file.seek(int(self.offsets[row]))
        return Chunk.model_validate(json.loads(self.file.readline())["chunk"])


class LexicalIndex:
    """BM25 over the chunks of committed articles, saved in `folder` (None: in memory only)."""

    def __init__(self, folder: Path | None, analyzer: Analyzer, *, chunker: str = "") -> None:
        self.folder = folder
        self.analyzer = analyzer
        self.chunker = chunker
        self._chunks: dict[str, Chunk] = {}
        self._terms: dict[str, list[str]] = {}
        self._by_article: dict[str, list[str]] = {}
        self._bm25: Any = None
        self._order: list[str] = []
        self._snapshot: _Snapshot | None = None  # the saved index, served until the first change
        self._dirty = False  # unsaved changes
        #: the store's (chunks, articles) counts at the last `sync` (callers use it to skip needless syncs)
        self.synced_at: tuple[int, int] | None = None
        self._lock = threading.RLock()
        if folder is not None:
            self._load()

    @property
    def _meta(self) -> dict[str, Any]:
        return {"analyzer": self.analyzer.id, "chunker": self.chunker}

    def _load(self) -> None:
        path = self._path
        if path is None:
            return
        try:
            f = path.open("rb")
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("lexical index %s is unreadable (%s); rebuilding it from the store", path, exc)
            self._dirty = True
            return
        try:
            head = json.loads(f.readline() or b"{}")
            if isinstance(head, dict) and {k: head.get(k) for k in self._meta} == self._meta:
                self._snapshot = self._open_sidecar(f, head)
        except (OSError, ValueError):
            pass  # the full parse says what is wrong
        if self._snapshot is None:
            self._parse(f)

    def _parse(self, f: Any) -> None:
        """Read every row of the open index file `f` (see `_load`); a bad file leaves the index empty and dirty."""
        path = self._path
        try:
            with f:
                f.seek(0)
                head = json.loads(f.readline() or b"{}")
                if not isinstance(head, dict):
                    raise ValueError("no header")
                if {k: head.get(k) for k in self._meta} != self._meta:
                    return  # built by another analyser or chunker: start empty, `sync` refills it
                rows = [json.loads(line) for line in f]
                if "rows" in head and len(rows) != head["rows"]:  # files of older versions have no count
                    raise ValueError(f"{len(rows)} rows where the header says {head['rows']}")
                chunks = [(Chunk.model_validate(row["chunk"]), list(row["terms"])) for row in rows]
        except (OSError, ValueError, KeyError, TypeError) as exc:  # ValueError: bad JSON, UTF-8 or chunk
            # Torn or truncated (a writer was killed mid-write, a disk filled up): the store is the
            # truth and `sync` reads it back, so the file is only a cache and a bad one is dropped.
            log.warning("lexical index %s is unreadable (%s); rebuilding it from the store", path, exc)
            self._dirty = True  # rewritten at the next save, even if nothing else changes
            return
        for chunk, terms in chunks:
            self._put(chunk, terms)
        if chunks and self._pointer(head) is None:
            self._dirty = True  # no usable sidecar: the next save writes one, so the next start is cheap

    def _pointer(self, head: dict[str, Any]) -> dict[str, Any] | None:
        """The sidecar's pointer (`SIDECAR_FILE`) when it names the token of the file whose header is `head`."""
        try:
            pointer = json.loads((self._folder / SIDECAR_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        token = head.get("token")
        return pointer if isinstance(pointer, dict) and token is not None and pointer.get("token") == token else None

    def _open_sidecar(self, f: Any, head: dict[str, Any]) -> _Snapshot | None:
        """The snapshot of the open file `f` when the sidecar describes it (token and size), else None."""
        import bm25s

        folder = self._folder
        pointer = self._pointer(head)
        token = head.get("token")
        if pointer is None or pointer.get("size") != os.fstat(f.fileno()).st_size or not head.get("rows"):
            return None  # torn, truncated or empty: parse it
        where = folder / f"{_SIDECAR_DIR}{token}"
        rows = json.loads((where / "rows.json").read_text(encoding="utf-8"))
        offsets = np.load(where / "offsets.npy", mmap_mode="r")
        ids, articles = list(rows["ids"]), list(rows["articles"])
        if not len(ids) == len(articles) == len(offsets) == head["rows"]:
            return None
        by_article: dict[str, list[str]] = {}
        for cid, aid in zip(ids, articles, strict=True):
            by_article.setdefault(aid, []).append(cid)
        bm25 = bm25s.BM25.load(str(where), mmap=True, show_progress=False)
        return _Snapshot(f, bm25, ids, articles, offsets, by_article)

    @property
    def _folder(self) -> Path:
        assert self.folder is not None
        return self.folder

    def _materialize(self) -> None:
        """Before a change: the rows of a snapshot-served index, parsed (its BM25 arrays are rebuilt after)."""
        snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:
            self._parse(snapshot.file)

    @property
    def _path(self) -> Path | None:
        return None if self.folder is None else self.folder / INDEX_FILE

    def article_ids(self) -> set[str]:
        """Ids of the articles whose chunks the index holds."""
        with self._lock:
            return set(self._snapshot.by_article if self._snapshot is not None else self._by_article)

    def __len__(self) -> int:
        return self.state()[0]

    def state(self) -> tuple[int, int]:
        """How many chunks and articles the index holds (compared with the store's counts)."""
        with self._lock:
            if self._snapshot is not None:
                return len(self._snapshot.ids), len(self._snapshot.by_article)
            return len(self._chunks), len(self._by_article)

    def _put(self, chunk: Chunk, terms: list[str]) -> None:
        if chunk.id not in self._chunks:
            self._by_article.setdefault(chunk.article_id, []).append(chunk.id)
        self._chunks[chunk.id] = chunk
        self._terms[chunk.id] = terms
        self._bm25 = None

    def add_article(self, article_id: str, chunks: Sequence[Chunk]) -> None:
        """Index an article's chunks (replacing any it had); call `save` to persist."""
        with self._lock:
            self._materialize()
            self._drop(article_id)
            for c in chunks:
                self._put(c, self.analyzer(c.text))
            self._by_article.setdefault(article_id, [])
            self._dirty = True

    def remove_article(self, article_id: str) -> None:
        """Forget an article's chunks; call `save` to persist."""
        with self._lock:
            self._materialize()
            if self._drop(article_id):
                self._dirty = True

    def _drop(self, article_id: str) -> bool:
        ids = self._by_article.pop(article_id, None)
        if ids is None:
            return False
        for cid in ids:
            self._chunks.pop(cid, None)
            self._terms.pop(cid, None)
        self._bm25 = None
        return True

    def sync(self, source: ChunkSource, committed: set[str] | None = None) -> bool:
        """Bring the index in line with the store's committed articles; True when it changed."""
        committed = source.article_ids() if committed is None else committed
        with self._lock:
            held = self.article_ids()
            extra, missing = held - committed, committed - held
            if extra or missing:
                self._materialize()
            for aid in extra:
                self._drop(aid)
            grouped: dict[str, list[Chunk]] = {aid: [] for aid in missing}
            if missing:
                for c in source.chunks_of(sorted(missing)):
                    grouped.setdefault(c.article_id, []).append(c)
            for aid, chunks in grouped.items():
                self.add_article(aid, sorted(chunks, key=lambda c: c.ordinal))
            changed = bool(extra or missing)
            self._dirty = self._dirty or changed
            self.save()
            return changed

    def clear(self) -> None:
        """Forget everything (the store was dropped) and delete the saved file."""
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.file.close()
                self._snapshot = None
            self._chunks.clear()
            self._terms.clear()
            self._by_article.clear()
            self._bm25 = None
            self._dirty = False
            if self._path is not None:
                self._path.unlink(missing_ok=True)  # another writer may have removed it already
                self._remove_sidecars(keep=None)

    def save(self) -> None:
        """Write the index if it changed, atomically: a reader sees the old file or the new one, whole.

        The rows go to a temporary file of this writer's own in the same folder, which then
        replaces the index, so concurrent writers (other processes, other instances) never
        share a file name; the last one to finish wins.
        """
        with self._lock:
            path = self._path
            if path is None or not self._dirty:
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            token = uuid.uuid4().hex
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
            offsets: list[int] = []
            try:
                with os.fdopen(fd, "wb") as f:
                    head = {**self._meta, "rows": len(self._chunks), "token": token}
                    at = f.write((json.dumps(head) + "\n").encode())
                    for cid, chunk in self._chunks.items():
                        offsets.append(at)
                        row = {"chunk": chunk.model_dump(), "terms": self._terms[cid]}
                        at += f.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
                    f.flush()
                    os.fsync(f.fileno())  # the rename must not land before the data does
                os.replace(name, path)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
            self._dirty = False
            if offsets:
                try:
                    self._write_sidecar(token, offsets, at)
                except OSError as exc:  # only the next start's speed depends on it
                    log.warning("could not write the lexical index's BM25 sidecar (%s)", exc)

    def _write_sidecar(self, token: str, offsets: list[int], size: int) -> None:
        """The BM25 arrays and row ids of the index just saved (token, file size), then the pointer to them."""
        folder = self._folder
        model = self._model()  # the next search needs it anyway; the rows are in `self._chunks` order, as saved
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=f".{_SIDECAR_DIR}"))
        try:
            model.save(str(tmp), show_progress=False)
            rows = {"ids": self._order, "articles": [self._chunks[c].article_id for c in self._order]}
            (tmp / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            np.save(tmp / "offsets.npy", np.asarray(offsets, dtype=np.int64))
            final = folder / f"{_SIDECAR_DIR}{token}"
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        fd, name = tempfile.mkstemp(dir=folder, prefix=".bm25.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"token": token, "size": size}, f)
        os.replace(name, folder / SIDECAR_FILE)
        self._remove_sidecars(keep=final.name)

    def _remove_sidecars(self, keep: str | None) -> None:
        """Delete the sidecar folders but `keep` (a reader that mapped one keeps its open files on POSIX)."""
        if self.folder is None or not self.folder.is_dir():
            return
        if keep is None:
            (self.folder / SIDECAR_FILE).unlink(missing_ok=True)
        for old in self.folder.glob(f"{_SIDECAR_DIR}*"):
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)

    def _model(self) -> Any:
        if self._snapshot is not None:
            return self._snapshot.bm25
        if self._bm25 is None:
            import bm25s

            self._order = list(self._chunks)
            model = bm25s.BM25()
            if self._order:
                model.index([self._terms[c] or [""] for c in self._order], show_progress=False)
            self._bm25 = model
        return self._bm25

    def coverage(self, terms: Sequence[str]) -> float:
        """Share of `terms` (analysed) that occur in the index: how much the lexical side can say."""
        if not terms:
            return 0.0
        with self._lock:
            if not self.state()[0]:
                return 0.0
            vocab = self._model().vocab_dict
            return sum(t in vocab for t in terms) / len(terms)

    def search(
        self, query: str | Sequence[str], k: int, allowed_articles: set[str] | None = None
    ) -> list[tuple[Chunk, float]]:
        """The `k` best chunks for `query` (text, or terms already analysed) with BM25 scores > 0, best first.

        `allowed_articles` restricts the result to those articles (committed ones, a filter).
        """
        terms = self.analyzer(query) if isinstance(query, str) else list(query)
        with self._lock:
            if not self.state()[0] or not terms or k <= 0:
                return []
            model = self._model()
            known = [t for t in terms if t in model.vocab_dict]
            if not known:
                return []
            scores = np.asarray(model.get_scores(known), dtype=np.float64)
            snap = self._snapshot
            if allowed_articles is not None:
                of_row = snap.articles if snap is not None else (self._chunks[c].article_id for c in self._order)
                mask = np.fromiter((a in allowed_articles for a in of_row), bool, len(scores))
                scores = np.where(mask, scores, 0.0)
            top = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
            if snap is not None:
                return [(snap.chunk(i), float(scores[i])) for i in top]
            return [(self._chunks[self._order[i]], float(scores[i])) for i in top]
