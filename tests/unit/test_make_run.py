"""`make run` serves this machine only unless asked (every demo password is public)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def planned(*args: str) -> str:
    """The commands `make run` would run (make -n runs nothing)."""
    return subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True,
                          timeout=60).stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_binds_to_loopback_by_default_and_to_the_network_only_when_asked():
    default = planned()
    assert "--server.address 127.0.0.1 " in default and "hero init --demo" in default
    network = planned("HOST=0.0.0.0", "DEMO=")
    assert "--server.address 0.0.0.0 " in network
    assert "--demo" not in network
