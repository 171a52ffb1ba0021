"""Values checked against the schema: labels by value (leniently spelled), spans found in
the text, stances by target. A bad value raises `BadRecord` naming the first problem.

`CHECKS` has a checker per task kind (tests/test_kinds_registry.py keeps it whole): a kind
without one is refused, never read as free text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from annotator.labels.model import BadRecord, Columns
from annotator.schema.model import STANCE_VALUES, Schema, Task
from annotator.schema.values import given, is_blank
from annotator.tokens import find_offsets, tokenize


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", re.sub(r"['\u2019\u2018`]", "", text.strip().lower()))


def _one_label(task: Task, value: Any, cols: Columns) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise BadRecord(f"task {task.name!r}: expected one label, got {json.dumps(value)}")
    text = str(value)
    mapped = cols.value_map.get((task.name, text))
    if mapped is not None:
        text = mapped
    if task.label(text) is not None:
        return text
    key = _norm(text)
    for lab in task.labels:  # lenient: case, spaces, apostrophes; value or shown text
        if key in (_norm(lab.value), _norm(lab.text)):
            return lab.value
    raise BadRecord(f"task {task.name!r}: {text!r} is not one of {', '.join(task.values)}")


def _span_value(
    task: Task, value: Any, text: str | None, lang: str | None, warnings: list[str]
) -> list[dict]:
    """Spans as the annotate screen stores them; words or phrases are found in the text."""
    if not isinstance(value, list):
        value = [value]
    tokens, lower, offsets = _tokens(text, lang) if text else ((), (), ())
    out = []
    for item in value:
        if isinstance(item, dict) and _is_offset(item.get("start"), item.get("end")):
            # Characters first: they mean the same to every tool (Prodigy's token_end is
            # inclusive, ours exclusive), and the tokens are found from them.
            span = _char_span(task, item, text, offsets)
            start, end = span["token_start"], span["token_end"]
        elif isinstance(item, dict) and isinstance(item.get("token_start"), int):
            start, end = item["token_start"], item.get("token_end")
            if not isinstance(end, int) or not 0 <= start < end:
                raise BadRecord(f"task {task.name!r}: bad span {json.dumps(item)}")
            span = dict(item)
        elif isinstance(item, str) and item.strip():
            words = _tokens(item, lang)[1]
            found = _find(lower, words)
            if found is None:  # a typo in a word list should not lose the record's labels
                warnings.append(f"task {task.name!r}: {item!r} is not in the text; span left out")
                continue
            start, end = found, found + len(words)
            span = {}
        else:
            raise BadRecord(f"task {task.name!r}: bad span {json.dumps(item, ensure_ascii=False)}")
        if tokens and end <= len(offsets) and "start" not in span:
            a, b = offsets[start][0], offsets[end - 1][1]
            span.update({"start": a, "end": b, "text": (text or "")[a:b]})
        span.update({"token_start": start, "token_end": end})
        out.append(span)
    return out


def _is_offset(start: Any, end: Any) -> bool:
    return all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end))


def _char_span(
    task: Task, item: dict, text: str | None, offsets: Sequence[tuple[int, int]]
) -> dict:
    """A span given by character offsets (``{"start": 0, "end": 2}``, end exclusive, as
    Label Studio, Prodigy and doccano write them) -> with its text and the tokens it covers."""
    start, end = item["start"], item["end"]
    if not text or not 0 <= start < end <= len(text):
        raise BadRecord(
            f"task {task.name!r}: span {start}-{end} is outside the text "
            f"({len(text or '')} characters)"
        )
    covered = [i for i, (a, b) in enumerate(offsets) if a < end and b > start]
    if not covered:
        raise BadRecord(f"task {task.name!r}: span {start}-{end} covers no word of the text")
    span = {"start": start, "end": end, "text": text[start:end]}
    label = item.get("label")
    if label is None and isinstance(item.get("labels"), list) and item["labels"]:
        label = item["labels"][0]  # Label Studio's region value
    if isinstance(label, str):
        span["label"] = label
    span.update({"token_start": covered[0], "token_end": covered[-1] + 1})
    return span


@lru_cache(maxsize=4096)
def _tokens(
    text: str, lang: str | None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[int, int], ...]]:
    """A text's tokens, lower-cased tokens and character offsets. Cached: a sentence comes
    once per annotator, and a raw file holds many annotators per sentence."""
    tokens = tuple(tokenize(text, lang))
    return tokens, tuple(t.lower() for t in tokens), tuple(find_offsets(text, tokens))


def _find(lower: Sequence[str], want: Sequence[str]) -> int | None:
    """Where the (lower-cased) words start among the (lower-cased) tokens, if anywhere."""
    if not want:
        return None
    lower, want = tuple(lower), tuple(want)
    n = len(want)
    for i in range(len(lower) - n + 1):
        if lower[i : i + n] == want:
            return i
    return None


@dataclass
class _Record:
    """What a checker may need beyond the value: the unit's text for spans, the schema's
    targets for stances, the import's value spellings."""

    schema: Schema
    cols: Columns
    text: str | None
    lang: str | None
    warnings: list[str] = field(default_factory=list)


def _check_label(task: Task, value: Any, rec: _Record) -> str:
    return _one_label(task, value, rec.cols)


def _check_labels(task: Task, value: Any, rec: _Record) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(_one_label(task, v, rec.cols) for v in items))


def _check_stance(task: Task, value: Any, rec: _Record) -> dict[str, str]:
    if not isinstance(value, dict):
        raise BadRecord(f"task {task.name!r}: expected {{target: stance}}")
    stances = {}
    for target, stance in value.items():
        if rec.schema.targets and target not in rec.schema.targets:
            raise BadRecord(f"task {task.name!r}: unknown target {target!r}")
        if stance not in STANCE_VALUES:
            raise BadRecord(
                f"task {task.name!r}: stance {stance!r} is not one of {', '.join(STANCE_VALUES)}"
            )
        stances[target] = stance
    return stances


def _check_spans(task: Task, value: Any, rec: _Record) -> list[dict]:
    return _span_value(task, value, rec.text, rec.lang, rec.warnings)


def _check_text(task: Task, value: Any, rec: _Record) -> str:
    if not isinstance(value, str):
        raise BadRecord(f"task {task.name!r}: expected text")
    return value


CHECKS: dict[str, Callable[[Task, Any, _Record], Any]] = {
    "single": _check_label,
    "multi": _check_labels,
    "scale": _check_label,
    "span": _check_spans,
    "stance": _check_stance,
    "text": _check_text,
}


def check_values(
    schema: Schema,
    values: dict[str, Any],
    cols: Columns,
    text: str | None,
    lang: str | None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """The values as stored, or BadRecord naming the first problem. Words of a span task
    that are not in the text are left out with a line in `warnings`."""
    rec = _Record(schema, cols, text, lang, [] if warnings is None else warnings)
    out: dict[str, Any] = {}
    for name, value in values.items():
        task = schema.task(name)
        if task is None:
            raise BadRecord(
                f"no task {name!r} in schema {schema.name} (tasks: "
                f"{', '.join(t.name for t in schema.tasks)})"
            )
        if is_blank(value):
            continue
        checked = CHECKS[task.type](task, value, rec)
        if given(checked):  # a span list whose words were all missing stores nothing
            out[name] = checked
    return out


def check_annotator(name: str) -> None:
    """A record's annotator name as the store takes it, or BadRecord saying what is wrong."""
    if not name:
        raise BadRecord("no annotator")
    if len(name) > 200:
        raise BadRecord("annotator name is longer than 200 characters")
    if "\x00" in name:
        raise BadRecord("annotator name contains a NUL character")


class ValueChecker:
    """`check_values` for one import, with a memory: a file repeats the same few values
    (a label per task) on every record, and only span tasks depend on the unit's text, so
    values without a span are checked once. The answer includes the NUL check the store
    needs. Answers are shared between records: nothing downstream changes them."""

    LIMIT = 50_000  # remembered answers, so memory stays flat on any file

    def __init__(self, schema: Schema, cols: Columns) -> None:
        self.schema, self.cols = schema, cols
        self.spans = {t.name for t in schema.tasks if t.type == "span"}
        self.memo: dict[str, dict[str, Any] | str] = {}

    def __call__(
        self, values: dict[str, Any], text: str | None, lang: str | None, warnings: list[str]
    ) -> dict[str, Any]:
        if self.spans and not self.spans.isdisjoint(values):
            return _stored(check_values(self.schema, values, self.cols, text, lang, warnings))
        # repr tells apart every value JSON or CSV can hold (1, 1.0, "1", True, None).
        key = repr(values)
        found = self.memo.get(key)
        if found is None:
            try:
                found = _stored(check_values(self.schema, values, self.cols, text, lang))
            except BadRecord as exc:
                found = str(exc)
            if len(self.memo) >= self.LIMIT:
                self.memo.clear()
            self.memo[key] = found
        if isinstance(found, str):
            raise BadRecord(found)
        return found


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    # PostgreSQL's json columns refuse \u0000; SQLite would take it. Refuse it on both, so a
    # file imports the same everywhere and one record never fails a whole batch.
    if _has_nul(values):
        raise BadRecord("a value contains a NUL character")
    return values


def _has_nul(value: Any) -> bool:
    """A NUL character in any string, key or value, however deep (a backslash followed by
    "u0000" in a text is not one)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False
