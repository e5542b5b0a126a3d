"""The once-per-process start-up of the app server (hero_app/startup.py), in a fresh interpreter each time so
that this test process's garbage collector is left as it is."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json
from hero_app import startup
import streamlit
before = len(gc.get_objects())
first = startup.freeze_long_lived_objects()
second = startup.freeze_long_lived_objects()
gc.collect(2)
print(json.dumps({"before": before, "after": len(gc.get_objects()), "frozen": gc.get_freeze_count(),
                  "first": first, "second": second}))
"""


def probe() -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_first_call_freezes_what_the_pages_import_and_later_calls_do_nothing():
    seen = probe()
    assert seen["first"] is True and seen["second"] is False
    # What a full collection still walks is a small part of what it walked before: the pages' imports (Streamlit,
    # pandas, Altair, SQLAlchemy, our modules) are in the permanent generation.
    assert seen["frozen"] > 100_000, seen
    assert seen["after"] < seen["before"] / 4, seen


IMPORTS_AFTER = """
import ast, importlib, importlib.util, json, sys
from pathlib import Path
from hero_app import startup
startup.freeze_long_lived_objects()
loaded = set(sys.modules)
for path in sorted(Path("hero_app").rglob("*.py")):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parent = importlib.import_module(node.module)
            for alias in node.names:  # `from hero_core.services import ideas` names a module
                if hasattr(parent, "__path__") and importlib.util.find_spec(f"{node.module}.{alias.name}"):
                    importlib.import_module(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
late = sorted(m for m in set(sys.modules) - loaded
              if m.split(".")[0] in ("hero_core", "hero_app", "pandas", "altair", "sqlalchemy"))
print(json.dumps(late))
"""


def test_every_module_the_app_imports_is_loaded_before_the_freeze():
    out = subprocess.run([sys.executable, "-c", IMPORTS_AFTER], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    late = json.loads(out.stdout.strip().splitlines()[-1])
    ours = [m for m in late if m.startswith(("hero_core", "hero_app"))]
    assert ours == [], f"add these to hero_app.startup.WARM_MODULES: {ours}"


LOADED_AFTER_START = """
import json, sys
from hero_app import startup
startup.freeze_long_lived_objects()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_the_metrics_file_validator_is_loaded_only_when_a_file_is_validated(tmp_path):
    """pandera is about 12 MB that an app server needs only while an admin imports metrics."""
    out = subprocess.run([sys.executable, "-c", LOADED_AFTER_START], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert "pandas" in loaded and "hero_core" in loaded
    assert "pandera" not in loaded


def test_giving_freed_memory_back_works_on_this_machine():
    from hero_app import startup
    from hero_core.infra import memory

    assert memory._malloc_trim() is not None  # glibc: the trim is really there, not silently skipped
    assert startup.release_unused_memory is memory.release_unused_memory  # one home
    startup.release_unused_memory()


def test_the_server_runs_no_full_garbage_collection_after_every_run():
    # Streamlit's default (runner.postScriptGC) walks every tracked object after each run while holding the GIL:
    # 17-50 ms of each run in the app server at 1k ideas. The option is read here the way the server reads it
    # (.streamlit/config.toml in the directory `make run` starts from), so a misspelt or misplaced one fails.
    probe = "from streamlit import config; print(config.get_option('runner.postScriptGC'))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=120).stdout
    assert out.strip().splitlines()[-1] == "False", out
