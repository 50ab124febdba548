"""The import contract and the import rules hold, and a wrong-way import breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")
pytest.importorskip("grimp")

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_tree(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "static", "data", "schemas")
    for name in ("logistics", "networks", "scripts"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd), "HOME": str(cwd)}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")


def test_the_tree_keeps_the_contract_and_rules(tmp_path):
    repo = _copy_tree(tmp_path)
    kept = _run([str(LINT_IMPORTS)], repo)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "0 broken" in kept.stdout
    rules = _run([sys.executable, "scripts/check_imports.py"], repo)
    assert rules.returncode == 0, rules.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("logistics/core/units.py", "import logistics.engine.solve", "Layers"),
        ("logistics/check/validator.py", "from logistics.engine.solvers import arrays", "never import the engine"),
        ("logistics/formats/vroom.py", "import logistics.engine.solve", "never import the engine"),
        ("logistics/planners/carriers.py", "import logistics.app.run", "Nothing imports app"),
        ("networks/matrix.py", "import logistics.core.units", "networks never imports logistics"),
        ("logistics/engine/reasons.py", "import logistics.planners.carriers", "Layers"),
    ],
)
def test_a_wrong_way_import_breaks_the_contract(tmp_path, module, line, contract):
    repo = _copy_tree(tmp_path)
    _append(repo / module, line)
    broken = _run([str(LINT_IMPORTS)], repo)
    assert broken.returncode != 0
    report = broken.stdout
    assert any(contract in ln and "BROKEN" in ln for ln in report.splitlines()), report


def test_a_cycle_and_a_hidden_import_are_reported(tmp_path):
    repo = _copy_tree(tmp_path)
    _append(repo / "logistics/core/errors.py", "import logistics.core.options")  # options imports errors
    _append(repo / "logistics/core/units.py", "def _late():\n    import logistics.core.errors\n")
    _append(repo / "logistics/core/costs.py", "def _quiet():\n    import json\n    return json\n")
    out = _run([sys.executable, "scripts/check_imports.py"], repo)
    assert out.returncode == 1
    assert "import cycle: logistics.core.errors -> logistics.core.options" in out.stdout
    assert "logistics/core/units.py" in out.stdout and "our own module 'logistics.core.errors'" in out.stdout
    assert "logistics/core/costs.py" in out.stdout and "'json' without a comment" in out.stdout


def test_an_oversized_function_or_module_is_reported_unless_it_says_why(tmp_path):
    repo = _copy_tree(tmp_path)
    assert _run([sys.executable, "scripts/check_sizes.py"], repo).returncode == 0
    body = "".join(f"    x{k} = {k}\n" for k in range(130))
    _append(repo / "logistics/core/units.py", f"def _long():\n{body}    return 0\n")
    out = _run([sys.executable, "scripts/check_sizes.py"], repo)
    assert out.returncode == 1 and "function _long has 132 lines" in out.stdout
    _append(repo / "logistics/core/units.py", f"# size: a generated table, one line per entry\ndef _table():\n{body}")
    out = _run([sys.executable, "scripts/check_sizes.py"], repo)
    assert "_table" not in out.stdout and "_long" in out.stdout
    filler = "\n".join(f"# line {k}" for k in range(700))
    _append(repo / "logistics/core/errors.py", filler)
    out = _run([sys.executable, "scripts/check_sizes.py"], repo)
    assert "logistics/core/errors.py:" in out.stdout and "lines (limit" in out.stdout
