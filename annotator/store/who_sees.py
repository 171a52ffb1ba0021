"""Who may see per-annotator figures (`annotator agreement`, `report`, `review`): the rule,
once, for the store layer's sessions (``labels_query.lead_view``) and for a sqlite3
connection of the direct paths (``lead_view_direct``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

ROLE_OF = "SELECT role FROM annotator WHERE name = ?"
ANY_LEAD = "SELECT 1 FROM annotator WHERE role = 'lead' LIMIT 1"


def lead_view_of(
    as_name: str | None, role_of: Callable[[str], str | None], has_lead: Callable[[], bool]
) -> tuple[bool, str]:
    """May `as_name` see per-annotator figures? And if not, the one line that says why.

    Raises LookupError when `as_name` names nobody (`role_of` gives None).

    Yes for a lead, and for anyone while the store has no lead and nobody is named (a
    researcher alone, or imported data); otherwise annotators stay blind to each other.
    """
    role = role_of(as_name) if as_name else None
    if as_name and role is None:
        raise LookupError(f"{as_name}: no annotator of that name (see `annotator annotators list`)")
    if role == "lead" or (as_name is None and not has_lead()):
        return True, ""
    if as_name:
        return False, f"{as_name} is not a lead: per-annotator figures are hidden"
    return False, "per-annotator figures are for leads: add --as LEAD"


def lead_view_direct(con: sqlite3.Connection, as_name: str | None) -> tuple[bool, str]:
    """`lead_view_of` on a sqlite3 connection."""

    def role_of(name: str) -> str | None:
        row = con.execute(ROLE_OF, (name.strip(),)).fetchone()
        return row[0] if row else None

    return lead_view_of(as_name, role_of, lambda: con.execute(ANY_LEAD).fetchone() is not None)
