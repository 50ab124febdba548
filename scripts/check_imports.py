"""Import rules the import contract cannot express: no cycles, and no function-local imports without a reason.

* No import cycles between modules of ``logistics`` and ``networks`` (a package's ``__init__``
  importing its own children does not count).
* A function-local import is allowed only for a third-party module (deferring a heavy or optional
  dependency) and must say why in a comment on its line or the line above.  Our own modules are
  always imported at the top: a local import of one is how cycles hide.

Run by ``make lint``; exits 1 and names each offence.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp
import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("logistics", "networks")


def cycles() -> list[list[str]]:
    graph = grimp.build_graph(*PACKAGES)
    g = nx.DiGraph()
    for mod in graph.modules:
        for dep in graph.find_modules_directly_imported_by(mod):
            if mod.startswith(dep + ".") and Path(*dep.split(".")).is_dir():
                continue  # a module importing its own package's __init__ (the public face)
            if dep.startswith(mod + "."):
                continue  # a package's __init__ importing its children
            g.add_edge(mod, dep)
    return [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]


def local_imports() -> list[str]:
    bad = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            tree = ast.parse("\n".join(lines))
            for fn in ast.walk(tree):
                if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in ast.walk(fn):
                    if not isinstance(node, (ast.Import, ast.ImportFrom)):
                        continue
                    names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    relative = isinstance(node, ast.ImportFrom) and node.level > 0
                    if relative or any(n.split(".")[0] in PACKAGES for n in names):
                        bad.append(f"{where}: function-local import of our own module {names[0]!r}")
                        continue
                    said = "#" in lines[node.lineno - 1] or lines[node.lineno - 2].strip().startswith("#")
                    if not said:
                        bad.append(f"{where}: function-local import of {names[0]!r} without a comment saying why")
    return sorted(set(bad))


def main() -> int:
    """Print every cycle and every unexplained function-local import; 1 if there is any."""
    problems = [f"import cycle: {' -> '.join(c)}" for c in cycles()] + local_imports()
    for p in problems:
        print(p)
    print(f"check_imports: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
