"""Optional extras: the library imports and works without them, and each missing one is named."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from logistics.core.extras import MissingExtraError, require


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)


HIDE = """
import sys
for name in ("folium", "matplotlib", "typer", "rich", "dask", "distributed"):
    sys.modules[name] = None  # an import of a hidden package raises ImportError
"""


def test_require_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "folium", None)
    with pytest.raises(MissingExtraError, match=r"coldroute\[maps\]") as info:
        require("folium", "maps", "plan maps")
    assert "plan maps" in str(info.value) and "'folium'" in str(info.value)


def test_library_works_without_any_extra():
    proc = _run(
        HIDE
        + """
import logistics
from logistics import __all__ as public
for name in public:
    getattr(logistics, name)  # the whole public API resolves without the extras
from logistics.core.extras import MissingExtraError
from logistics.app import plots
from logistics.app import batch
from logistics.core.maps import plan_map
import logistics.formats.jobfile, logistics.app.run
plan = logistics.Plan.from_dict({"format": "coldroute-plan/1", "stops": [], "unserved": [], "kpis": {},
                                 "routes": {"features": []}, "meta": {}})
for call, extra in ((lambda: plan_map(plan), "maps"), (lambda: plots.timeline(plan), "maps"),
                    (lambda: batch._run_dask([("a.yaml", "o/a", "a")], (None, {}, False, False), "tcp://x:1", print, 1),
                     "batch")):
    try:
        call()
    except MissingExtraError as e:
        assert f"coldroute[{extra}]" in str(e), str(e)
    else:
        raise AssertionError("no MissingExtraError")
print("ok")
"""
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("ok")


def test_console_script_without_cli_extra_prints_hint_and_exits_2():
    proc = _run(HIDE + "from logistics.app.main import main\nmain()\n")
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'coldroute[cli]'" in proc.stderr
