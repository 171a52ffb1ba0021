"""What the app needs before it opens: the store, the project and its current schema.

Kept free of Textual so the CLI can report a bad store or project before any screen opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from annotator.schema.model import Schema
from annotator.store.engine import Access

if TYPE_CHECKING:
    from annotator.assist.lexicon import Matcher


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
    """The schema's lexicon as a matcher, compiled once for the session (None: the schema
    names none). A missing or unreadable file is one line (UserError), before any screen."""
    if not context.schema.lexicon:
        return None
    from annotator.assist.lexicon import Matcher, lexicon_path, read_lexicon
    from annotator.store.engine import project_folder

    path = lexicon_path(context.schema.lexicon, project_folder(context.engine))
    return Matcher(read_lexicon(path))
