"""Untrusted text for display: every character visible, none of them able to drive the terminal.

Rich markup is never parsed (callers build ``rich.text.Text`` objects). Here we replace the
characters a terminal or the bidi algorithm would act on: C0/C1 controls (ESC starts ANSI and
OSC sequences), DEL, and the bidi embedding/override/isolate controls. The stored text is
never changed; this is for the screen only.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")


def _replace(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if ch in "\n\t\r":
        return " "
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ␛ for ESC, ␇ for BEL, ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls and bidi controls


def display_text(text: str) -> str:
    """`text` with control characters made visible and harmless."""
    return _UNSAFE.sub(_replace, text)
