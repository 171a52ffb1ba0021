"""Terminal charts as rich Text: horizontal bars and a fixed-scale sparkline.

Textual's ``Sparkline`` stretches its data between their own minimum and maximum, so alpha
wobbling between 0.41 and 0.43 would look like a cliff. Agreement needs a fixed scale
(0 to 1), so the sparkline here draws one block per point on that scale.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from annotator.tui.safe_text import display_text

BLOCKS = "▁▂▃▄▅▆▇█"
EIGHTHS = " ▏▎▍▌▋▊▉"


def hbar(fraction: float, width: int, style: str = "") -> Text:
    """A bar `width` cells long filled to `fraction` (in eighths of a cell), then a dim track."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    out = Text("█" * full, style=style)
    if part and full < width:
        out.append(EIGHTHS[part], style=style)
        full += 1
    out.append("·" * (width - full), style="dim")
    return out


def sparkline(values: Sequence[float], low: float = 0.0, high: float = 1.0) -> Text:
    """One block per value on the fixed scale low..high; values below `low` drawn red."""
    out = Text()
    span = (high - low) or 1.0
    for v in values:
        level = int((min(max(v, low), high) - low) / span * (len(BLOCKS) - 1) + 0.5)
        out.append(BLOCKS[level], style="red" if v < low else "")
    return out


def distribution(counts: Sequence[tuple[str, int]], width: int, name_width: int = 14) -> Text:
    """One line per value: its name, a bar scaled to the largest count, the count and share."""
    out = Text()
    top = max((n for _, n in counts), default=0)
    total = sum(n for _, n in counts) or 1
    for i, (label, n) in enumerate(counts):
        if i:
            out.append("\n")
        label = display_text(label)
        name = label if len(label) <= name_width else label[: name_width - 1] + "…"
        out.append(f"{name:<{name_width}} ")
        out.append_text(hbar(n / top if top else 0.0, width, "cyan"))
        out.append(f" {n:,} ({n / total:.0%})", style="dim")
    return out
