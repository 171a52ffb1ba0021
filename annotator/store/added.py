"""What writing one batch of imported documents did: the counts both writers keep (through
SQLAlchemy, `documents.add_documents`; through sqlite3 alone, `import_direct`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class AddResult:
    documents: int = 0
    units: int = 0
    duplicates: int = 0  # documents already in the project
