"""`annotator model train|status|settings`: the model that learns from the project's labels."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from annotator.cli.options import DbOption, ProjectOption, err, out

model_app = typer.Typer(
    help="A model per task that learns from the project's own labels (offline): suggestions "
    "and the uncertain/balanced queue orders; and a lexicon of loaded words from span labels.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help like the other groups: docstrings keep no stray breaks
)


def _project(session: Any, project: str | None) -> tuple[int, Any]:
    from annotator.store.engine import StoreError
    from annotator.store.projects import get_project

    proj = get_project(session, project)
    if proj.id is None or proj.schema_version_id is None:
        raise StoreError(f"project {proj.name!r} has no schema version")
    return proj.id, proj


@model_app.command("train")
def train(project: ProjectOption = None, db: DbOption = None) -> None:
    """Learn each single, multi and scale task from the labels so far, and rank the units
    still to label for `annotate --order uncertain|balanced`. Run it again as labels grow."""
    from annotator.assist.train import train_project
    from annotator.errors import UserError
    from annotator.store.engine import open_store, session_scope
    from annotator.store.schema_versions import current_schema

    engine = open_store(db, access="write")
    with session_scope(engine) as s:
        pid, proj = _project(s, project)
        schema = current_schema(s, proj)
        version = proj.schema_version_id
    results = train_project(
        engine,
        project_id=pid,
        schema=schema,
        schema_version_id=version,
        say=lambda line: err.print(line, style="dim"),
    )
    for r in results:
        if not r.trained:
            out.print(Text(f"{r.task}: not learnt ({r.reason})"))
            continue
        check = (
            f"; on the newest fifth, learnt from the rest: accuracy {r.accuracy:.2f}, "
            f"macro-F1 {r.macro_f1:.2f}"
            if r.accuracy is not None and r.macro_f1 is not None
            else ""
        )
        out.print(
            Text(f"{r.task}: learnt from {r.labels:,} labelled units in {r.seconds:.1f} s{check}")
        )
    if not any(r.trained for r in results):
        raise UserError("no task could be learnt yet: label more units, then train again")
    with session_scope(engine) as s:
        from annotator.store.assist_models import has_scores

        ranked = has_scores(s, pid)
    if ranked:
        out.print(
            "Units still to label are ranked for --order uncertain and balanced.", style="dim"
        )


@model_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """The project's models (labels learnt from, checks, labels since), its settings, and how
    many labels were given with suggestions on."""
    from annotator.store import assist_models
    from annotator.store.engine import open_store, session_scope

    engine = open_store(db, access="read")
    with session_scope(engine) as s:
        pid, proj = _project(s, project)
        infos = assist_models.model_infos(s, pid)
        since = {i.task: assist_models.changes_since(s, pid, i.event_mark) for i in infos}
        settings = assist_models.settings(s, pid)
        assisted = assist_models.assisted_counts(s, pid)
    models = [
        {
            "task": i.task,
            "type": i.task_type,
            "labels": i.label_count,
            "labels_since": since[i.task],
            "trained_at": i.trained_at.isoformat(timespec="seconds") if i.trained_at else None,
            "current_schema": i.schema_version_id == proj.schema_version_id,
            "accuracy": i.accuracy,
            "macro_f1": i.macro_f1,
            "seconds": round(i.seconds, 3),
        }
        for i in infos
    ]
    summary = {
        "project": proj.name,
        "suggestions": settings.suggestions,
        "random_share": settings.explore,
        "models": models,
        "labels_by_suggestions": assisted,
    }
    if as_json:
        out.print_json(json.dumps(summary, ensure_ascii=False))
        return
    out.print(
        Text(
            f"Project {proj.name}  ·  suggestions {'on' if settings.suggestions else 'off'}  ·  "
            f"random share in uncertain/balanced orders {settings.explore:.0%}"
        )
    )
    if not models:
        out.print("No model yet: label some units, then `annotator model train`.", style="dim")
    else:
        table = Table("task", "labels", "since", "trained (UTC)", "accuracy", "macro-F1")
        for m in models:
            when = (m["trained_at"] or "")[:16].replace("T", " ")
            if not m["current_schema"]:
                when += " (older schema)"
            table.add_row(
                Text(m["task"]),
                f"{m['labels']:,}",
                f"{m['labels_since']:,}",
                when,
                "–" if m["accuracy"] is None else f"{m['accuracy']:.2f}",
                "–" if m["macro_f1"] is None else f"{m['macro_f1']:.2f}",
            )
        out.print(table)
        out.print(
            "since: labels given or changed after the training; accuracy and macro-F1: the "
            "newest fifth of the labels, by a model learnt from the older ones.",
            style="dim",
        )
    out.print(
        f"Done labels with suggestions on: {assisted['on']:,}; off: {assisted['off']:,}; "
        f"not given on screen: {assisted['unknown']:,}"
    )


@model_app.command("settings")
def settings(
    suggestions: Annotated[
        str | None,
        typer.Option(
            "--suggestions",
            help="on: show the model's guess beside each task, = takes it (recorded with every "
            "label, as it can sway annotators); off (the default): do not. For the whole team.",
        ),
    ] = None,
    random_share: Annotated[
        float | None,
        typer.Option(
            "--random-share",
            help="Share of units (0-1) that --order uncertain and balanced take at random, so "
            "the labels still cover the whole corpus (default 0.2).",
        ),
    ] = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Show or change the project's assistance settings (they are in the store: the whole
    team gets them)."""
    from annotator.errors import UserError
    from annotator.store import assist_models
    from annotator.store.engine import open_store, session_scope

    switch = None
    if suggestions is not None:
        if suggestions.lower() not in ("on", "off"):
            raise UserError(f"--suggestions {suggestions}: use on or off")
        switch = suggestions.lower() == "on"
    if random_share is not None and not 0.0 <= random_share <= 1.0:
        raise UserError(f"--random-share {random_share}: give a number from 0 to 1")
    changing = switch is not None or random_share is not None
    engine = open_store(db, access="write" if changing else "read")
    with session_scope(engine) as s:
        pid, proj = _project(s, project)
        if changing:
            now = assist_models.change_settings(s, pid, suggestions=switch, explore=random_share)
        else:
            now = assist_models.settings(s, pid)
    out.print(
        Text(
            f"Project {proj.name}: suggestions {'on' if now.suggestions else 'off'}, "
            f"random share {now.explore:.0%}"
        )
    )


@model_app.command("lexicon")
def lexicon(
    task: Annotated[
        str, typer.Option("--task", help="The span task whose marked words make the list.")
    ],
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="The word list to write (- for the screen)."),
    ] = "-",
    min_count: Annotated[
        int,
        typer.Option(
            "--min-count", min=1, help="Keep words or phrases marked in at least this many labels."
        ),
    ] = 2,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Build a lexicon of loaded words from the project's span labels (say, BABE's
    biased_words): the words and phrases annotators marked, most often marked first. Name
    the file in the schema (`lexicon: FILE`) to have its words marked in every sentence."""
    from pathlib import Path

    from annotator.assist.lexicon import count_phrases
    from annotator.errors import UserError
    from annotator.store import assist_models
    from annotator.store.engine import open_store, session_scope
    from annotator.store.schema_versions import current_schema

    engine = open_store(db, access="read")
    with session_scope(engine) as s:
        pid, proj = _project(s, project)
        schema = current_schema(s, proj)
        found = schema.task(task)
        if found is None or found.type != "span":
            spans = [t.name for t in schema.tasks if t.type == "span"]
            have = f"span tasks: {', '.join(spans)}" if spans else "the schema has none"
            raise UserError(f"--task {task}: not a span task of project {proj.name} ({have})")
        data = assist_models.labelled(s, pid)
    counts = count_phrases(data.texts, data.values, task)
    kept = sorted(
        ((p, n) for p, n in counts.items() if n >= min_count), key=lambda pn: (-pn[1], pn[0])
    )
    lines = [
        f"# loaded words: marked in {task} of project {proj.name} in at least {min_count} "
        f"labels ({len(kept):,} of {len(counts):,} marked); one a line, # starts a comment",
        *(p for p, _ in kept),
    ]
    if output == "-":
        typer.echo("\n".join(lines))  # plain lines, never wrapped: it may be piped to a file
    else:
        target = Path(output)
        try:
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{output}: cannot write: {exc.strerror or exc}") from None
        from annotator.store.engine import project_folder

        folder, where = project_folder(engine), target.resolve()
        named = where.relative_to(folder) if where.is_relative_to(folder) else where
        err.print(
            Text(
                f"{len(kept):,} words and phrases (of {len(counts):,} marked) written to "
                f"{output}; to mark them while annotating, add to the schema: lexicon: {named}"
            )
        )
    if not kept:
        err.print(
            f"note: no word was marked in {min_count} labels or more; lower --min-count",
            style="yellow",
        )


def note_unranked(engine: Any, project_id: int, order: str) -> None:
    """Before the screen opens: say so when a ranked order has nothing to rank by yet."""
    from annotator.store.assist_models import has_scores
    from annotator.store.engine import session_scope

    with session_scope(engine) as s:
        ranked = has_scores(s, project_id)
    if not ranked:
        err.print(
            f"note: no model has ranked this project's units yet, so --order {order} gives "
            "them at random; `annotator model train` once some are labelled",
            style="yellow",
        )


def note_suggestions(engine: Any, project_id: int) -> None:
    """Before the screen opens: say so when suggestions are on but there is nothing to show."""
    from annotator.tui.launch import suggestions_note

    note = suggestions_note(engine, project_id)
    if note:
        err.print(f"note: {note}", style="yellow")
