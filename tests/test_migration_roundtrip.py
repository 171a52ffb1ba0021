"""Migrations go down and up again: a store upgraded after a downgrade is the same store."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from annotator.store.engine import open_store
from annotator.store.migrate import HEAD, _config, current_revision


def test_down_to_0005_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = open_store(url, access="create")
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    assert current_revision(engine) == "0005"
    assert not inspect(engine).has_table("documentannotation")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert current_revision(engine) == HEAD
    columns = {c["name"] for c in inspect(engine).get_columns("annotationevent")}
    assert "assisted" in columns
