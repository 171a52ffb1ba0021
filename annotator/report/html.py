"""`annotator report`: one HTML page with the status and agreement tables and SVG charts.

Self-contained: inline CSS, inline SVG, no scripts, fonts or anything fetched, so the file can
be mailed or opened offline. All data text is escaped (titles, labels and names are
untrusted). A Content-Security-Policy forbids every network load as a second guard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

from annotator import __version__
from annotator.analysis.agreement import AgreementReport, TaskAgreement
from annotator.analysis.checks import CheckReport
from annotator.analysis.coefficients import Figure
from annotator.report.svg import alpha_chart, bar_chart, stacked_bars

CSS = """
:root { --ink: #1d2430; --muted: #667085; --line: #d9dee7; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
  sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 60px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p, .note { color: var(--muted); margin: 2px 0; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 16px 20px; margin: 18px 0; }
h2 { font-size: 18px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 16px 0 8px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { flex: 1 1 150px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.card b { display: block; font-size: 22px; }
.card span { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: right; }
th { background: #eef1f5; font-weight: 600; }
th:first-child, td:first-child, td.text { text-align: left; }
figure.chart { margin: 8px 0 14px; overflow-x: auto; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
svg { max-width: 100%; height: auto; font: 13px system-ui, "Noto Sans", "Noto Sans CJK SC",
  sans-serif; }
svg .num, svg .axis, svg .legend { fill: var(--muted); }
svg .track { fill: #eef1f5; }
svg .grid { stroke: #c5ccd6; stroke-dasharray: 3 3; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr));
  gap: 0 24px; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
.warning { color: #9a3412; font-weight: 600; }
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(value: Any) -> str:
    return escape(str(value))


def _fig(f: Figure | None, digits: int = 3) -> str:
    return "–" if f is None or f.value is None else f"{f.value:.{digits}f}"


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]], *, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    parts = [f"<table{klass}><thead><tr>"]
    parts += [f"<th>{_e(h)}</th>" for h in head]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _chart(name: str, caption: str, svg: str) -> str:
    return (
        f'<figure class="chart" data-chart="{_e(name)}"><figcaption>{_e(caption)}</figcaption>'
        f"{svg}</figure>"
    )


def _status(summary: dict[str, Any], report: AgreementReport, per_annotator: bool) -> str:
    units = summary.get("units", report.total_units)
    cards = [
        (f"{summary.get('documents', 0):,}", "documents"),
        (f"{units:,}", "units"),
        (f"{report.annotated_units:,}", "units labelled"),
        (f"{len(summary.get('annotators', {})):,}", "annotators"),
    ]
    html = ['<section id="status"><h2>Progress</h2><div class="cards">']
    html += [f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for v, k in cards]
    html.append("</div>")
    share = report.annotated_units / units if units else 0
    html.append(
        _chart(
            "progress-overall",
            f"Units with at least one label: {share:.0%}",
            stacked_bars(
                "Units labelled",
                [("all annotators", [report.annotated_units])],
                ["labelled"],
                total=units or 1,
            ),
        )
    )
    people = summary.get("annotators", {})
    if per_annotator and people:
        rows = [
            (name, [c.get("done", 0), c.get("skipped", 0), c.get("flagged", 0)])
            for name, c in people.items()
        ]
        html.append(
            _chart(
                "progress-annotators",
                "Progress per annotator (share of all units)",
                stacked_bars(
                    "Progress per annotator", rows, ["done", "skipped", "flagged"], total=units
                ),
            )
        )
        html.append(
            _table(
                ["annotator", "done", "skipped", "flagged"],
                [
                    (
                        n,
                        f"{c.get('done', 0):,}",
                        f"{c.get('skipped', 0):,}",
                        f"{c.get('flagged', 0):,}",
                    )
                    for n, c in people.items()
                ],
            )
        )
    html.append("</section>")
    return "".join(html)


def _distribution(tasks: list[TaskAgreement], where: str = "distribution") -> str:
    charts = []
    for t in tasks:
        if not t.distribution:
            continue
        items = (
            sorted(t.distribution.items(), key=lambda kv: -kv[1])
            if t.type == "span"
            else (list(t.distribution.items()))
        )
        what = "spans by label" if t.type == "span" else "labels"
        charts.append(_chart(f"{where}-{t.name}", f"{t.name}: {what}", bar_chart(t.name, items)))
    if not charts:
        return ""
    return (
        f'<section id="{where}"><h2>Label distribution</h2><div>'
        + "".join(charts)
        + "</div></section>"
    )


def _agreement(tasks: list[TaskAgreement], per_annotator: bool, where: str = "agreement") -> str:
    html = [f'<section id="{where}"><h2>Agreement</h2>']
    items: list[tuple[str, float | None]] = []
    for t in tasks:
        main = t.f1 if t.type == "span" else t.alpha
        if main is not None:
            name = f"{t.name} (token F1)" if t.type == "span" else f"{t.name} (α)"
            items.append((name, main.value))
    if items:
        html.append(
            _chart(
                "alpha",
                "Krippendorff's alpha per task (token F1 for spans); marks at .667 and .8",
                alpha_chart("Agreement per task", items),
            )
        )
    rows = []
    for t in tasks:
        main = t.f1 if t.type == "span" else t.alpha
        rows.append(
            (
                t.name,
                "token F1" if t.type == "span" else t.level,
                f"{main.units:,}" if main else "–",
                main.annotators if main else len(t.annotators),
                _fig(main),
                _fig(t.fleiss),
                f"{t.percent.value:.1%}" if t.percent and t.percent.value is not None else "–",
            )
        )
    html.append(
        _table(["task", "level", "units", "annotators", "alpha", "Fleiss κ", "% agree"], rows)
    )
    html += [f'<p class="note">{_e(n)}</p>' for t in tasks for n in t.notes()]
    for t in tasks:
        if t.per_label:
            html.append(f"<h3>{_e(t.name)}: binary alpha per label</h3>")
            html.append(
                _table(
                    ["label", "chosen", "units", "alpha"],
                    [
                        (lab, f"{t.distribution.get(lab, 0):,}", f"{f.units:,}", _fig(f))
                        for lab, f in t.per_label.items()
                    ],
                )
            )
    if per_annotator:
        for t in tasks:
            pairs, title = (t.f1_pairs, "token F1") if t.type == "span" else (t.cohen, "Cohen's κ")
            if len(t.annotators) < 2 or not pairs:
                continue
            html.append(f"<h3>{_e(t.name)}: {_e(title)} per pair</h3>")
            html.append(
                _table(
                    ["", *t.annotators],
                    [
                        (name, *(_fig(f, 2) if f is not None else "·" for f in row))
                        for name, row in zip(t.annotators, pairs, strict=True)
                    ],
                    cls="matrix",
                )
            )
    html.append("</section>")
    return "".join(html)


def _annotators(report: AgreementReport) -> str:
    rows = []
    for a in report.annotators:
        overall = a.overall
        rows.append(
            (
                a.name,
                a.role,
                f"{a.done:,}",
                f"{a.skipped:,}",
                f"{a.flagged:,}",
                f"{a.median_seconds:.1f}" if a.median_seconds is not None else "–",
                f"{overall.value:.1%} of {overall.units:,}" if overall.value is not None else "–",
            )
        )
    chart = bar_chart(
        "Agreement with the others' majority",
        [(a.name, 100 * (a.overall.value or 0)) for a in report.annotators],
        fmt="{:.1f}%",
    )
    return (
        '<section id="annotators"><h2>Per annotator</h2>'
        + _table(
            ["annotator", "role", "done", "skipped", "flagged", "median s", "with majority"], rows
        )
        + _chart("majority", "Agreement with the others' majority (all categorical tasks)", chart)
        + "</section>"
    )


def _documents(documents: AgreementReport, per_annotator: bool) -> str:
    """The document tasks (`scope: document`), measured over documents."""
    return (
        '<section id="documents"><h2>Per article (document tasks)</h2>'
        f"<p>{documents.annotated_units:,} of {documents.total_units:,} documents answered</p>"
        + _distribution(documents.tasks, "documents-distribution")
        + _agreement(documents.tasks, per_annotator, "documents-agreement")
        + "</section>"
    )


def _checks(checks: CheckReport, answers: int, per_annotator: bool) -> str:
    """Accuracy per annotator on the check items, and a warning line for each one below the
    project's threshold (per-annotator figures: for leads only)."""
    threshold = f"; warning below {checks.warn_below:.0%}" if checks.warn_below is not None else ""
    parts = [
        '<section id="checks"><h2>Check items</h2>',
        f"<p>{checks.items:,} check items, mixed in at {checks.rate:.0%} of each queue"
        f"{_e(threshold)}. Answers to them ({answers:,}) are scored against the known "
        "answers and left out of every other figure on this page.</p>",
    ]
    if per_annotator and checks.people:
        rows = [
            (
                p.annotator,
                f"{p.checks:,}",
                f"{p.answered:,}",
                f"{p.correct:,}",
                f"{p.accuracy:.1%}" if p.accuracy is not None else "–",
                ", ".join(
                    f"{t} {s.accuracy:.0%}" for t, s in p.tasks.items() if s.accuracy is not None
                ),
            )
            for p in checks.people
        ]
        parts.append(
            _table(["annotator", "checks", "scored", "correct", "accuracy", "per task"], rows)
        )
        parts += [f'<p class="warning">Warning: {_e(line)}</p>' for line in checks.warnings()]
    elif per_annotator:
        parts.append('<p class="note">No answers to check items yet.</p>')
    parts.append("</section>")
    return "".join(parts)


def render_report(
    *,
    project: str,
    schema: str,
    summary: dict[str, Any],
    report: AgreementReport,
    per_annotator: bool = True,
    hidden_note: str = "",
    now: datetime | None = None,
    documents: AgreementReport | None = None,
    checks: CheckReport | None = None,
    check_answers: int = 0,
) -> str:
    """The whole page as a string."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<header><h1>{_e(project)}</h1>",
        f"<p>Schema {_e(schema)} · {report.annotated_units:,} of {report.total_units:,} units "
        f"labelled · {stamp}</p></header>",
        _status(summary, report, per_annotator),
        _distribution(report.tasks),
        _agreement(report.tasks, per_annotator),
    ]
    shows_annotators = per_annotator and bool(report.annotators)
    if shows_annotators:
        body.append(_annotators(report))
    if documents is not None:
        body.append(_documents(documents, per_annotator))
    if checks is not None:
        body.append(_checks(checks, check_answers, per_annotator))
    if not shows_annotators and hidden_note:
        body.append(f'<p class="note">{_e(hidden_note)}</p>')
    body.append(f"<footer>annotator {__version__} · annotator report</footer>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(project)} · annotation report</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )
