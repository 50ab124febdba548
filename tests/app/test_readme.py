"""The README's Python examples run as written (so the front page never rots)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples():
    assert len(python_blocks()) >= 2


def test_readme_python_examples_run_in_order(tmp_path, monkeypatch):
    import logistics

    monkeypatch.chdir(tmp_path)  # files the examples write land here
    namespace: dict = {}
    for k, block in enumerate(python_blocks()):
        try:
            exec(compile(block, f"README.md python block {k}", "exec"), namespace)
        except Exception as e:
            pytest.fail(f"README python block {k} failed: {type(e).__name__}: {e}\n{block}")
        if "plan" in block:  # every plan an example makes passes the independent validator
            plan, problem = namespace["plan"], namespace["problem"]
            assert isinstance(plan, logistics.Plan) and isinstance(problem, logistics.Problem)
            assert logistics.validate(problem, plan) == [], f"README python block {k}"
    assert "o1" in set(namespace["plan"].stops["order_id"].dropna())  # the custom problem's order is served
    assert (tmp_path / "plan.geojson").is_file()
