"""`qa eval` / `python -m eval`: run an evaluation set (or a SQuAD file's retrieval benchmark).

    qa eval [--set eval/data/seed.jsonl] [--backend extractive] [--out DIR] [--compare OLD/report.json]
            [--min key_fact_accuracy=0.5 ...] [--baseline eval/baseline-extractive.json]
    qa eval --squad FILE [--questions PARALLEL_FILE] [--limit N] [--pipelines ours,...] [--answers N]

The set is answered over a fresh temporary index of `--corpus` (the bundled articles by
default), so a run never touches the user's store. Exit status: 0, or 1 when a metric is
below its minimum (from `--min` or `--baseline`), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from eval.squad import PIPELINES
from index.errors import InputError, NewsQAError
from index.progress import progress_bar
from qa.settings import Settings

DEFAULT_SET = Path(__file__).parent / "data" / "seed.jsonl"


def parser() -> argparse.ArgumentParser:
    """The eval command's arguments (shared by `qa eval` and `python -m eval`)."""
    p = argparse.ArgumentParser(prog="qa eval", description="Measure answer, citation and retrieval quality.")
    p.add_argument("--set", type=Path, default=DEFAULT_SET, help="evaluation set (.jsonl)")
    p.add_argument("--corpus", type=Path, default=None, help="articles the set is about (default: bundled)")
    p.add_argument("--backend", choices=["auto", "local", "openai", "extractive"], default=None)
    p.add_argument("--out", type=Path, default=None, help="report folder (default artifacts/eval/SET-BACKEND)")
    p.add_argument("--compare", type=Path, default=None, help="an earlier report.json to compare with")
    p.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE", help="fail below this value")
    p.add_argument("--baseline", type=Path, default=None, help="JSON of minimums {metric: value}")
    p.add_argument("--limit", type=int, default=None, help="only the first N cases or questions")
    p.add_argument("--squad", type=Path, default=None, help="a SQuAD-format file: retrieval benchmark instead")
    p.add_argument("--questions", type=Path, default=None, help="with --squad: parallel questions, matched by id")
    p.add_argument("--pipelines", default=",".join(PIPELINES), help="with --squad: retrieval pipelines to compare")
    p.add_argument("--answers", type=int, default=0, metavar="N",
                   help="with --squad: answer N questions per language with the backend (EM, F1)")  # fmt: skip
    return p


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run the command; return the exit status."""
    args = parser().parse_args(argv)
    try:
        settings = settings or Settings()
        if args.backend:
            settings = settings.model_copy(update={"backend": args.backend})
        return _squad(args, settings) if args.squad else _seed(args, settings)
    except NewsQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _read_json(path: Path, option: str) -> object:
    """A JSON file named by an option, or `InputError` saying what is wrong with it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{option} {path}: no such file; give an existing file or leave {option} out") from None
    except OSError as exc:
        raise InputError(f"{option} {path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise InputError(f"{option} {path}: not valid JSON ({exc}); fix or regenerate the file") from None


def _minimums(args: argparse.Namespace) -> dict[str, float]:
    mins: dict[str, float] = {}
    if args.baseline:
        baseline = _read_json(args.baseline, "--baseline")
        shape = f'--baseline {args.baseline}: write a JSON object of minimums, e.g. {{"key_fact_accuracy": 0.6}}'
        if not isinstance(baseline, dict):
            raise InputError(shape)
        try:
            mins.update({str(k): float(v) for k, v in baseline.items()})
        except (TypeError, ValueError):
            raise InputError(shape) from None
    for item in args.min:
        key, sep, value = item.partition("=")
        try:
            mins[key.strip()] = float(value)
        except ValueError:
            raise InputError(f"--min {item!r}: write METRIC=NUMBER, e.g. key_fact_accuracy=0.6") from None
        if not sep:
            raise InputError(f"--min {item!r}: write METRIC=NUMBER, e.g. key_fact_accuracy=0.6")
    return mins


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from eval.cases import load_cases, record_labels, resolve_articles
    from eval.report import below_thresholds, compare, load, markdown, save
    from eval.runner import run_eval
    from qa.assistant import Assistant

    minimums = _minimums(args)  # bad options fail now, not after the run
    if args.compare and not args.compare.is_file():
        raise InputError(f"--compare {args.compare}: no such report; give the report.json of an earlier run")
    cases = load_cases(args.set)[: args.limit]
    corpus = args.corpus or settings.corpus_dir
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as tmp:
        assistant = Assistant(settings.model_copy(update={"data_dir": Path(tmp), "chroma_url": None}))
        bar, progress = progress_bar("ingest", "article")  # an archive takes minutes: say how far it is
        report = assistant.ingest([corpus], progress=progress)
        bar.close()
        if report.failed:
            raise InputError(f"the corpus {corpus} has files that failed: {report.failed[0].error}")
        # Gold labels may be JSON Lines record ids (eval/data/archive-dev.jsonl): map them to the ingested labels.
        articles = resolve_articles(cases, assistant.articles(), record_labels([corpus]))
        bar, progress = progress_bar(f"eval {args.set.stem}", "case")
        result = run_eval(assistant, cases, articles, set_name=args.set.stem, progress=progress)
        bar.close()
    out = args.out or Path("artifacts") / "eval" / f"{args.set.stem}-{result.backend}"
    js, md, png = save(result, out)
    print(markdown(result).split("\n| stage")[0])
    print(f"report: {md} (chart {png}, data {js})")
    if args.compare:
        print(compare(load(args.compare), result))
    failures = below_thresholds(result, minimums)
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    return 1 if failures else 0


def _squad(args: argparse.Namespace, settings: Settings) -> int:
    from eval.squad import format_table, plot, run_squad_retrieval
    from qa.assistant import Assistant

    if not args.squad.is_file():
        raise InputError(f"{args.squad}: no such SQuAD file")
    unknown = {x.strip() for x in args.pipelines.split(",")} - set(PIPELINES)
    if unknown:
        raise InputError(f"--pipelines: unknown {', '.join(sorted(unknown))}; choose from {', '.join(PIPELINES)}")
    bar, progress = progress_bar(f"squad {args.squad.stem}", "step")
    report = run_squad_retrieval(
        args.squad, args.questions, settings=settings, embedder=Assistant(settings).embedder, limit=args.limit,
        progress=lambda stage, done, total: progress(done, total, stage), answers=args.answers,
        pipelines=[x.strip() for x in args.pipelines.split(",") if x.strip()],
    )  # fmt: skip
    bar.close()
    out = args.out or Path("artifacts") / "eval" / f"squad-{report.dataset}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    plot([report], out / "report.png")
    table = format_table(report)
    (out / "report.md").write_text(table + "\n", encoding="utf-8")
    print(table)
    print(f"report: {out / 'report.md'}")
    return 0
