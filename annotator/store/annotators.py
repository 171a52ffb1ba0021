"""Annotators: people (or models) who label units. Created on first use, by name."""

from __future__ import annotations

from sqlmodel import Session, select

from annotator.store.engine import StoreError
from annotator.store.models import Annotator

ROLES = ("annotator", "lead")


def get_or_create_annotator(session: Session, name: str, role: str = "annotator") -> Annotator:
    """The annotator called `name`, created with `role` if new (an existing role is kept)."""
    name = name.strip()
    if not name:
        raise StoreError("annotator name is empty: give one with --annotator NAME")
    if len(name) > 200:
        raise StoreError("annotator name is longer than 200 characters")
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    found = session.exec(select(Annotator).where(Annotator.name == name)).first()
    if found is not None:
        return found
    annotator = Annotator(name=name, role=role)
    session.add(annotator)
    session.flush()
    return annotator
