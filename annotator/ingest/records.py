"""JSONL and CSV records: one record per document, or one per sentence grouped by a document id.

Per document: the text field holds the article (paragraphs separated by blank lines, or a list
of paragraphs); title, URL, outlet, published and language come from the named fields when
present. Per sentence: each record is one unit (not split again) and records sharing a document
id become one document, units in file order; a ``kind`` field may say title/caption/body.
A record with no text is skipped; a file where no record has text is an error.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from annotator.ingest.dates import parse_any
from annotator.ingest.model import IngestError, ParsedDocument
from annotator.ingest.normalize import clean_text, drop_urls, has_words
from annotator.ingest.plaintext import paragraphs
from annotator.ingest.units import build_document

csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True)
class RecordOptions:
    """Which record fields mean what. None means the conventional name (in brackets).

    Absent optional fields are simply not used. Per sentence, the document id field defaults
    to the first of doc_id, document_id, article_id, id that the first record has.
    """

    text_field: str = "text"
    id_field: str | None = None  # [doc_id|document_id|article_id|id]; kept in meta per document
    title_field: str | None = None  # [title]
    url_field: str | None = None  # [url]
    outlet_field: str | None = None  # [outlet]
    published_field: str | None = None  # [published]
    lang_field: str | None = None  # [lang]
    kind_field: str | None = None  # [kind]: per sentence, title | caption | body
    meta_fields: tuple[str, ...] = ()
    per: Literal["document", "sentence"] = "document"

    def __post_init__(self) -> None:
        if self.per not in ("document", "sentence"):
            raise IngestError(f"records per {self.per!r}: use 'document' or 'sentence'")

    @property
    def fields(self) -> dict[str, str]:
        return {
            "title": self.title_field or "title",
            "url": self.url_field or "url",
            "outlet": self.outlet_field or "outlet",
            "published": self.published_field or "published",
            "lang": self.lang_field or "lang",
            "kind": self.kind_field or "kind",
        }

    def id_key(self, first: dict[str, Any]) -> str:
        if self.id_field:
            return self.id_field
        return next((k for k in _ID_FIELDS if k in first), "id")


_ID_FIELDS = ("doc_id", "document_id", "article_id", "id")


Record = tuple[int, dict[str, Any]]  # (line number, record)


def iter_jsonl(text: str, name: str) -> Iterator[Record]:
    stripped = text.lstrip()
    if stripped.startswith("["):  # a .json file holding one array of records
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise IngestError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        for i, rec in enumerate(data, 1):
            if not isinstance(rec, dict):
                raise IngestError(f"{name}: array item {i} is not a JSON object")
            yield i, rec
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(
                f"{name} line {lineno}: not valid JSON ({exc.msg}); each line must be one object"
            ) from None
        if not isinstance(rec, dict):
            raise IngestError(
                f"{name} line {lineno}: expected a JSON object, got {type(rec).__name__}"
            )
        yield lineno, rec


def iter_csv(text: str, name: str, *, tab: bool = False) -> Iterator[Record]:
    if tab:
        delimiter = "\t"
    else:
        first = text[: text.find("\n")] if "\n" in text else text
        delimiter = max(",\t;|", key=first.count) if first else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        if not reader.fieldnames:
            raise IngestError(f"{name}: CSV has no header row")
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if k is not None}
    except csv.Error as exc:
        raise IngestError(f"{name} line {reader.line_num}: bad CSV ({exc})") from None


def read_records(
    records: Iterator[Record],
    *,
    source_path: str,
    options: RecordOptions,
    lang: str | None = None,
) -> Iterator[ParsedDocument]:
    if options.per == "sentence":
        yield from _per_sentence(records, source_path, options, lang)
        return
    found = False
    first_fields: list[str] | None = None
    names = options.fields
    id_key = options.id_field or "id"
    for lineno, rec in records:
        if first_fields is None:
            first_fields = list(rec)
            id_key = options.id_key(rec)
        paras = _paragraphs(rec.get(options.text_field))
        if not paras:
            continue
        found = True
        yield build_document(
            title=_str(rec, names["title"]) or "",
            blocks=[("body", p) for p in paras],
            source_path=f"{source_path}#{lineno}",
            **_doc_fields(rec, options, names, id_key, lang),
        )
    if not found:
        raise _no_text(source_path, options, first_fields)


def _per_sentence(
    records: Iterator[Record], source_path: str, options: RecordOptions, lang: str | None
) -> Iterator[ParsedDocument]:
    groups: dict[str, tuple[dict[str, Any], list[tuple[str, str]], list[str]]] = {}
    first_fields: list[str] | None = None
    names = options.fields
    id_key = options.id_field or "id"
    for lineno, rec in records:
        if first_fields is None:
            first_fields = list(rec)
            id_key = options.id_key(rec)
        doc_id = rec.get(id_key)
        if doc_id is None or str(doc_id).strip() == "":
            raise IngestError(
                f"{source_path} line {lineno}: no document id in field {id_key!r}; per-sentence "
                f"records need one, name it with --id-field (fields here: "
                f"{', '.join(map(str, rec)) or 'none'})"
            )
        text = _one_paragraph(rec.get(options.text_field))
        if not text:
            continue
        head, blocks, titles = groups.setdefault(str(doc_id), (rec, [], []))
        kind = str(rec.get(names["kind"]) or "body").strip().lower()
        if kind == "title":
            titles.append(text)
        else:
            blocks.append(("caption" if kind == "caption" else "body", text))
    if not groups:
        raise _no_text(source_path, options, first_fields)
    for doc_id, (head, blocks, titles) in groups.items():
        title = titles[0] if titles else _str(head, names["title"]) or ""
        yield build_document(
            title=title,
            blocks=blocks,
            source_path=f"{source_path}#{doc_id}",
            split=False,
            **_doc_fields(head, options, names, id_key, lang),
        )


def _doc_fields(
    rec: dict[str, Any],
    options: RecordOptions,
    names: dict[str, str],
    id_key: str,
    lang: str | None,
) -> dict[str, Any]:
    meta = {f: rec[f] for f in options.meta_fields if f in rec}
    doc_id = rec.get(id_key)
    if doc_id is not None and doc_id != "":
        meta["id"] = doc_id
    return {
        "lang": lang or _str(rec, names["lang"]),
        "url": _str(rec, names["url"]),
        "outlet": _str(rec, names["outlet"]),
        "published": parse_any(rec.get(names["published"])),
        "meta": meta,
    }


def _str(rec: dict[str, Any], key: str | None) -> str | None:
    if not key:
        return None
    value = rec.get(key)
    if value is None:
        return None
    value = clean_text(str(value))
    return value or None


def _paragraphs(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        value = "\n\n".join(str(v) for v in value if v is not None)
    return [p for p, _ in paragraphs(str(value))]


def _one_paragraph(value: Any) -> str:
    if value is None:
        return ""
    text = drop_urls(clean_text(str(value)))
    return text if has_words(text) else ""


def _no_text(source_path: str, options: RecordOptions, fields: list[str] | None) -> IngestError:
    if fields is None:
        return IngestError(f"{source_path}: no records found")
    return IngestError(
        f"{source_path}: no record has text in field {options.text_field!r} "
        f"(fields: {', '.join(map(str, fields)) or 'none'}); name the text field with --text-field"
    )
