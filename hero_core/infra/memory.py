"""Memory and garbage-collection timing around large builds, behind two small functions.

`collect_garbage()` takes the collector's full pass at a moment the caller chooses (the end of a build of
seconds) instead of in the middle of a later request. `release_unused_memory()` gives memory a large build freed
back to the operating system: glibc's malloc keeps freed pages for reuse (malloc_trim returns them), and so does
pyarrow's pool, which holds pandas' strings (measured with the impact portfolio: docs/measurements.md). Does
nothing where glibc is not the C library.
"""

from __future__ import annotations

import ctypes
import functools
import gc


def collect_garbage() -> None:
    """A full collection now: reading every row of a large table leaves the collector due for a full pass
    (measured: docs/measurements.md), better taken at the end of a build than in the next person's request."""
    gc.collect()


def release_unused_memory() -> None:
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - an optimisation: a pool without it changes nothing
        pass
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
