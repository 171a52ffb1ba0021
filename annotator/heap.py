"""Python's cyclic garbage collector during a long run that makes many objects (the imports).

At the bottom of the layers: it imports no layer, so any may use it.
"""

from __future__ import annotations

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
