"""The annotation session begun before the screen exists, when the annotator's name is known.

On a cold start of a large project, finding the first unit scans the queue from the first
unit (0.3 s at 1,000,000 units). SQLite does that scan without Python's lock, so it runs in a
thread while the main thread loads Textual and builds the screen; the app takes the session
as it would have begun it itself (`AnnotatorApp.begin`), and the screen's `open_first` waits
for the look-up. Without a name (the start screen asks for it) nothing is begun early:
nothing is written before the person says who they are.

Free of Textual (it is what runs while Textual loads).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from annotator.store.leases import DEFAULT_LEASE_SECONDS
from annotator.store.queue_direct import ColdFloor
from annotator.tui.controller import Annotating
from annotator.tui.launch import StoreContext


def begin_session(
    context: StoreContext,
    name: str,
    *,
    order: str = "sequential",
    seed: int | None = None,
    lease_seconds: float | None = None,
) -> Annotating:
    """The session of annotator `name` (created in the store if new): what the app runs."""
    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.engine import session_scope

    with session_scope(context.engine) as session:
        annotator_id = get_or_create_annotator(session, name).id
    assert annotator_id is not None
    return Annotating(
        context,
        annotator_id=annotator_id,
        annotator_name=name,
        order=order,
        seed=seed,
        lease_seconds=DEFAULT_LEASE_SECONDS if lease_seconds is None else lease_seconds,
    )


class EarlyStart:
    """`begin_session`, then the first unit's look-up (`Annotating.finding_first`, from
    the `cold` floor if one is given), in a thread started at once."""

    def __init__(
        self,
        context: StoreContext,
        name: str,
        *,
        order: str = "sequential",
        seed: int | None = None,
        lease_seconds: float | None = None,
        cold: Callable[[], ColdFloor | None] | None = None,
    ) -> None:
        self.name = name
        self._result: Annotating | BaseException | None = None
        self._begun = threading.Event()
        self._taken = False

        def run() -> None:
            try:
                annotating = begin_session(
                    context, name, order=order, seed=seed, lease_seconds=lease_seconds
                )
            except BaseException as exc:  # raised where the app would have met it: begin
                self._result = exc
                self._begun.set()
                return
            find = annotating.finding_first(cold)
            self._result = annotating
            self._begun.set()
            find()

        self._thread = threading.Thread(target=run, name="early-start", daemon=True)
        self._thread.start()

    def take(self) -> Annotating:
        """The session (its first unit may still be being found), or the error that
        beginning it raised."""
        self._begun.wait()
        self._taken = True
        result = self._result
        if isinstance(result, BaseException):
            raise result
        assert result is not None
        return result

    def discard(self) -> None:
        """After the app: a session it never took is left as the app would have left it (the
        unit held for it goes back to the others now, not when the hold lapses)."""
        self._thread.join()
        if self._taken or not isinstance(self._result, Annotating):
            return
        self._taken = True
        with contextlib.suppress(SQLAlchemyError):  # not vital, as in AnnotatorApp.on_unmount
            self._result.leave()
