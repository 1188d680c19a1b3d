"""The `qa` command: ingest, ask, list articles, remove, serve the chat, evaluate.

The composition root: it sits above the library (`qa`, `index`), its judge (`eval`) and its screen
(`ui`), and only calls their APIs; none of them imports it. `python -m cli` runs it too.
Errors of the project print one line (`error: ...`) and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import NewsQAError
from index.progress import progress_bar
from qa.models import Answer
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.assistant import Assistant


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:  # the evaluation runner has its own options (`qa eval --help`)
        from eval.cli import main as eval_main

        return eval_main(argv[1:])
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args, Settings()))
    except NewsQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa", description="Cited answers from Arabic news articles.")
    sub = p.add_subparsers(required=True, metavar="COMMAND")
    ing = sub.add_parser("ingest", help="index the articles in files or folders (.txt .md .html .jsonl)")
    ing.add_argument("paths", nargs="+", type=Path)
    ing.add_argument("--rebuild", action="store_true", help="drop the index first (after changing model or chunking)")
    ing.set_defaults(func=_ingest)
    ask = sub.add_parser("ask", help="ask a question in Arabic or English")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=None, help="passages to retrieve")
    ask.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    ask.add_argument("--outlet", action="append", default=None, help="only articles of this outlet (repeatable)")
    ask.add_argument("--since", default=None, help="only articles dated on or after YYYY-MM-DD")
    ask.add_argument("--until", default=None, help="only articles dated on or before YYYY-MM-DD")
    ask.set_defaults(func=_ask)
    rm = sub.add_parser("remove", help="remove an article (by id) or the articles of a file from the index")
    rm.add_argument("targets", nargs="+", metavar="ID_OR_FILE")
    rm.set_defaults(func=_remove)
    arts = sub.add_parser("articles", help="list the indexed articles")
    arts.set_defaults(func=_articles)
    sub.add_parser("eval", help="run the evaluation set or a SQuAD benchmark (`qa eval --help`)")
    serve = sub.add_parser("serve", help="start the chat UI and its HTTP API")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=_serve)
    return p


def _assistant(settings: Settings) -> Assistant:
    from qa.assistant import Assistant  # imported here to keep `qa --help` fast

    return Assistant(settings)


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    bar, progress = progress_bar("ingest", "article")
    report = _assistant(settings).ingest(args.paths, rebuild=args.rebuild, progress=progress)
    bar.close()
    print(
        f"{report.files} files: {report.articles_added} articles added ({report.chunks_added} chunks), "
        f"{report.articles_unchanged} already indexed, {report.articles_removed} replaced or removed, "
        f"{len(report.failed)} failed, {report.seconds:.1f} s"
    )
    for f in report.failed:
        print(f"failed: {f.error}", file=sys.stderr)
    return 1 if report.failed else 0


def format_answer(answer: Answer) -> str:
    """The answer and its sources as plain text."""
    lines = [answer.text]
    if answer.citations:
        lines.append("")
    for c in answer.citations:
        source = " · ".join(x for x in (c.title, c.outlet, c.date) if x)
        lines.append(f"[{c.marker}] {source} (chars {c.start}-{c.end})\n    «{c.quote}»")
        if c.rendering:
            lines.append(f"    machine rendering: {c.rendering}")
        if c.also_reported_by:
            lines.append(f"    also reported by: {', '.join(c.also_reported_by)}")
    return "\n".join(lines)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from qa.retrieve import RetrievalFilter

    where = RetrievalFilter.from_strings(args.outlet, args.since, args.until)
    answer = _assistant(settings).ask(args.question, k=args.k, where=where)
    print(answer.model_dump_json(indent=2) if args.json else format_answer(answer))
    return 0


def _remove(args: argparse.Namespace, settings: Settings) -> int:
    assistant = _assistant(settings)
    for target in args.targets:
        for article_id in assistant.remove(target):
            print(f"removed {article_id}")
    return 0


def _articles(args: argparse.Namespace, settings: Settings) -> int:
    for a in _assistant(settings).catalogue():  # metadata only: the article texts are not read
        print(json.dumps({"id": a.id, "title": a.title, "outlet": a.outlet, "date": a.date,
                          "source": a.source, "chunks": a.chunks}, ensure_ascii=False))  # fmt: skip
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import ui

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    ui.launch(settings.model_copy(update=overrides))
    return 0


if __name__ == "__main__":
    sys.exit(main())
