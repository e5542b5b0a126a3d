"""Once per server process: import what every page needs, then move those long-lived objects out of the garbage
collector's way.

A full garbage collection (`gc.collect(2)`) walks every tracked object while holding the GIL. After Streamlit,
pandas, pyarrow, Altair, SQLAlchemy and our pages are imported that is hundreds of thousands of objects, and
the walk is long enough to delay a page (measured: docs/measurements.md). Almost all of them are modules,
classes, functions and constants that live as long as the process. `gc.freeze()` moves them to the permanent
generation, which collections skip; everything created later (sessions, caches, a run's data) is still
collected as before, and frozen objects are still freed by reference counting when nothing refers to them.

Streamlit also ran such a collection after every script run (`runner.postScriptGC`), so that the run's last
messages waited for it: a long wait before the freeze, and still a noticeable one after it.
.streamlit/config.toml turns that off; Python's own generational collections still run, and the freeze keeps
their occasional full collections short too.

`release_unused_memory` gives back to the operating system what a large cached build (the impact portfolio, the
Hall of HEROs) freed, so that the server's resident memory is what it keeps, not what it once needed.
"""

from __future__ import annotations

import gc
import importlib
import threading

from hero_core.infra import memory

# Every module a page imports, so that they are loaded (and frozen) before the first page runs rather than on
# the first visit to that page.
WARM_MODULES = (
    "pandas", "altair", "sqlalchemy",
    "hero_core.charts", "hero_core.charts_compact", "hero_core.impact", "hero_core.impact_store",
    "hero_core.workflow", "hero_core.risk",
    "hero_core.services.ideas", "hero_core.services.ideas_io", "hero_core.services.impact_views",
    "hero_core.services.metrics_io", "hero_core.services.recognition", "hero_core.services.scorecard",
    "hero_core.services.scorecard_reads",
    "hero_core.services.pulse", "hero_core.services.sessions", "hero_core.services.notifications",
    "hero_core.services.campaigns", "hero_core.services.catalog", "hero_core.services.duplicates",
    "hero_core.services.social", "hero_core.services.mailer", "hero_core.services.data_version",
    "hero_core.services.home", "hero_core.services.approvals",
    "hero_core.services.help", "hero_core.help_text",
    "hero_core.erosion", "hero_core.charts_erosion", "hero_core.services.erosion", "hero_core.help_io",
    "hero_core.services.adoption", "hero_core.services.touchpoints", "hero_core.services.job_aids",
    "hero_app.auth", "hero_app.conversation", "hero_app.idea_form", "hero_app.impact_panel", "hero_app.mail_pref",
    "hero_app.metrics_admin", "hero_app.navigation", "hero_app.panels", "hero_app.session_cookie", "hero_app.ui",
)

_lock = threading.Lock()
_frozen = threading.Event()  # set once the process's long-lived objects are frozen


def freeze_long_lived_objects() -> bool:
    """Import `WARM_MODULES`, collect once, and freeze what is left. Does the work on the first call in a
    process and returns True then; later calls return False at once."""
    if _frozen.is_set():
        return False
    with _lock:
        if _frozen.is_set():
            return False
        for name in WARM_MODULES:
            importlib.import_module(name)
        gc.collect()
        gc.freeze()
        _frozen.set()
        return True


# Its one home is hero_core/infra/memory.py (the cache calls it after large builds); named here too for the app.
release_unused_memory = memory.release_unused_memory
