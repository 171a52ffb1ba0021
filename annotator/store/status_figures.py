"""What `annotator status` shows of a team, as plain data: filled by `stats.team_status`
(SQLAlchemy) or by `status_direct` (sqlite3 alone), so this module imports neither."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TeamRow:
    """One annotator's assigned work and live leases in a project."""

    assigned_documents: int = 0
    assigned_units: int = 0
    leased: int = 0  # units on their screen now (live leases)


@dataclass
class TeamStatus:
    annotators: dict[str, TeamRow] = field(default_factory=dict)
    pool_documents: int = 0  # documents nobody is assigned: everyone draws from them
    pool_units: int = 0
