"""The examples run, so they never rot: scripts as subprocesses, the notebook through nbclient."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import logistics
from logistics.core.plan import Plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ENV = dict(os.environ, COLDROUTE_EXAMPLE_TIME="2", COLDROUTE_EXAMPLE_OFFLINE="1", MPLBACKEND="Agg")


def run_script(name: str, out: Path) -> subprocess.CompletedProcess:
    p = subprocess.run(
        [sys.executable, str(EXAMPLES / name), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
        cwd=out.parent,
    )
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-3000:]
    return p


def test_custom_network_example(tmp_path):
    out = tmp_path / "custom"
    p = run_script("custom_network.py", out)
    assert "served" in p.stdout
    sys.path.insert(0, str(EXAMPLES))
    try:
        import custom_network
    finally:
        sys.path.remove(str(EXAMPLES))
    problem = custom_network.build_problem(custom_network.build_network())
    assert logistics.validate(problem, Plan.from_json(out / "plan.json")) == []
    assert (out / "map.html").is_file() and (out / "timeline.png").is_file()


def test_yanhu_day_example(tmp_path):
    pytest.importorskip("logistics.app.scenarios")
    out = tmp_path / "day"
    p = run_script("yanhu_day.py", out)
    assert "total cost" in p.stdout and "CO2" in p.stdout
    problem = logistics.yanhu_demo(seed=0)
    assert logistics.validate(problem, Plan.from_json(out / "plan.json")) == []
    assert (out / "_SUCCESS").is_file()


@pytest.mark.slow  # ~20 s: a kernel and every section; test_readme runs the README's Python in the default suite
def test_yanhu_notebook(tmp_path):
    pytest.importorskip("logistics.app.scenarios")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(EXAMPLES / "yanhu.ipynb", as_version=4)
    old = {k: os.environ.get(k) for k in ("COLDROUTE_EXAMPLE_TIME", "MPLBACKEND")}
    os.environ["COLDROUTE_EXAMPLE_TIME"] = "2"
    os.environ.pop("MPLBACKEND", None)
    try:
        client = nbclient.NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        )
        client.execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("coldroute-route" in h or "leaflet" in h.lower() for h in html), "the map was not displayed"
    assert any("coldroute-tier-" in h for h in html), "the three-tier map was not displayed"
    assert any("image/png" in o.get("data", {}) for o in outputs), "the timeline was not displayed"
