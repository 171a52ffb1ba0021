"""Tokens for span exports and the tags, offsets and spans derived from them.

Span values are token indices into the unit's tokens (see ``aggregate.span_members``). The
tokens are the ones cached on the unit when the span task was annotated; otherwise they are
recomputed with the project's one tokenizer (``annotator.tokens``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from itertools import groupby
from operator import itemgetter
from typing import Any

from annotator.analysis.aggregate import span_members

# annotator.tokens (its regexes compile on import) is loaded where a unit is tokenized or a
# span is placed: most exports do neither.

# Stored values' JSON text holds this key only if it holds a span: looked for in the text
# (inline, for every annotation of an export) before anything is decoded.
SPAN_KEY = '"token_start"'


def unit_tokens(row: dict[str, Any]) -> list[str]:
    tokens = row.get("tokens")
    if tokens:
        return list(tokens)
    from annotator.tokens import tokenize

    return list(tokenize(row["text"], row.get("document", {}).get("lang")))


def tokens_or_split(text: str, cached: Any, lang: str | None) -> list[str]:
    """A unit's tokens: the cached list (or its JSON text), else the ingest tokenizer's."""
    if isinstance(cached, str):
        cached = json.loads(cached)
    if cached:
        return list(cached)
    from annotator.tokens import tokenize

    return list(tokenize(text, lang))


def spans_of_types(task_types: dict[str, str]) -> list[str]:
    return [t for t, k in task_types.items() if k == "span"]


def has_span_values(values: Any, span_tasks: Iterable[str]) -> bool:
    return isinstance(values, dict) and any(values.get(t) for t in span_tasks)


class StreamTokens:
    """``tokens(unit)`` for a store-stream unit tuple (tokens JSON at index 5, see
    ``store.export_stream.UnitStream(with_tokens=True)``); the last unit's are kept, as the
    gold and the tokens column both ask for them.

    ``column(unit, anns, adjudicated)`` is the tokens column: the cached tokens, or the
    tokenizer's for a unit where a span was given (by an annotator or a lead), else None.
    Tokenizing every unit would cost more than the rest of a large export (jieba: about
    0.25 ms a sentence), and a unit nobody marked needs no token indexes explained."""

    def __init__(self, lang_of: Callable[[int], str | None], span_tasks: Iterable[str]) -> None:
        self.lang_of = lang_of
        self.span_tasks = tuple(span_tasks)
        self._last: tuple[Any, list[str]] = (None, [])

    def __call__(self, unit: tuple[Any, ...]) -> list[str]:
        if self._last[0] != unit[0]:
            cached = unit[5] if len(unit) > 5 else None
            lang = None if cached else self.lang_of(unit[1])
            self._last = (unit[0], tokens_or_split(unit[4], cached, lang))
        return self._last[1]

    def marked(self, values_text: str | None) -> bool:
        """Whether stored values give a selected span task a value (decoded only when the
        text holds a span at all)."""
        if not values_text or SPAN_KEY not in values_text:
            return False
        return has_span_values(json.loads(values_text), self.span_tasks)

    def column(self, unit: tuple[Any, ...], anns: Iterable[tuple[Any, ...]], adjudicated: Any):
        if len(unit) > 5 and unit[5]:  # cached tokens
            return self(unit)
        for ann in anns:  # (a loop, not any(): this runs for every unit of an export)
            text = ann[2]
            if text and SPAN_KEY in text and self.marked(text):
                return self(unit)
        if adjudicated and has_span_values(adjudicated, self.span_tasks):
            return self(unit)
        return None

    def columns(self, units: list[tuple[Any, ...]], anns: list[tuple[Any, ...]], adjudicated):
        """`column` for each of a chunk's `units` (``UnitStream.flat_chunks``: `anns` in
        unit order, `adjudicated` by unit id). Only the units with cached tokens, an
        adjudication or a stored span are asked about: no list per unit, no call for most."""
        marked = {a[0] for a in anns if a[2] and SPAN_KEY in a[2]}
        by_unit = (
            {uid: list(group) for uid, group in groupby(anns, itemgetter(0)) if uid in marked}
            if marked
            else {}
        )
        return [
            self.column(u, by_unit.get(u[0], ()), adjudicated.get(u[0]))
            if (len(u) > 5 and u[5]) or u[0] in marked or u[0] in adjudicated
            else None
            for u in units
        ]


def complete_spans(value: Any, text: str, tokens: list[str]) -> Any:
    """Spans as every export writes them: character ``start``/``end``, the ``text``, the
    ``token_start``/``token_end`` indexes (end exclusive) and a ``label`` if any. A span a
    token index does not fit is kept as it is."""
    if not isinstance(value, list) or not value:
        return value
    from annotator.tokens import find_offsets

    offsets = find_offsets(text, tokens)
    out = []
    for span in value:
        if isinstance(span, dict):
            first, last = span.get("token_start"), span.get("token_end")
            if (
                isinstance(first, int)
                and isinstance(last, int)
                and 0 <= first < last <= len(offsets)
            ):
                start, end = offsets[first][0], offsets[last - 1][1]
                done = {"start": start, "end": end, "text": text[start:end]}
                done.update({"token_start": first, "token_end": last})
                if span.get("label") is not None:
                    done["label"] = span["label"]
                span = done
        out.append(span)
    return out


def spans_of(value: Any, default_label: str) -> list[tuple[int, int, str]]:
    """Contiguous (token_start, token_end_exclusive, label) runs in a stored span value."""
    members = sorted(span_members(value), key=lambda m: (m[1] or default_label, m[0]))
    runs: list[list[Any]] = []
    for t, label in members:
        label = label or default_label
        if runs and runs[-1][2] == label and runs[-1][1] == t:
            runs[-1][1] = t + 1
        else:
            runs.append([t, t + 1, label])
    return sorted((s, e, lab) for s, e, lab in runs)


def bio_tags(n_tokens: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIO tags; where spans overlap the first one (by start) keeps the token."""
    tags = ["O"] * n_tokens
    for start, end, label in sorted(spans):
        if start >= n_tokens or any(tags[t] != "O" for t in range(start, min(end, n_tokens))):
            continue
        tags[start] = f"B-{label}"
        for t in range(start + 1, min(end, n_tokens)):
            tags[t] = f"I-{label}"
    return tags


def stream_tokens(stream: Any, task_types: dict[str, str] | None) -> StreamTokens | None:
    """The tokens of a `UnitStream`'s units, where it carries them (a span task is
    exported), else None: one place for every writer."""
    if not stream.with_tokens:
        return None
    return StreamTokens(lambda d: stream.document(d)["lang"], spans_of_types(task_types or {}))
