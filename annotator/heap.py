"""Python's cyclic garbage collector during a long run that makes many objects (the imports).

At the bottom of the layers: it imports no layer, so any may use it.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def heap_left_alone(*, by_hand: bool = False, threshold: int | None = None) -> Iterator[None]:
    """Keep the objects that exist before the run (modules, a database library's tables and
    caches: most of the heap) out of the cyclic collector's full passes while it runs. An
    import makes enough objects for a few full passes per 100,000 records, each walking all
    of them again. `by_hand`: no automatic passes at all; the run calls `gc.collect()`
    itself where little is alive (between batches), so memory stays flat without walking
    the records of a batch being built. `threshold`: automatic passes over the youngest
    objects only after this many new ones (Python's: 700), for a run whose objects in flight
    are many and short-lived (an export's rows). Afterwards all is as before (a process that
    froze its own objects is left as it is)."""
    enabled, before = gc.isenabled(), gc.get_threshold()
    if by_hand:
        gc.disable()
    if threshold is not None:
        gc.set_threshold(threshold, *before[1:])
    frozen = not gc.get_freeze_count()
    if frozen:
        gc.freeze()
    try:
        yield
    finally:
        if frozen:
            gc.unfreeze()
        gc.set_threshold(*before)
        if enabled:
            gc.enable()


def no_last_pass_at_exit() -> None:
    """Keep the objects alive when the interpreter exits out of the cycle collector's last
    passes over the whole heap, which only free memory the system takes back anyway (20-40
    ms after an export, more once pyarrow is loaded). For a command whose results are
    already closed and on disk, with nothing left to finalise: an atexit hook freezes them
    (hooks run before those passes); modules are still torn down as usual."""
    atexit.unregister(gc.freeze)  # once, however often a process runs such a command
    atexit.register(gc.freeze)
