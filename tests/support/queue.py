"""Saving a label the way the annotate screen does, for the store-level queue tests."""

from __future__ import annotations

from annotator.store import leases
from annotator.store.annotations import save_annotation
from annotator.store.engine import session_scope


def save_label(engine, unit, who, sv, status="done", values=None):
    with session_scope(engine) as s:
        return save_annotation(
            s,
            unit_id=unit,
            annotator_id=who,
            schema_version_id=sv,
            values=values if values is not None else {"bias": "biased"},
            status=status,
        )


def settle_and_save(engine, unit, who, sv, overlap=1):
    with session_scope(engine) as s:
        leases.settle(s, unit_id=unit, annotator_id=who, overlap=overlap)
    return save_label(engine, unit, who, sv)
