"""Loaded-word hints: a lexicon file (a word or phrase a line), the words of it found in a
sentence, and a lexicon built from the project's own span labels.

Matching is one regular expression compiled once per session, shaped as a trie (words that
share a beginning share its branch), so a sentence is scanned once whatever the lexicon's
size. English (and any Latin-script) entries match whole words, case-insensitively; Chinese
and Japanese entries match anywhere (there are no spaces between words to stop at).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotator.errors import UserError

MAX_BYTES = 5_000_000  # a lexicon larger than this is a mistake (a corpus, not a word list)
MAX_ENTRY = 100  # characters in one entry
# Scripts written without spaces: an entry in them matches anywhere in the text.
_UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]"
)


def read_lexicon(path: Path) -> list[str]:
    """The entries of a lexicon file: one a line; blank lines and lines starting with # are
    left out. Problems are one line each (UserError)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UserError(
                f"lexicon {path}: {size:,} bytes; a word list should stay under {MAX_BYTES:,}"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(
            f"lexicon {path}: no such file (the schema's `lexicon`; build one with "
            "`annotator model lexicon --task TASK -o FILE`, or remove the option)"
        ) from None
    except OSError as exc:
        raise UserError(f"lexicon {path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = raw.count(b"\n", 0, exc.start) + 1
        raise UserError(f"lexicon {path}, line {at}: not UTF-8; save it as UTF-8") from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = " ".join(line.split())
        if not entry or entry.startswith("#"):
            continue
        if len(entry) > MAX_ENTRY:
            raise UserError(
                f"lexicon {path}, line {number}: {len(entry)} characters; an entry is a word "
                f"or a phrase (at most {MAX_ENTRY})"
            )
        out.append(entry)
    return out


def lexicon_path(option: str, folder: Path) -> Path:
    """Where the schema's `lexicon` points: as written if absolute, else in `folder` (the
    project's folder: the SQLite store's, else the current directory)."""
    path = Path(option).expanduser()
    return path if path.is_absolute() else folder / path


class Matcher:
    """The lexicon's entries found in a text, as (start, end) character offsets, in order and
    not overlapping."""

    def __init__(self, entries: Iterable[str]) -> None:
        spaced: list[str] = []
        unspaced: list[str] = []
        for entry in entries:
            (unspaced if _UNSPACED.search(entry) else spaced).append(entry.lower())
        self.size = len(set(spaced)) + len(set(unspaced))
        # Whole words: matched in a copy of the text whose unspaced characters are blanks,
        # so "AI" is a word in "用AI技术" (\w would count the hanzi as letters of it).
        self._words = _compile(spaced, whole_words=True)
        self._anywhere = _compile(unspaced, whole_words=False)

    def find(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        if self._words is not None:
            shadow = _UNSPACED.sub(" ", text)  # same length: the offsets hold
            found += [m.span() for m in self._words.finditer(shadow)]
        if self._anywhere is not None:
            found += [m.span() for m in self._anywhere.finditer(text)]
            found.sort(key=lambda span: (span[0], -span[1]))
        out: list[tuple[int, int]] = []
        for a, b in found:
            if b > a and (not out or a >= out[-1][1]):
                out.append((a, b))
        return out


def _compile(entries: list[str], *, whole_words: bool) -> re.Pattern[str] | None:
    """One pattern for `entries`, shaped as their trie (case-insensitive)."""
    trie: dict[str, Any] = {}
    for entry in entries:
        node = trie
        for ch in entry:
            node = node.setdefault(ch, {})
        node[""] = {}  # an entry ends here
    if not trie:
        return None
    start = "(?<!\\w)" if whole_words else ""
    pattern = "|".join(
        (start if ch.isalnum() else "") + _branch(ch, child, whole_words)
        for ch, child in sorted(trie.items())
    )
    return re.compile(pattern, re.IGNORECASE)


def _branch(ch: str, node: dict[str, Any], whole_words: bool) -> str:
    """The pattern of `ch` and what may follow it in the trie: the longest entry first (the
    end of a shorter one comes last among the alternatives, so it is tried last)."""
    parts = [_branch(c, child, whole_words) for c, child in sorted(node.items()) if c]
    if "" in node:  # an entry ends at `ch`: a word's end, if `ch` is a letter or digit
        parts.append("(?!\\w)" if whole_words and ch.isalnum() else "")
    head = re.escape(ch)
    if len(parts) == 1:
        return head + parts[0]
    return head + "(?:" + "|".join(parts) + ")"


def span_phrases(value: Any, unit_text: str) -> list[str]:
    """The text of each span in a stored span value (its `text`, else its characters)."""
    out = []
    for item in value if isinstance(value, list) else ():
        if not isinstance(item, dict):
            continue
        phrase = item.get("text")
        if not isinstance(phrase, str):
            start, end = item.get("start"), item.get("end")
            if not (isinstance(start, int) and isinstance(end, int)):
                continue
            phrase = unit_text[start:end]
        phrase = " ".join(phrase.split())
        if phrase and len(phrase) <= MAX_ENTRY:
            out.append(phrase)
    return out


def count_phrases(
    texts: dict[int, str], values: dict[int, list[dict[str, Any]]], task: str
) -> Counter[str]:
    """How many labels (a unit and an annotator) marked each phrase in `task`, matched
    without regard to case: the spelling most often marked names it."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for uid, labels in values.items():
        for v in labels:
            for phrase in set(span_phrases(v.get(task), texts.get(uid, ""))):
                key = phrase.lower()
                counts[key] += 1
                spellings.setdefault(key, Counter())[phrase] += 1
    return Counter({spellings[k].most_common(1)[0][0]: n for k, n in counts.items()})
