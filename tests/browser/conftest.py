"""The real server on a throw-away database, and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hero_core.db import Database
from hero_core.services import catalog
from tests.conftest import Org, build_org, fresh_sqlite
from tests.support.live_server import CHROMIUM, CHROMIUM_ARGS, LiveServer

ROOT = Path(__file__).resolve().parents[2]
#: The walk's screenshots refresh the README's pictures only when asked (`make screenshots`, which sets
#: HERO_SCREENSHOTS=1), so that running the tests leaves the working tree clean; otherwise they go to a
#: temporary folder (they are still taken: a page that cannot be drawn fails the walk).
SCREENSHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("HERO_SCREENSHOTS") == "1"
               else Path(tempfile.mkdtemp(prefix="hero-screenshots-")))

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def start_server(database_url: str, tmp_path: Path) -> LiveServer:
    return LiveServer(database_url, tmp_path / "streamlit.log")


#: The longest any single browser step may take on a busy 2-core machine.
WAIT_MS = 30_000


@dataclass
class Walk:
    """The small organisation on a throw-away database, served by the real Streamlit server."""

    org: Org
    url: str
    directory: Path
    pages: list = field(default_factory=list)


def served_org(sqlite_template: Path, tmp_path_factory, request, name: str) -> Iterator[Walk]:
    """For a module-scoped fixture: serve a fresh organisation, and print the server log if a test failed."""
    from playwright.sync_api import expect

    directory = tmp_path_factory.mktemp(name)
    db: Database = fresh_sqlite(sqlite_template, directory)
    catalog.ensure_defaults(db)
    org = build_org(db)
    server = start_server(db.url, directory)
    expect.set_options(timeout=WAIT_MS)
    try:
        yield Walk(org=org, url=server.url, directory=directory)
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the other modules
        server.stop()
        if request.session.testsfailed:
            print(f"streamlit log ({server.log_path}):\n{server.log_path.read_text()[-4000:]}")
        db.dispose()
