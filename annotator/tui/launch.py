"""What the app needs before it opens: the store, the project and its current schema.

Kept free of Textual so the CLI can report a bad store or project before any screen opens,
and of SQLAlchemy until a function needs it (a quick start draws before it loads).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from annotator.assist.lexicon import Matcher
    from annotator.schema.model import Schema
    from annotator.store.engine import Access


@dataclass(frozen=True)
class StoreContext:
    engine: Engine
    project_id: int
    project_name: str
    schema: Schema
    schema_version_id: int


def load_context(*, db: str | None, project: str | None, access: Access = "write") -> StoreContext:
    """The store, project and schema (`access`: "read" for screens that only show figures;
    never "create": a screen pointed at the wrong file must not make a store there)."""
    from annotator.store.engine import StoreError, open_store, session_scope
    from annotator.store.projects import get_project
    from annotator.store.schema_versions import current_schema

    engine = open_store(db, access=access)
    with session_scope(engine) as session:
        proj = get_project(session, project)
        schema = current_schema(session, proj)
        if proj.schema_version_id is None:
            raise StoreError(f"project {proj.name!r} has no schema version")
        assert proj.id is not None
        return StoreContext(
            engine=engine,
            project_id=proj.id,
            project_name=proj.name,
            schema=schema,
            schema_version_id=proj.schema_version_id,
        )


def load_hints(context: StoreContext) -> Matcher | None:
    """`schema_hints` of the context's schema and store."""
    from annotator.store.engine import project_folder

    return schema_hints(context.schema, project_folder(context.engine))


def schema_hints(schema: Schema, folder: Path) -> Matcher | None:
    """The schema's lexicon as a matcher, compiled once for the session (None: the schema
    names none; a relative path starts at the store's `folder`). A missing or unreadable
    file is one line (UserError), before any screen."""
    if not schema.lexicon:
        return None
    from annotator.assist.lexicon import Matcher, lexicon_path, read_lexicon

    return Matcher(read_lexicon(lexicon_path(schema.lexicon, folder)))


def suggestions_note(engine: Engine, project_id: int) -> str | None:
    """What to tell an annotator when suggestions are on but there is nothing to show."""
    from annotator.store import assist_models
    from annotator.store.engine import session_scope

    with session_scope(engine) as s:
        on = assist_models.settings(s, project_id).suggestions
        models = assist_models.model_infos(s, project_id) if on else []
    if on and not models:
        return (
            "suggestions are on but no model is trained yet, so none are shown; "
            "`annotator model train` once some units are labelled"
        )
    return None
