"""Small SVG charts drawn as strings: horizontal bars, stacked bars, bars on a -1..1 axis.

Every piece of text that comes from data (labels, annotator names) is escaped; sizes are in
SVG user units and the charts scale with the page through their viewBox.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#2f6db5", "#e08a2c", "#3a9e6f", "#c6463f", "#7d5fb2", "#8c6d46", "#d267a6", "#6b7785")
ROW = 26
LABEL_W = 240
BAR_W = 440
VALUE_W = 130


def _text(x: float, y: float, body: str, *, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(body)}</text>'


def _clip(label: str, size: int = 34) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def _svg(height: float, body: list[str], title: str) -> str:
    width = LABEL_W + BAR_W + VALUE_W
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'width="{width}" height="{height:.0f}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def bar_chart(title: str, items: Sequence[tuple[str, float]], *, fmt: str = "{:,.0f}") -> str:
    """One horizontal bar per (label, value), scaled to the largest value."""
    top = max((v for _, v in items), default=0) or 1
    body = []
    for i, (label, value) in enumerate(items):
        y = i * ROW + 4
        w = BAR_W * value / top
        body.append(_text(LABEL_W - 8, y + 15, _clip(label), anchor="end"))
        body.append(
            f'<rect class="bar" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{ROW - 8}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)}: '
            f"{escape(fmt.format(value))}</title></rect>"
        )
        body.append(_text(LABEL_W + w + 6, y + 15, fmt.format(value), cls="num"))
    return _svg(len(items) * ROW + 8, body, title)


def stacked_bars(
    title: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    parts: Sequence[str],
    *,
    total: float | None = None,
) -> str:
    """One bar per row split into `parts` (e.g. done / skipped / flagged), with a legend.
    Bars are scaled to `total` (e.g. the number of units) or to the longest row."""
    top = total or max((sum(v) for _, v in rows), default=0) or 1
    body = []
    for j, part in enumerate(parts):
        x: float = LABEL_W + j * 110
        body.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>'
        )
        body.append(_text(x + 17, 15, part, cls="legend"))
    for i, (label, values) in enumerate(rows):
        y = (i + 1) * ROW + 4
        x = LABEL_W
        body.append(_text(LABEL_W - 8, y + 15, _clip(label), anchor="end"))
        body.append(
            f'<rect x="{LABEL_W}" y="{y}" width="{BAR_W}" height="{ROW - 8}" class="track"/>'
        )
        for j, value in enumerate(values):
            w = BAR_W * min(value / top, 1.0)
            if w <= 0:
                continue
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW - 8}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(label)} '
                f"{escape(parts[j])}: {value:,.0f}</title></rect>"
            )
            x += w
        share = f" ({sum(values) / total:.0%})" if total else ""
        body.append(_text(LABEL_W + BAR_W + 6, y + 15, f"{sum(values):,.0f}{share}", cls="num"))
    return _svg((len(rows) + 1) * ROW + 8, body, title)


def alpha_chart(title: str, items: Sequence[tuple[str, float | None]]) -> str:
    """Coefficients on a -1..1 axis, with Krippendorff's 0.667 and 0.8 marks."""

    def x_of(v: float) -> float:
        return LABEL_W + BAR_W * (max(-1.0, min(1.0, v)) + 1) / 2

    height = len(items) * ROW + 30
    body = []
    for mark, name in ((0.0, "0"), (0.667, ".667"), (0.8, ".8"), (1.0, "1")):
        x = x_of(mark)
        body.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 18}" class="grid"/>')
        body.append(_text(x, height - 5, name, anchor="middle", cls="axis"))
    for i, (label, value) in enumerate(items):
        y = i * ROW + 4
        body.append(_text(LABEL_W - 8, y + 15, _clip(label), anchor="end"))
        if value is None:
            body.append(_text(x_of(0) + 6, y + 15, "n/a", cls="num"))
            continue
        x0, x1 = sorted((x_of(0), x_of(value)))
        colour = "#3a9e6f" if value >= 0.8 else "#e0a82c" if value >= 0.667 else "#c6463f"
        body.append(
            f'<rect class="bar" x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{ROW - 8}" fill="{colour}"><title>{escape(label)}: {value:.3f}</title></rect>'
        )
        body.append(_text(max(x1, x_of(0)) + 6, y + 15, f"{value:.3f}", cls="num"))
    return _svg(height, body, title)
