"""The real server on a throw-away database, and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from hero_app.serve import CHROMIUM, CHROMIUM_ARGS, LiveServer

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
