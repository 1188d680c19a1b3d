"""Evaluation reports: JSON for machines, Markdown with a chart for people, comparisons and thresholds."""

from __future__ import annotations

import json
from pathlib import Path

from eval.runner import CaseResult, EvalReport

#: The headline metrics, in the order reports show them (all: higher is better).
HEADLINE = ("hit@1", "hit@5", "mrr", "key_fact_accuracy", "answer_correct", "token_f1", "citation_precision",
            "citation_recall", "refusal_precision", "refusal_recall", "language_match")  # fmt: skip


def save(report: EvalReport, out_dir: Path) -> tuple[Path, Path, Path]:
    """Write report.json, report.md and report.png into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    js, md, png = out_dir / "report.json", out_dir / "report.md", out_dir / "report.png"
    js.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    plot(report, png)
    md.write_text(markdown(report, png.name), encoding="utf-8")
    return js, md, png


def load(path: Path) -> EvalReport:
    """Read a report.json (or the folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    return EvalReport.model_validate(json.loads(path.read_text(encoding="utf-8")))


def markdown(report: EvalReport, chart: str | None = None) -> str:
    """The report as Markdown: totals by language, latency, then every case."""
    langs = sorted(report.by_language)
    lines = [f"# Evaluation: {report.set_name} · backend `{report.backend}`", "",
             f"{int(report.totals['cases'])} cases in {report.seconds:.0f} s · settings: "
             + ", ".join(f"{k}={v}" for k, v in report.settings.items()), ""]  # fmt: skip
    if chart:
        lines += [f"![metrics]({chart})", ""]
    lines += ["| metric | all | " + " | ".join(langs) + " |", "|---|---:|" + "---:|" * len(langs)]
    for key in HEADLINE:
        if key in report.totals:
            cells = [f"{report.by_language[lg].get(key, float('nan')):.3f}" for lg in langs]
            lines.append(f"| {key} | {report.totals[key]:.3f} | " + " | ".join(cells) + " |")
    if report.by_kind:  # answerable kinds: every key fact stated; unanswerable: refused
        lines += ["", "| kind | right | of |", "|---|---:|---:|"]
        lines += [f"| {k} | {int(v['right'])} | {int(v['cases'])} |" for k, v in report.by_kind.items()]
    lat = sorted(k[: -len("_p50_ms")] for k in report.totals if k.endswith("_p50_ms"))
    lines += ["", "| stage | p50 ms | p95 ms |", "|---|---:|---:|"]
    lines += [f"| {s} | {report.totals[s + '_p50_ms']:.0f} | {report.totals[s + '_p95_ms']:.0f} |" for s in lat]
    lines += [
        "",
        "| case | kind | answered | gold rank | facts | F1 | cited ok | answer |",
        "|---|---|---|---:|---|---:|---|---|",
    ]
    for c in report.cases:
        facts = "".join("✓" if f else "✗" for f in c.facts_stated) or "–"
        f1 = f"{c.token_f1:.2f}" if c.token_f1 is not None else "–"
        cited = f"{c.sentences_supported}/{c.sentences}" if c.sentences else "–"
        answer = c.answer.replace("|", "\\|").replace("\n", " ")[:90]
        lines.append(f"| {c.id} | {c.kind} | {'yes' if c.answered else 'no'} | {c.gold_rank or '–'} | {facts} | "
                     f"{f1} | {cited} | {answer} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def plot(report: EvalReport, path: Path) -> None:
    """A grouped bar chart of the headline metrics per question language."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [k for k in HEADLINE if k in report.totals]
    langs = sorted(report.by_language)
    fig, ax = plt.subplots(figsize=(11, 4.2))
    width = 0.8 / max(1, len(langs) + 1)
    for i, (name, values) in enumerate([("all", report.totals)] + [(lg, report.by_language[lg]) for lg in langs]):
        ax.bar([x + i * width for x in range(len(keys))], [values.get(k, 0.0) for k in keys], width, label=name)
    ax.set_xticks([x + width * len(langs) / 2 for x in range(len(keys))], keys, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"{report.set_name} · {report.backend}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare(old: EvalReport, new: EvalReport) -> str:
    """Markdown: each headline metric before and after, then the cases that changed verdict."""
    lines = [f"Comparing {old.backend} ({old.set_name}) → {new.backend} ({new.set_name})", "",
             "| metric | before | after | change |", "|---|---:|---:|---:|"]  # fmt: skip
    for key in HEADLINE:
        if key in old.totals and key in new.totals:
            d = new.totals[key] - old.totals[key]
            mark = "▲" if d > 0.005 else "▼" if d < -0.005 else ""
            lines.append(f"| {key} | {old.totals[key]:.3f} | {new.totals[key]:.3f} | {d:+.3f} {mark} |")
    before = {c.id: c for c in old.cases}
    better, worse = [], []
    for c in new.cases:
        b = before.get(c.id)
        if b is None:
            continue
        was, now = _case_ok(b), _case_ok(c)
        if now and not was:
            better.append(c.id)
        elif was and not now:
            worse.append(c.id)
    lines += ["", f"Improved ({len(better)}): {', '.join(better) or 'none'}",
              f"Regressed ({len(worse)}): {', '.join(worse) or 'none'}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def _case_ok(c: CaseResult) -> bool:
    """Correct: an unanswerable case declined, an answerable one answered with every key fact."""
    if not c.answerable:
        return not c.answered
    return c.answered and bool(c.facts_stated) and all(c.facts_stated)


def below_thresholds(report: EvalReport, minimums: dict[str, float]) -> list[str]:
    """A line for every metric under its minimum (an unknown metric name is an error, not a pass).

    A key is a metric of the totals (`key_fact_accuracy`) or of one question language (`en.hit@5`).
    """
    failures = []
    for key, floor in minimums.items():
        lang, dot, metric = key.rpartition(".")
        values = report.by_language.get(lang, {}) if dot else report.totals
        if metric not in values:
            known = ", ".join(sorted(report.totals))
            failures.append(f"{key}: no such metric (known: {known}, each also per language as ar.NAME / en.NAME)")
        elif values[metric] < floor:
            failures.append(f"{key} = {values[metric]:.3f} is below the minimum {floor:.3f}")
    return failures
