"""Worker processes for a job split into chunks: `ordered_results(fn, chunks, workers=...)`.

For the command line and the seed, where a whole portfolio is measured at once and the machine's other cores are
idle; the app keeps one worker (its own process). Workers are spawned, not forked: the caller may hold open
connections and threads, which a forked child must not share.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
MAX_WORKERS = 4


def default_workers() -> int:
    """Worker processes for a whole job from the command line: one per core, at most MAX_WORKERS."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def ordered_results(local: Callable[..., T], chunks: Sequence[Any], *, workers: int, args: tuple = (),
                    remote: Callable[..., T] | None = None, initializer: Callable[..., None] | None = None,
                    initargs: tuple = ()) -> Iterator[T]:
    """Each chunk's result, in order: `local(chunk, *args)` in this process when `workers` <= 1 or there is
    one chunk (a worker costs about a second to start), else `remote(chunk, *args)` in that many spawned
    processes, each started with `initializer(*initargs)` (module-level functions: they are sent by name).
    Stopping early (the caller breaks out, or an error) cancels the chunks not yet started."""
    if workers <= 1 or len(chunks) < 2 or remote is None:
        for chunk in chunks:
            yield local(chunk, *args)
        return
    fn = remote
    with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=multiprocessing.get_context("spawn"),
                             initializer=initializer, initargs=initargs) as pool:
        with _main_script_hidden():  # the workers start here, as the chunks are handed out
            futures = [pool.submit(fn, chunk, *args) for chunk in chunks]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


@contextlib.contextmanager
def _main_script_hidden():
    """While workers start, multiprocessing does not see the main module's file. A spawned worker runs the
    parent's main script again unless told otherwise, and the workers need nothing from it (their code is in an
    importable module); a script without a `__main__` guard (the command line's entry script, a test harness's
    generated script, an app page) would otherwise run again in every worker, or fail there."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(getattr(main, "__spec__", None), "name", None):
        yield  # no file, or a module run with -m, which spawn does not re-run
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path
