"""Progress counts stay right when labels are saved while the whole-project count runs."""

from __future__ import annotations

from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import session_scope
from annotator.tui.controller import Annotating
from tests.support.tui import BIAS_QUICK, make_store


def test_saves_during_the_count_are_counted_once(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    with session_scope(ctx.engine) as s:
        me = get_or_create_annotator(s, "alice").id
    ann = Annotating(ctx, annotator_id=me, annotator_name="alice")
    ann.open_first()
    ann.save({"bias": "biased"})  # before the count's snapshot: the count includes it
    counted = ann.load_progress()  # what the worker thread computes...
    ann.save({"bias": "non_biased"})  # ...while this save lands
    ann.save({}, status="skipped")
    ann.undo()  # undone before the counts arrive
    ann.progress_loaded(counted)  # ...and only now reaches the screen
    assert (ann.progress.done, ann.progress.left) == (2, 2)
    ann.save({}, status="skipped")  # counts known: applied at once
    assert (ann.progress.done, ann.progress.left) == (2, 2)
    ann.save({"bias": "biased"})  # the last unit: only the skipped one is left
    assert (ann.progress.done, ann.progress.left) == (3, 1)
