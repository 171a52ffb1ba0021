"""The dataset card: what is in an export, where it came from, and how gold was formed.

`CardStats` holds the figures, counted as the writer reads the store stream (see
``card_stream.StreamCard``), so the card costs no extra pass; `render_card` turns them into
Markdown, with the YAML header Hugging Face reads when the export is a dataset folder.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from annotator.analysis.aggregate import CHECK, NOT_SHOWN, TIE, span_members
from annotator.export.options import ExportOptions
from annotator.schema.values import given
from annotator.wording import plural

GOLD_METHOD = (
    "One value per unit and task: the lead's adjudicated value when there is one, otherwise "
    "the majority vote of the annotators whose status is `done` (for multi-label and span "
    "tasks, each label or token chosen by more than half of them). A tie gives no value and "
    "is marked `tie` in `gold_source`. A task shown only under a condition (`show_if`) is "
    "voted on only by the annotators whose own labels showed it, and has no gold value "
    "(`not_shown`) when the gold of the task it depends on does not show it."
)
GOLD_METHOD_NOTES = {
    "dawid-skene": (
        "Method `dawid-skene`: where no lead adjudicated, single-choice and scale tasks take "
        "the most probable value under Dawid-Skene (1979), estimated over every annotation of "
        "the project (source `dawid-skene`; its probability in `gold_posterior`). Other task "
        "types are voted as above."
    ),
    "mace": (
        "Method `mace`: where no lead adjudicated, single-choice and scale tasks take the most "
        "probable value under MACE (Hovy et al., 2013), which learns how often each annotator "
        "knows the answer rather than guesses, over every annotation of the project (source "
        "`mace`; its probability in `gold_posterior`). Other task types are voted as above."
    ),
    "adjudicated-only": (
        "Method `adjudicated-only`: only a lead's adjudicated value gives gold; every other "
        "unit and task is empty (source `none`)."
    ),
}
NO_LICENSE = (
    "Unknown: no licence was given when this export was made (`annotator export --license "
    "ID`). Ask the project lead before sharing it; the source articles keep their own terms."
)


def _one(value: Any) -> list[str]:
    return [str(value)]


def _each(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _span_labels(value: Any) -> list[str]:
    return list(Counter(label or "span" for _, label in span_members(value)))


def _targets(value: Any) -> list[str]:
    items = value.items() if isinstance(value, dict) else ()
    return [f"{t}={v}" for t, v in items if v not in (None, "")]


def _text(value: Any) -> list[str]:
    return ["(text)"]


# The card's label counts per task kind (tests/test_kinds_registry.py keeps it whole).
COUNTS: dict[str, Callable[[Any], list[str]]] = {
    "single": _one,
    "multi": _each,
    "scale": _one,
    "span": _span_labels,
    "stance": _targets,
    "text": _text,
}


def label_keys(task_type: str, value: Any) -> list[str]:
    """The label counts a value contributes to (one per chosen label, span or target)."""
    return COUNTS[task_type](value) if given(value) else []


@dataclass
class CardStats:
    task_types: dict[str, str]
    gold: bool = False
    units: Counter[str] = field(default_factory=Counter)  # split -> units
    annotations: Counter[str] = field(default_factory=Counter)
    documents: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )  # task -> (split, label) -> count
    gold_sources: Counter[str] = field(default_factory=Counter)
    annotators: set[str] = field(default_factory=set)
    outlets: Counter[str] = field(default_factory=Counter)
    first: str | None = None
    last: str | None = None
    _outlet_docs: set[int] = field(default_factory=set)
    overlap: Counter[int] = field(default_factory=Counter)  # done labels per unit -> units
    adjudicated_units: int = 0
    # Done labels by the `assisted` flag: on (suggestions on screen), off, unknown (not
    # given on the annotate screen: imported, or from before the flag existed).
    assisted: Counter[str] = field(default_factory=Counter)
    check_answers: int = 0  # answers to check items in the project: left out of the export

    def unit_labels(self, done: int, adjudicated: bool) -> None:
        self.overlap[done] += 1
        self.adjudicated_units += adjudicated

    @property
    def splits(self) -> list[str]:
        order = ["train", "validation", "test", "all"]
        return sorted(self.units, key=lambda s: (order.index(s) if s in order else 9, s))


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return lines


AGREEMENT_METHOD = (
    "Krippendorff's alpha per task at the task's level, over the labels in this export (only "
    "those with status `done` count), as `annotator agreement` computes it; `units` counts "
    "units with two or more labels."
)


def _agreement(agreement: tuple[list[Any], str] | None) -> list[str]:
    """`agreement`: rows with task, type, level, alpha, units, annotators and note (see
    ``card_agreement``), and why there are none."""
    if agreement is None:
        return ["Not computed in this export (see `annotator agreement`)."]
    rows, why = agreement
    if not rows:
        return [why or "No labels to compare."]
    lines = [AGREEMENT_METHOD, ""]
    lines += _table(
        ["task", "type", "level", "alpha", "units", "annotators", "note"],
        [
            [
                f"`{r.task}`",
                r.type,
                r.level,
                "–" if r.alpha is None else f"{r.alpha:.3f}",
                r.units,
                r.annotators,
                r.note,
            ]
            for r in rows
        ],
    )
    return lines


def render_card(
    stats: CardStats,
    *,
    project: str,
    schema_name: str,
    schema_hash: str,
    fmt: str,
    opts: ExportOptions,
    yaml_header: str = "",
    agreement: tuple[list[Any], str] | None = None,
    notes: Iterable[str] = (),
    overlap: int = 1,
    guidelines: str = "",
) -> str:
    """Markdown card; `yaml_header` (without the --- fences) goes on top when given."""
    out: list[str] = []
    if yaml_header:
        out += ["---", yaml_header.rstrip("\n"), "---", ""]
    out += [f"# {project}: media-bias annotations", ""]
    out += [
        f"Exported as `{fmt}` on {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} by "
        "`annotator`.",
        "",
        f"- **Schema:** {schema_name}, content hash `{schema_hash}`",
        f"- **Command:** `{opts.command or '(library call)'}`",
    ]
    filters = []
    if opts.annotators:
        filters.append(f"annotators {', '.join(sorted(opts.annotators))}")
    if opts.tasks:
        filters.append(f"tasks {', '.join(opts.tasks)}")
    filters.append(f"status {opts.status}")
    if opts.since:
        filters.append(f"updated since {opts.since.isoformat()}")
    if opts.include_unannotated:
        filters.append("every unit, annotated or not")
    out.append(f"- **Selection:** {'; '.join(filters)}")
    out += ["", "## Splits", ""]
    if opts.split:
        share = "/".join(f"{round(f * 100)}" for f in opts.split)
        out.append(
            f"Split {share} with seed {opts.seed}, grouped by document (no document is in two "
            "splits) and stratified by the gold label of the first single-choice task."
        )
        out.append("")
    for note in notes:
        out += [note, ""]
    out += _table(
        ["split", "documents", "units", "annotations"],
        [[s, len(stats.documents[s]), stats.units[s], stats.annotations[s]] for s in stats.splits],
    )
    out += ["", "## Labels", ""]
    out.append(
        "Counts of gold values per split."
        if stats.gold
        else "Counts over all annotations (one per annotator and unit) per split."
    )
    splits = stats.splits
    for task, kind in stats.task_types.items():
        counts = stats.labels.get(task, Counter())
        out += ["", f"### `{task}` ({kind})", ""]
        keys = sorted({k for _, k in counts})
        if not keys:
            out.append("No values.")
            continue
        out += _table(
            ["label", *splits, "total"],
            [
                [f"`{k}`", *(counts[s, k] for s in splits), sum(counts[s, k] for s in splits)]
                for k in keys
            ],
        )
    out += ["", "## Gold", ""]
    if stats.gold:
        out.append(GOLD_METHOD)
        if opts.gold_method in GOLD_METHOD_NOTES:
            out += ["", GOLD_METHOD_NOTES[opts.gold_method]]
        if stats.gold_sources:
            out.append("")
            out += _table(
                ["gold source", "unit-task pairs"],
                [[k, v] for k, v in sorted(stats.gold_sources.items())],
            )
    else:
        out.append(
            "No gold column: the export holds each annotator's own labels "
            "(and adjudicated values, where a lead made them, under `gold`)."
        )
    out += ["", "## Agreement", ""]
    out += _agreement(agreement)
    out += _annotation(stats, schema_name, schema_hash, overlap, guidelines)
    out += _limitations(stats)
    out += ["", "## Licence", "", opts.license or NO_LICENSE]
    out += _citation(project, schema_name, schema_hash, opts.license)
    out += ["", "## Sources", ""]
    out.append(f"- **Annotators (ids):** {', '.join(sorted(stats.annotators)) or 'none'}")
    if stats.first or stats.last:
        out.append(f"- **Published:** {stats.first} to {stats.last}")
    out.append(
        "- **Outlets (documents):** "
        + ", ".join(f"{name} ({n})" for name, n in stats.outlets.most_common())
    )
    out.append("")
    return "\n".join(out)


def _annotation(
    stats: CardStats, schema_name: str, schema_hash: str, overlap: int, guidelines: str
) -> list[str]:
    out = ["", "## Annotation", ""]
    out.append(
        f"- **Annotators:** {len(stats.annotators)}; the schema asks for {overlap} "
        f"annotator{'s' if overlap != 1 else ''} per unit (`overlap`)."
    )
    if stats.overlap:
        spread = ", ".join(
            f"{n} unit{'s' if n != 1 else ''} with {k} label{'s' if k != 1 else ''}"
            for k, n in sorted(stats.overlap.items())
        )
        out.append(f"- **Labels per unit (status `done`):** {spread}.")
    on, off = stats.assisted["on"], stats.assisted["off"]
    if on or off:
        unknown = stats.assisted["unknown"]
        out.append(
            f"- **Model suggestions:** {on:,} of {on + off + unknown:,} `done` labels were given "
            f"with the project's model suggesting a value on screen (`assisted` is true), "
            f"{off:,} without"
            + (f", {unknown:,} not on the annotate screen (imported)" if unknown else "")
            + "; a shown guess can sway annotators, so compare the two before pooling them."
        )
    out.append(
        f"- **Guidelines:** the `guidelines` of schema {schema_name} (content hash "
        f"`{schema_hash[:12]}`), shown to annotators with `?`; the full text follows."
    )
    if guidelines.strip():
        out += [
            "",
            "<details><summary>Guidelines</summary>",
            "",
            guidelines.strip(),
            "",
            "</details>",
        ]
    return out


def _limitations(stats: CardStats) -> list[str]:
    units = sum(stats.units.values())
    out = ["", "## Known limitations", ""]
    single = stats.overlap.get(1, 0) + stats.overlap.get(0, 0)
    if stats.gold:
        ties = stats.gold_sources.get(TIE, 0)
        out.append(
            f"- **Ties:** {ties} unit-task pair{'s' if ties != 1 else ''} have no gold value "
            "because the annotators split evenly (`tie`)."
        )
        hidden = stats.gold_sources.get(NOT_SHOWN, 0)
        if hidden:
            out.append(f"- **Not shown:** {hidden} unit-task pairs are empty by the schema.")
    never = units - stats.adjudicated_units
    out.append(
        f"- **Adjudication:** {stats.adjudicated_units} of {plural(units, 'unit')} "
        f"{'was' if stats.adjudicated_units == 1 else 'were'} adjudicated by a lead; {never} "
        f"{'was' if never == 1 else 'were'} never adjudicated, and "
        f"{'its' if never == 1 else 'their'} gold is the vote alone."
    )
    if stats.check_answers or stats.gold_sources.get(CHECK):
        marked = stats.gold_sources.get(CHECK, 0)
        out.append(
            f"- **Check items:** {plural(stats.check_answers, 'answer')} given to check items "
            "(units with a known answer, mixed into the annotators' queues to measure their "
            "accuracy) are left out of the labels; "
            + (
                f"{marked} unit-task pair{'s' if marked != 1 else ''} of check units have the "
                "known answer as gold (source `check`)."
                if stats.gold
                else "check units keep only their ordinary labels."
            )
        )
    if single:
        out.append(
            f"- **Single labels:** {single} units have fewer than two `done` labels: no "
            "agreement can be measured on them."
        )
    out.append(
        "- **Words:** spans are over machine word tokens (jieba for Chinese), given in the "
        "`tokens` column; a word boundary the tokenizer missed cannot be marked."
    )
    if "(unknown)" in stats.outlets:
        out.append(f"- **Outlets:** {stats.outlets['(unknown)']} documents have no known outlet.")
    return out


def _citation(project: str, schema_name: str, schema_hash: str, license: str | None) -> list[str]:
    year = datetime.now(UTC).year
    key = "".join(c for c in project if c.isalnum()) or "dataset"
    lines = [
        "",
        "## Citation",
        "",
        "Cite the dataset as its authors ask; until they say, this entry names what it is:",
        "",
        "```bibtex",
        f"@misc{{{key}{year},",
        f"  title = {{{project}: sentence-level media-bias annotations}},",
        f"  year = {{{year}}},",
        f"  note = {{Labelled with the {schema_name} schema ({schema_hash[:12]}) in annotator"
        + (f"; licence {license}" if license else "")
        + "},",
        "}",
        "```",
    ]
    if schema_name == "media-bias":
        lines += [
            "",
            "The labels follow BABE (Spinde et al., 2021, *Neural Media Bias Detection Using "
            "Distant Supervision With BABE*, Findings of EMNLP); cite it when comparing.",
        ]
    return lines


def card_json(stats: CardStats) -> str:
    """Machine-readable figures, for tests and tools."""
    return json.dumps(
        {
            "units": dict(stats.units),
            "annotations": dict(stats.annotations),
            "documents": {k: len(v) for k, v in stats.documents.items()},
            "annotators": sorted(stats.annotators),
            "assisted": dict(stats.assisted),
        },
        ensure_ascii=False,
    )
