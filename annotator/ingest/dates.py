"""Publication times in the forms news feeds use, always returned as aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

# 'Wed, 07 Oct 2020 00:26:32 GMT' (RFC 822, as in RSS and the VOA date line)
_RFC822 = re.compile(
    r"(?:[A-Z][a-z]{2},\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*\S*"
)
# '2020-08-07T02:44:34', '2020-07-30 13:50:12', '2020-08-25T11:43:22.626Z', '2020-10-14'
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?"
)
# '2020年 7月 17日', '2020年7月17日 12:30'
_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(\d{1,2}):(\d{2}))?")
# '13/11/2020 - 11:20' (RFI): day first when it cannot be a month, else month first
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s*-?\s*(\d{1,2}):(\d{2}))?")
_EPOCH_MS = re.compile(r"\d{12,14}")


def parse_date(text: str) -> tuple[datetime, bool] | None:
    """Parse a date string that is ONLY a date; returns (UTC datetime, had_timezone) or None.

    A time without a zone (Reuters' '2020-08-07T02:44:34') is read as UTC but flagged, so a
    caller can prefer an aware time from elsewhere in the file.
    """
    text = text.strip()
    if not text or len(text) > 60:
        return None
    m = _ISO.fullmatch(text)
    if m:
        y, mo, d, hh, mm, ss, tz = m.groups()
        try:
            dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            return None
        if tz is None:
            return dt.replace(tzinfo=UTC), False
        if tz in ("Z", "UTC", "GMT"):
            return dt.replace(tzinfo=UTC), True
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return (dt - sign * offset).replace(tzinfo=UTC), True
    m = _CJK.fullmatch(text)
    if m:
        y, mo, d, hh, mm = m.groups()
        try:
            dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), tzinfo=UTC)
        except ValueError:
            return None
        return dt, False
    m = _SLASHED.fullmatch(text)
    if m:
        a, b, y, hh, mm = m.groups()
        day, month = (int(a), int(b)) if int(a) > 12 else (int(b), int(a))
        try:
            return datetime(int(y), month, day, int(hh or 0), int(mm or 0), tzinfo=UTC), False
        except ValueError:
            return None
    if _RFC822.fullmatch(text):
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if dt.tzinfo is None:
            return dt.replace(tzinfo=UTC), False
        return dt.astimezone(UTC), True
    return None


def looks_like_date(text: str) -> bool:
    return parse_date(text) is not None


def parse_any(value: object) -> datetime | None:
    """A date from a record field or front matter: ISO/RFC 822 text, datetime, epoch s/ms."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return from_epoch(value)
    text = str(value).strip()
    if _EPOCH_MS.fullmatch(text) or (text.isdigit() and len(text) == 10):
        return from_epoch(int(text))
    parsed = parse_date(text)
    if parsed:
        return parsed[0]
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def from_epoch(value: float) -> datetime | None:
    """Seconds or milliseconds since 1970 (values past year 2286 in seconds are milliseconds)."""
    seconds = value / 1000 if value > 10_000_000_000 else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
