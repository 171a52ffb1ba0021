"""The export formats: each declared once, here; `export.run` and the CLI read this table.

A writer is named as ``"module:function"`` and imported only when its format is used, so
reading the table (``annotator export --help``) loads no writer, pyarrow or numpy. Every
writer takes an ``export.job.ExportJob`` and returns an ``ExportResult``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Literal

from annotator.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Callable

    from annotator.export.job import ExportJob, ExportResult


@dataclass(frozen=True)
class ExportFormat:
    name: str
    writer: str  # "module:function"
    suffix: str = ""  # the default output's ending; a folder has none
    # A dataset folder: gold always, splits (80/10/10 unless given), and its card inside
    # as README.md; a file gets a card beside it only when asked.
    folder: bool = False
    # Written token by token: the tags come from span tasks, so the export needs one.
    needs_tokens: bool = False
    record: str = "record"  # what the written count counts, for the CLI's summary line
    about: str = ""  # a few words for the command's help, where the name says too little
    extra: str | None = None  # the pip extra whose package the writer imports (pyarrow)
    # The document tasks' answers (`scope: document`): a table "beside" the file (written by
    # export.documents), "inside" the folder (by the writer), or None: not in this format.
    documents: Literal["beside", "inside"] | None = None

    def write(self, job: ExportJob) -> ExportResult:
        module, _, function = self.writer.partition(":")
        writer: Callable[[ExportJob], ExportResult] = getattr(import_module(module), function)
        return writer(job)

    def default_name(self, stem: str) -> str:
        """The output's name when none is given: ``stem.jsonl``, or ``stem-hf`` (a folder)."""
        return stem + (self.suffix or "-" + self.name)


EXTRAS = {"parquet": "pyarrow"}  # pip extra -> the package it installs

FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "jsonl",
            "annotator.export.jsonl:write_jsonl",
            suffix=".jsonl",
            record="unit",
            documents="beside",
        ),
        ExportFormat(
            "csv", "annotator.export.csv_writer:write_csv", suffix=".csv", documents="beside"
        ),
        ExportFormat(
            "parquet",
            "annotator.export.parquet:write_parquet",
            suffix=".parquet",
            extra="parquet",
            documents="beside",
        ),
        ExportFormat(
            "hf",
            "annotator.export.hf:write_hf",
            folder=True,
            record="unit",
            extra="parquet",
            about="a folder `datasets.load_dataset` reads",
            documents="inside",
        ),
        ExportFormat(
            "conll",
            "annotator.export.conll:write_conll",
            folder=True,
            needs_tokens=True,
            record="unit",
        ),
        ExportFormat(
            "label-studio",
            "annotator.export.label_studio:write_label_studio",
            suffix=".json",
            record="unit",
        ),
        ExportFormat("prodigy", "annotator.export.prodigy:write_prodigy", suffix=".prodigy.jsonl"),
    )
}


def export_format(name: str) -> ExportFormat:
    """The format called `name`, or one line saying which there are."""
    found = FORMATS.get(name)
    if found is None:
        raise UserError(f"--format {name}: unknown format (formats: {', '.join(FORMATS)})")
    return found


def check_extra(fmt: ExportFormat) -> None:
    """The package of a writer's pip extra is missing (pyarrow for parquet and hf): one line
    saying what to install, before any work is done."""
    import importlib.util

    if fmt.extra is None:
        return
    package = EXTRAS[fmt.extra]
    if importlib.util.find_spec(package) is None:
        raise UserError(
            f"--format {fmt.name} needs {package}: pip install 'annotator[{fmt.extra}]' "
            f"(or pip install -e '.[{fmt.extra}]' in a clone)"
        )
