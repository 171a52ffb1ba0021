"""Where a line may break in mixed Chinese and Latin text, and a greedy wrap that uses it.

Terminal widgets wrap at spaces and fold anything longer, which suits English and breaks
Chinese badly: a run of hanzi has no spaces, so it is folded wherever the width runs out,
in the middle of a Latin name (``（A`` / ``dina``) or just before a ``，``. The rules here
are a small subset of Unicode's line breaking algorithm (UAX #14) and of the W3C's
requirements for Chinese layout (clreq):

- a CJK character (hanzi, kana, fullwidth forms) or another wide character (emoji) may
  break on either side;
- letters, digits and the ASCII punctuation between them (``U.S.``, ``3.5``, ``64%``) make
  one word, which is never broken unless it is wider than the line;
- a line may break after a space; spaces at a break hang past the line end and are dropped;
- no line starts with closing punctuation (``，。）」》…``) or ends with opening
  punctuation (``（「《“``): the character next to it moves along;
- a combining mark, a variation selector or a zero-width joiner stays with its base.

Widths are terminal cells, as Rich measures them: a hanzi takes two.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text

# Character classes (named after UAX #14's, simplified).
AL = 0  # letters, digits, symbols: glued to each other into words
ID = 1  # ideographic and other wide characters: a break on either side
OP = 2  # opening punctuation: never at a line end
CL = 3  # closing punctuation and what must not start a line
SP = 4  # a space: a break after it, and it hangs at the line end
CM = 5  # combining: stays with the character before it
GL = 6  # glue (no-break space, word joiner): no break on either side
QU = 7  # ' and ": opening or closing cannot be told, so no break on either side
ZW = 8  # zero-width space: a break after it
BK = 9  # a line feed: a break that must be taken
B2 = 10  # dashes: a break on either side, but not between two of them
ZWJ = 11  # zero-width joiner: no break on either side (emoji sequences)
RI = 12  # regional indicators: flags are pairs of them

_OPENING = "([{¿¡（［｛「『《〈【〔〖〘〚〝‘“｟⦅＜￥＄£€$"
_CLOSING = (
    ")]}）］｝」』》〉】〕〗〙〛〞〟’”｠⦆＞"
    ",.;:!?%，。、；：！？．・…‥〜～‰°℃％､｡"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "ー々〻ゝゞヽヾ"
)
# ASCII closing punctuation glues to a letter after it: 3.5, U.S.A, a,b
_ASCII_CLOSING = frozenset(")]},.;:!?%")
_ASCII_OPENING = frozenset("([{")
_SPACES = frozenset(" \t\u3000\u2002\u2003\u2009")
_GLUE = frozenset("\u00a0\u202f\u2060\ufeff\u2007·")  # · joins the parts of a name
_DASHES = frozenset("—―⸺⸻")


@lru_cache(maxsize=4096)
def char_class(ch: str) -> int:
    """The line breaking class of one character."""
    if ch in _SPACES:
        return SP
    if ch == "\n":
        return BK
    if ch == "\u200b":
        return ZW
    if ch == "\u200d":
        return ZWJ
    if ch in _GLUE:
        return GL
    if ch in _OPENING:
        return OP
    if ch in _CLOSING:
        return CL
    if ch in "'\"":
        return QU
    if ch in _DASHES:
        return B2
    code = ord(ch)
    if (
        unicodedata.combining(ch)
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tags (subdivision flags)
        or 0xE0100 <= code <= 0xE01EF
    ):
        return CM
    if 0x1F1E6 <= code <= 0x1F1FF:
        return RI
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return AL  # Korean is written with spaces between words
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return ID
    if 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF:
        return ID  # emoji and pictographs, wide or not
    return AL


def _may_break(a: str, ca: int, b: str, cb: int) -> bool:
    """May a line break between `a` (class `ca`) and the `b` (class `cb`) after it?"""
    if cb in (SP, CM, CL, GL, ZWJ, BK):
        return False
    if ca in (ZW, SP):
        return True
    if ca in (OP, GL, ZWJ, QU) or cb in (QU, ZW):
        return False
    if ca == AL and cb == AL:
        return False
    if ca == AL and cb == OP:
        return b not in _ASCII_OPENING  # f(x) is one word; VOA（美国之音） may break
    if ca == CL and cb == AL:
        return a not in _ASCII_CLOSING  # 3.5 and U.S. hold; ，Adina may break
    if ca == B2 and cb == B2:
        return False  # ——
    return not (ca == RI and cb == RI)


def break_opportunities(text: str, classes: list[int] | None = None) -> list[bool]:
    """For each index i, whether a line may break just before ``text[i]`` (i > 0)."""
    classes = classes or [char_class(ch) for ch in text]
    out = [False] * len(text)
    prev_ch, prev = "", -1
    for i, ch in enumerate(text):
        cls = classes[i]
        if prev_ch == "\n":
            out[i] = True
        elif i and cls != CM:
            out[i] = _may_break(prev_ch, prev, ch, cls)
        if cls != CM or prev < 0:  # a combining mark takes its base's class
            prev_ch, prev = ch, cls
    return out


def _unfit(text: str, end: int) -> bool:
    """Is a cut before ``text[end]`` against the rules (but possible, as a last resort)?"""
    return char_class(text[end]) in (CM, ZWJ, CL) or char_class(text[end - 1]) in (OP, ZWJ)


def _cut(text: str, start: int, stop: int) -> int:
    """Where to cut a word that runs from `start` past the line end at `stop`."""
    end = stop
    while end > start + 1 and _unfit(text, end):
        end -= 1
    if _unfit(text, end):  # no place by the rules: where the width ran out, marks kept
        end = stop
        while end < len(text) and char_class(text[end]) == CM:
            end += 1
    return end


def break_lines(text: str, width: int) -> list[tuple[int, int]]:
    """Lines of `text` at most `width` cells wide, as (start, end) offsets into `text`.

    Spaces at a break are left out of both lines; a line feed ends a line. A word wider than
    the line is cut between two characters (never before a combining mark). Empty text is one
    empty line.
    """
    width = max(1, width)
    n = len(text)
    if n and cell_len(text) <= width and "\n" not in text:
        return [(0, len(text.rstrip(" \t\u3000")))]
    if text.isascii() and "\t" not in text:  # the common English case, done faster
        return _break_ascii(text, width)
    return _break_any(text, width)


def _break_any(text: str, width: int) -> list[tuple[int, int]]:
    n = len(text)
    classes = [char_class(ch) for ch in text]
    can = break_opportunities(text, classes)
    widths = [0 if ch == "\n" else get_character_cell_size(ch) for ch in text]
    lines: list[tuple[int, int]] = []
    start = 0
    while start < n:
        used = 0  # cells of text[start:i], not counting spaces at its end
        trailing = 0  # cells of the spaces at the end of text[start:i]
        last_break = -1  # the latest i with can[i] and text[start:i] fitting
        i = start
        end = -1
        while i < n:
            if i > start and can[i]:
                last_break = i
                if text[i - 1] == "\n":
                    end = i
                    break
            cls = classes[i]
            w = widths[i]
            if cls in (SP, BK):
                trailing += w
                i += 1
                continue
            if used + trailing + w > width and i > start:
                # (a word wider than the line is cut, by the same rules if it can be)
                end = last_break if last_break > start else _cut(text, start, i)
                break
            used += trailing + w
            trailing = 0
            i += 1
        if end < 0:
            end = n
        stop = end
        while stop > start and classes[stop - 1] in (SP, BK):
            stop -= 1
        lines.append((start, stop))
        start = end
    return lines or [(0, 0)]


_WORD = re.compile(r"[^ \t\n]+|\n")


def _break_ascii(text: str, width: int) -> list[tuple[int, int]]:
    """break_lines for ASCII text, where the rules come down to a break after spaces and at
    a line feed: the same lines, found word by word rather than character by character."""
    lines: list[tuple[int, int]] = []
    start, end = 0, -1  # the line being filled is text[start:end]; -1: no word on it yet
    for match in _WORD.finditer(text):
        a, b = match.span()
        if text[a] == "\n":
            lines.append((start, max(end, start)))
            start, end = b, -1
            continue
        if b - start <= width:
            end = b
            continue
        if end >= 0 or a > start:  # the line so far (leading spaces only: an empty line)
            lines.append((start, max(end, start)))
        while b - a > width:  # a word wider than the line
            cut = _cut(text, a, a + width)
            lines.append((a, cut))
            a = cut
        start, end = a, b
    if start < len(text) or not lines:
        lines.append((start, max(end, start)))
    return lines


@lru_cache(maxsize=1024)
def cached_lines(text: str, width: int) -> tuple[tuple[int, int], ...]:
    """break_lines, remembered: the screen redraws the same sentences and panels often (a
    sentence is context to the units around it; a panel's text is the same for every unit)."""
    return tuple(break_lines(text, width))


def wrap(text: str, width: int) -> list[str]:
    """`text` broken into lines of at most `width` cells (see break_lines)."""
    return [text[a:b] for a, b in break_lines(text, width)]


def wrap_text(text: Text, width: int) -> list[Text]:
    """A Rich `text` broken into lines, each keeping its styles (see break_lines)."""
    return [text[a:b] for a, b in cached_lines(text.plain, width)]


def _cjk_edge(ch: str) -> bool:
    cls = char_class(ch)
    return cls == ID or (cls in (CL, OP) and ch not in _ASCII_CLOSING and ord(ch) > 0x2000)


_BLOCK_STARTS = ("#", "-", "*", "+", ">", "|", "```", "~~~", "<")


def _starts_block(stripped: str) -> bool:
    if stripped.startswith(_BLOCK_STARTS):
        return True
    digits = len(stripped) - len(stripped.lstrip("0123456789"))
    return 0 < digits < 10 and stripped[digits : digits + 1] in (".", ")")


def join_soft_breaks(markdown: str) -> str:
    """Markdown with the line breaks inside each paragraph taken out.

    A source line break inside a paragraph is a space in Markdown, which is right between two
    English words and wrong between two hanzi ("挑选了 带偏见的"): between CJK characters it
    becomes nothing, elsewhere one space. Block starts (headings, list items, quotes, tables,
    fences), blank lines, hard breaks (two trailing spaces or a backslash) and code blocks are
    left as they are; the screen then wraps each paragraph to its width.
    """
    out: list[str] = []
    fenced = False
    for line in markdown.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            out.append(line)
            continue
        prev = out[-1] if out else ""
        joinable = bool(
            not fenced
            and out
            and stripped
            and prev.strip()
            and not _starts_block(stripped)
            and not prev.strip().startswith(("```", "~~~", "#", "|"))
            and not prev.endswith(("  ", "\\"))
            and not line.startswith("    " * 2)  # an indented code block under a list
        )
        if not joinable:
            out.append(line)
            continue
        head = prev.rstrip()
        glue = "" if _cjk_edge(head[-1]) and _cjk_edge(stripped[0]) else " "
        out[-1] = head + glue + line.lstrip()
    return "\n".join(out)
