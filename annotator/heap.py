"""Python's cyclic garbage collector during a long run that makes many objects (the imports).

At the bottom of the layers: it imports no layer, so any may use it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def heap_left_alone() -> Iterator[None]:
    """Keep the objects that exist before the run (modules, a database library's tables and
    caches: most of the heap) out of the cyclic collector's full passes while it runs. An
    import makes enough objects for a few full passes per 100,000 records, each walking all
    of them again. Afterwards they are collected as usual (a process that froze its own
    objects is left as it is)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
