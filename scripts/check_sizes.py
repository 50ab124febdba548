"""Modules under about 600 lines and functions under about 120, unless a comment says why.

A module may go over :data:`MODULE_LINES` and a function over :data:`FUNCTION_LINES` only with a
``# size: <reason>`` comment (in the module's first 30 lines, or on the line above the ``def``).
Run by ``make lint``; exits 1 and names each offender.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("logistics", "networks")
MODULE_LINES = 620  # "about 600": a formatter's line breaks should not decide a split
FUNCTION_LINES = 125  # "about 120"


def offenders() -> list[str]:
    """Every module and function over its size without a ``# size:`` reason."""
    bad = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            rel = path.relative_to(ROOT)
            if len(lines) > MODULE_LINES and not any("# size:" in ln for ln in lines[:30]):
                bad.append(f"{rel}: {len(lines)} lines (limit {MODULE_LINES})")
            for node in ast.walk(ast.parse("\n".join(lines))):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                size = (node.end_lineno or node.lineno) - first + 1
                reason = first >= 2 and "# size:" in lines[first - 2]
                if size > FUNCTION_LINES and not reason:
                    bad.append(f"{rel}:{node.lineno}: function {node.name} has {size} lines (limit {FUNCTION_LINES})")
    return bad


def main() -> int:
    """Print the offenders; 1 if there is any."""
    bad = offenders()
    for b in bad:
        print(b)
    print(f"check_sizes: {len(bad)} offender(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
