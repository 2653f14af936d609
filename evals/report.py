"""The evaluation report: one self-contained HTML page plus a short Markdown summary.

The HTML is rendered from `evals/templates/report.html.jinja` with autoescaping on (every
source text comes from uploads or third-party data). It carries its own CSS and no
scripts, so it opens offline and can be attached to a review. Per dataset it shows the
metrics with CSS-width bars, per-label figures, every confusion matrix the dataset
produced (action type, purpose, flags), and every miss next to its source text.

The Markdown file (same name, `.md`) holds the headline table only, for a commit message
or an issue comment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from evals.datasets import DatasetReport

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _band(value: float) -> str:
    return "low" if value < 0.5 else "mid" if value < 0.8 else "high"


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def _columns(matrix: dict[str, dict[str, int]]) -> list[str]:
    """Predicted labels: gold labels first (so the diagonal lines up), then the others, sorted."""
    seen = [g for g in matrix if any(g in row for row in matrix.values())]
    others = sorted({p for row in matrix.values() for p in row} - set(seen))
    return seen + others


def render_html(results: Sequence[DatasetReport], *, skipped: dict[str, str] | None = None) -> str:
    """Render the HTML report.

    Args:
        results: One report per dataset.
        skipped: Dataset name -> why it was not run.

    Returns:
        A complete HTML document.
    """
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "jinja"]),
                      trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("report.html.jinja")
    return template.render(
        results=results, skipped=skipped or {}, engines=sorted({r.engine for r in results}) or ["-"],
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),  # noqa: UP017
        fmt=_fmt, band=_band, show=_show, columns=_columns,
    )


def render_markdown(results: Iterable[DatasetReport], *, skipped: dict[str, str] | None = None) -> str:
    """A short Markdown summary: one table row per dataset, every metric, n/a with its reason, and any
    abstention curve on a line of its own."""
    results = list(results)
    lines = ["# clientloop evaluation summary", "", "| dataset | split | engine | metrics | misses |",
             "|---|---|---|---|---|"]
    for r in results:
        shown = "; ".join(f"{k} {_fmt(v)}" + (f" ({r.notes[k]})" if v is None and k in r.notes else "")
                          for k, v in r.metrics.items())
        lines.append(f"| {r.dataset} | {r.split} | {r.engine} | {shown} | {len(r.misses)} |")
    for name, why in (skipped or {}).items():
        lines.append(f"| {name} | – | – | skipped: {why} | – |")
    for r in results:
        if r.abstention_curve:
            points = ", ".join(
                f"{p['cutoff']:.2f}{'*' if p.get('shipped') else ''} {_fmt(p['precision'])}/{_fmt(p['recall'])}"
                for p in r.abstention_curve
            )
            lines += ["", f"{r.dataset} ({r.split}) abstention precision/recall by answerability cut-off "
                      f"(* shipped): {points}"]
    return "\n".join(lines) + "\n"


def write_report(
    results: Sequence[DatasetReport], path: Path, *, skipped: dict[str, str] | None = None
) -> tuple[Path, Path]:
    """Write `path` (HTML) and the Markdown summary beside it (`.md`).

    Returns:
        The HTML and Markdown paths.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(results, skipped=skipped), encoding="utf-8")
    md = path.with_suffix(".md")
    md.write_text(render_markdown(results, skipped=skipped), encoding="utf-8")
    return path, md
