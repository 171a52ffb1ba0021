"""Bytes -> text: read a file safely and decode UTF-8/UTF-16/GB18030/Big5, refusing binary data."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from charset_normalizer import from_bytes

from annotator.ingest.model import IngestError

MAX_BYTES = 200 * 1024 * 1024  # one article file past this is not an article

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters that do not occur in text files (tab, newline, CR, FF, ESC are fine).
_BINARY_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or IngestError with a reason a person can act on."""
    try:
        info = os.stat(path)  # once: a folder, a size, or why not
        if stat.S_ISDIR(info.st_mode):
            raise IngestError(f"{path}: is a folder, not a file")
        size = info.st_size
        if size > MAX_BYTES:
            raise IngestError(f"{path}: {size // 1_000_000} MB is too large for one article file")
        return path.read_bytes()
    except PermissionError:
        raise IngestError(f"{path}: permission denied; make the file readable (chmod +r)") from None
    except FileNotFoundError:
        raise IngestError(f"{path}: no such file") from None
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror or exc})") from None


def decode_bytes(data: bytes, name: str | Path = "input") -> str:
    """Decode a text file's bytes; IngestError for empty, binary or undecodable content."""
    if not data.strip():
        raise IngestError(f"{name}: file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise IngestError(
                    f"{name}: starts with a {encoding.upper()} byte-order mark but does not decode "
                    "(truncated or corrupt file)"
                ) from None
            return _check_text(text, name)
    if b"\x00" in data[:65536]:
        raise IngestError(f"{name}: binary file (contains NUL bytes), not text; skip it")
    try:
        return _check_text(data.decode("utf-8"), name)
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            # Cut mid-character (a truncated download): keep everything before the cut.
            return _check_text(data[: exc.start].decode("utf-8"), name)
    sample = data[:65536]
    if sum(sample.count(bytes([b])) for b in _BINARY_CONTROLS) > len(sample) // 100:
        raise IngestError(f"{name}: binary file (control bytes), not text; skip it")
    guess = _best_decoding(data)
    if guess is None:
        raise IngestError(
            f"{name}: not text in a known encoding (tried UTF-8, UTF-16, GB18030, Big5, ...); "
            "convert it to UTF-8"
        )
    return _check_text(guess, name)


def _best_decoding(data: bytes) -> str | None:
    """charset-normalizer's guess, checked against GB18030 and Big5.

    On short texts the detector often calls Chinese bytes Korean or Cyrillic; both Chinese
    decodings are tried too and the one whose characters are most often everyday Chinese
    characters wins (a wrong decoding of double-byte text yields rare characters).
    """
    candidates: list[str] = []
    best = from_bytes(data).best()
    if best is not None and best.encoding is not None:
        candidates.append(str(best))
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not candidates:
        return None
    return max(candidates, key=_chinese_score)  # max keeps the first on ties: the detector's


_COMMON_HAN: frozenset[str] | None = None


def _common_han() -> frozenset[str]:
    """Everyday characters: GB2312 level 1 (simplified) and Big5 level 1 (traditional)."""
    global _COMMON_HAN
    if _COMMON_HAN is None:
        chars: set[str] = set()
        for lead in range(0xB0, 0xD8):
            chars.update(bytes([lead, t]).decode("gb2312", "ignore") for t in range(0xA1, 0xFF))
        for lead in range(0xA4, 0xC7):
            for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
                chars.add(bytes([lead, trail]).decode("big5", "ignore"))
        chars.discard("")
        _COMMON_HAN = frozenset(chars)
    return _COMMON_HAN


def _chinese_score(text: str) -> float:
    sample = [c for c in text[:4000] if c > "\u00ff" and not c.isspace()]
    if not sample:
        return 0.5  # ASCII/Latin-1 only: keep the detector's answer
    common = _common_han()
    hits = sum(1 for c in sample if c in common or "\u3000" <= c <= "\u303f" or c >= "\uff00")
    return hits / len(sample)


def _check_text(text: str, name: str | Path) -> str:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise IngestError(f"{name}: file is empty")
    if "\x00" in text[:65536]:
        raise IngestError(f"{name}: binary file (contains NUL characters), not text; skip it")
    return text
