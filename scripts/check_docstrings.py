"""Public functions, classes and methods carry numpydoc sections.

The API reference is rendered from docstrings (mkdocstrings, numpy style), so the public API must
say what it takes and what it gives back.  For every module under ``logistics`` and ``networks``:

* a public top-level function (in the module's ``__all__`` when it has one, else a name not
  starting with ``_``) needs a ``Parameters`` section when it takes parameters, and a ``Returns``
  (or ``Yields``) section unless it is annotated ``-> None``;
* a public class needs a ``Parameters`` or an ``Attributes`` section, unless it declares no
  fields and no ``__init__`` (an exception or marker subclass: its docstring says what it means);
* a public method of a public class (a name not starting with ``_``) follows the function rule;
  a property needs only a docstring (its first line is its help), and ``@overload`` stubs and
  property setters/deleters are skipped;
* typer commands (functions decorated ``@<app>.command`` or ``@<app>.callback``) are exempt:
  their docstring is the command's one-line help text.

A section is a title line followed by a line of dashes.  Run by ``make lint``; exits 1 and names
each offender.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("logistics", "networks")
NO_RETURN = {"None", "NoReturn", "Never", "typing.NoReturn", "typing.Never"}
CLI_DECORATORS = {"command", "callback"}

Function = ast.FunctionDef | ast.AsyncFunctionDef


def sections(doc: str) -> set[str]:
    """The numpydoc section titles of a docstring (a title line underlined with dashes)."""
    return set(re.findall(r"^\s*([A-Z][A-Za-z ]+?)\s*\n\s*-{3,}\s*$", doc, flags=re.MULTILINE))


def decorator_names(node: Function | ast.ClassDef) -> list[str]:
    """The decorators' dotted names without call arguments (``app.command(...)`` gives ``app.command``)."""
    names = []
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        names.append(ast.unparse(target))
    return names


def public_names(tree: ast.Module) -> set[str] | None:
    """The module's ``__all__`` as a set, or ``None`` when it has no literal one."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
            try:
                return set(ast.literal_eval(node.value))
            except ValueError:
                return None
    return None


def parameters(node: Function, method: bool) -> list[str]:
    """The parameters a caller passes: ``self``/``cls`` of a non-static method left out."""
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args]
    if method and "staticmethod" not in decorator_names(node) and names:
        names = names[1:]
    names += [a.arg for a in args.kwonlyargs]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names


def function_problems(node: Function, method: bool) -> list[str]:
    """What a function's or method's docstring lacks."""
    doc = ast.get_docstring(node)
    if not doc:
        return ["no docstring"]
    found = sections(doc)
    lacks = []
    if parameters(node, method) and "Parameters" not in found:
        lacks.append("no Parameters section")
    returns = ast.unparse(node.returns) if node.returns is not None else None
    if returns not in NO_RETURN and not found & {"Returns", "Yields"}:
        lacks.append("no Returns section")
    return lacks


def declares_state(node: ast.ClassDef) -> bool:
    """Whether a class has something to document: fields, class constants or its own ``__init__``."""
    for item in node.body:
        if isinstance(item, ast.Assign | ast.AnnAssign):
            return True
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == "__init__":
            return True
    return False


def class_problems(node: ast.ClassDef) -> Iterator[tuple[int, str, str]]:
    """What a class's docstring and its public methods' docstrings lack."""
    doc = ast.get_docstring(node)
    if not doc:
        yield node.lineno, node.name, "no docstring"
    elif declares_state(node) and not sections(doc) & {"Parameters", "Attributes"}:
        yield node.lineno, node.name, "no Parameters or Attributes section"
    for item in node.body:
        if not isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) or item.name.startswith("_"):
            continue
        decorators = decorator_names(item)
        name = f"{node.name}.{item.name}"
        if "overload" in decorators or "typing.overload" in decorators:
            continue
        if any(d.endswith((".setter", ".deleter")) for d in decorators):
            continue
        if any(d in ("property", "functools.cached_property", "cached_property") for d in decorators):
            if not ast.get_docstring(item):
                yield item.lineno, name, "property without a docstring"
            continue
        for lack in function_problems(item, method=True):
            yield item.lineno, name, lack


def module_problems(tree: ast.Module) -> Iterator[tuple[int, str, str]]:
    """Every public top-level function and class of a module that breaks the rule, with why."""
    exported = public_names(tree)
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if node.name.startswith("_") or (exported is not None and node.name not in exported):
            continue
        if isinstance(node, ast.ClassDef):
            yield from class_problems(node)
        elif not any(d.rsplit(".", 1)[-1] in CLI_DECORATORS for d in decorator_names(node) if "." in d):
            for lack in function_problems(node, method=False):
                yield node.lineno, node.name, lack


def offenders() -> list[str]:
    """Every public function, class and method without its numpydoc sections."""
    bad = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            bad += [f"{rel}:{line}: {name}: {why}" for line, name, why in module_problems(tree)]
    return bad


def main() -> int:
    """Print the offenders; 1 if there is any."""
    bad = offenders()
    for b in bad:
        print(b)
    print(f"check_docstrings: {len(bad)} offender(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
