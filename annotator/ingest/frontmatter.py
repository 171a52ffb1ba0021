"""YAML front matter of Jekyll posts: a fast reader for the flat form feeds write, else YAML."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml

from annotator.ingest.model import IngestError

_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*")
_DQ_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)")
_DQ_MAP = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "\\": "\\", "/": "/", " ": " "}

try:  # the C loader is ~20x faster; fall back when libyaml is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any] | None, str]:
    """(front matter or None, the rest of the file). IngestError if it is never closed."""
    if not text.startswith("---"):
        return None, text
    first_nl = text.find("\n")
    if first_nl < 0 or text[3:first_nl].strip():
        return None, text  # '------' or '--- text' is not a front matter fence
    m = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M).search(text, first_nl + 1)
    if m is None:
        raise IngestError(
            f"{name}: front matter starts with '---' but is never closed (truncated file?)"
        )
    block = text[first_nl + 1 : m.start()]
    rest = text[m.end() :]
    return parse_block(block, name), rest


def parse_block(block: str, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for line in block.splitlines():
        if not line.strip():
            continue
        m = _LINE.fullmatch(line)
        value = _scalar(m.group(2) or "") if m else _FALLBACK
        if value is _FALLBACK:
            return _yaml(block, name)
        out[m.group(1)] = value  # type: ignore[union-attr]
    return out


_FALLBACK = object()


def _scalar(raw: str) -> Any:
    if not raw:
        return None
    if raw[0] == '"':
        if len(raw) < 2 or raw[-1] != '"' or (raw.endswith('\\"') and not raw.endswith('\\\\"')):
            return _FALLBACK
        return _DQ_ESCAPE.sub(_unescape, raw[1:-1])
    if raw[0] == "'":
        if len(raw) < 2 or raw[-1] != "'":
            return _FALLBACK
        return raw[1:-1].replace("''", "'")
    if raw[0] == "[":
        if raw[-1] != "]" or "[" in raw[1:] or '"' in raw or "'" in raw:
            return _FALLBACK
        return [item.strip() for item in raw[1:-1].split(",") if item.strip()]
    if raw[0] in "{&*!|>%@`#" or " #" in raw:
        return _FALLBACK
    return raw


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1)
    if code[0] in "ux" and len(code) > 1:
        return chr(int(code[1:], 16))
    return _DQ_MAP.get(code, code)


class _TextDates(_Loader):
    """The same loader, with dates left as text: a date YAML cannot construct (2020-02-30)
    then costs that field when it is read, not the whole article."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    }


def _yaml(block: str, name: str) -> dict[str, Any]:
    try:
        try:
            data = yaml.load(block, Loader=_Loader)  # a safe loader (C or Python)
        except (ValueError, OverflowError):  # a date out of range for its month or year
            data = yaml.load(block, Loader=_TextDates)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 2})" if mark is not None else ""
        raise IngestError(f"{name}: front matter is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise IngestError(f"{name}: front matter is not a set of 'key: value' lines")
    return {str(k): v for k, v in data.items()}
