"""In-memory indexes kept per database, and their one-off builds in a background thread.

`PerDatabase(factory)` holds one index per Database object (dropped with it); `start_build(name, lock, build)` runs
`build()` in a daemon thread named `name` unless a build holds `lock` already, so the person who triggered it
does not wait for a build of seconds.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class PerDatabase(Generic[K, V]):
    """One value per key (a Database), made by `factory()` on first use and dropped when the key is."""

    def __init__(self, factory: Callable[[], V]) -> None:
        self._factory = factory
        self.values: weakref.WeakKeyDictionary[K, V] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, key: K) -> V:
        with self._lock:
            value = self.values.get(key)
            if value is None:
                value = self.values[key] = self._factory()
            return value


def start_build(name: str, lock: threading.Lock, build: Callable[[], None]) -> None:
    """Run `build()` (which takes `lock` itself) in a background daemon thread, unless `lock` is held: a build
    is under way. Returns at once."""
    if lock.locked():
        return
    threading.Thread(target=build, name=name, daemon=True).start()
