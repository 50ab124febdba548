"""The docstring check passes on the tree, and reports an undocumented public function or method."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _copy_tree(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "static", "data", "schemas")
    for name in ("logistics", "networks", "scripts"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def _check(repo: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(repo), "HOME": str(repo)}
    return subprocess.run(
        [sys.executable, "scripts/check_docstrings.py"], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + text + "\n", encoding="utf-8")


def test_the_tree_passes(tmp_path):
    out = _check(_copy_tree(tmp_path))
    assert out.returncode == 0, out.stdout
    assert "0 offender(s)" in out.stdout


def test_an_undocumented_public_function_is_reported(tmp_path):
    repo = _copy_tree(tmp_path)
    _append(repo / "networks/geo.py", 'def spare_metres(a: float) -> float:\n    """Metres left."""\n    return a\n')
    _append(repo / "logistics/core/units.py", "def _private(a: float) -> float:\n    return a\n")
    out = _check(repo)
    assert out.returncode == 1
    assert "networks/geo.py" in out.stdout and "spare_metres: no Parameters section" in out.stdout
    assert "spare_metres: no Returns section" in out.stdout
    assert "_private" not in out.stdout


def test_a_method_without_sections_and_a_class_without_attributes_are_reported(tmp_path):
    repo = _copy_tree(tmp_path)
    cls = (
        "class Depot:\n"
        '    """A depot."""\n\n'
        "    name: str\n\n"
        "    def distance_to(self, other: str) -> float:\n"
        '        """Metres to another depot."""\n'
        "        return 0.0\n\n"
        "    @property\n"
        "    def label(self) -> str:\n"
        "        return self.name\n"
    )
    _append(repo / "networks/geo.py", cls)
    out = _check(repo)
    assert out.returncode == 1
    assert "Depot: no Parameters or Attributes section" in out.stdout
    assert "Depot.distance_to: no Parameters section" in out.stdout
    assert "Depot.label: property without a docstring" in out.stdout
