"""CoNLL: token-level BIO tags from span tasks, one file per split.

Each line is a token, then one tag column per span task (the gold spans: adjudicated, else
the tokens more than half of the annotators marked); a blank line ends a unit, and a
``-DOCSTART-`` line starts each document, as in CoNLL-2003. Span labels become tag types; an
unlabelled span takes the task name (``B-biased_words``).
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from annotator.export.folder import atomic_folder
from annotator.export.job import ExportJob, ExportResult
from annotator.export.tokens import bio_tags, spans_of, unit_tokens


def unit_lines(row: dict[str, Any], span_tasks: list[str]) -> list[str]:
    tokens = unit_tokens(row)
    gold = row.get("gold") or {}
    columns = [bio_tags(len(tokens), spans_of(gold.get(task), task)) for task in span_tasks]
    lines = []
    for i, tok in enumerate(tokens):
        tok = "".join(tok.split()) or "_"  # a token never holds whitespace in CoNLL
        lines.append("\t".join([tok, *(col[i] for col in columns)]))
    return lines


def write_conll(job: ExportJob) -> ExportResult:
    """Write `target/<split>.conll` and README.md (the card); counts units per split. The
    export has a span task (the format `needs_tokens`, and ``export.run`` checks it)."""
    split_names = job.split_names
    span_tasks = [t for t, k in job.task_types.items() if k == "span"]
    counts = dict.fromkeys(split_names, 0)
    last_doc: dict[str, int | None] = dict.fromkeys(split_names, None)
    with atomic_folder(job.target) as tmp:
        with ExitStack() as stack:
            files = {
                s: stack.enter_context(open(tmp / f"{s}.conll", "w", encoding="utf-8"))
                for s in split_names
            }
            for row in job.rows():
                split = row.get("split", split_names[0])
                split = split if split in files else split_names[0]
                fh = files[split]
                doc_id = row["document"]["id"]
                if last_doc[split] != doc_id:
                    fh.write("-DOCSTART-" + "\tO" * len(span_tasks) + "\n\n")
                    last_doc[split] = doc_id
                lines = unit_lines(row, span_tasks)
                if lines:
                    fh.write("\n".join(lines))
                    fh.write("\n\n")
                    counts[split] += 1
        (tmp / "README.md").write_text(job.card(""), encoding="utf-8")
    return job.result(sum(counts.values()), splits=counts)
