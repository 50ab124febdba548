"""Scenarios side by side: the KPIs of several plans (or finished job folders) in one frame.

Analysts compare a day planned several ways (fleet mixes, cost parameters,
engines, shared or separate carrier runs).  [compare][logistics.app.compare.compare] takes plans,
``kpis`` mappings or result folders written by ``coldroute solve``/``batch``
and returns one row per scenario with the KPIs as columns and, against a
baseline scenario, the change of the headline figures in percent.  Frames
out, so the rest is pandas: sort, plot, ``to_csv``.  A tiered run's folder has the day's
totals at the top of its ``kpis.json`` (compared like any run's) and per-tier figures, which
become columns such as ``tiers.trunk.cost``.

A plan that leaves required orders unserved saves their cost by not doing the work: it is
never ranked as cheaper.  Every row counts its required orders left unserved, adds their
penalties (where the orders carry one) to ``total_cost``, and is flagged; the ``rank`` puts
plans that serve every required order first.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from logistics.app.batch import SUMMARY, unique_names
from logistics.core.errors import ProblemError

__all__ = ["HEADLINE", "compare", "result_folders", "scenario_names"]

#: KPIs given first, and compared against the baseline (change in percent).
HEADLINE = (
    "cost",
    "distance_km",
    "duration_h",
    "vehicles",
    "served",
    "unserved",
    "required_unserved",
    "penalty_cost",
    "total_cost",
    "co2_kg",
    "refrigeration_cost",
    "quality_loss",
    "window_cost",
)


def scenario_names(paths) -> list[str]:
    """Scenario names for result folders: their folder names, made unique (``name``, ``name-2``, ...).

    Parameters
    ----------
    paths
        Result folders (strings or paths).

    Returns
    -------
    list of str
        One name per folder, in input order.
    """

    return unique_names(Path(p).resolve().name or str(p) for p in paths)


def result_folders(paths) -> tuple[dict[str, Path], list[str]]:
    """Scenarios from result folders, a batch's output folder standing for all its jobs.

    A folder with ``kpis.json`` is one scenario (named after the folder); a
    folder with a batch summary (``batch.json``) and no ``kpis.json`` stands
    for its jobs' result folders, in the batch's order.

    Parameters
    ----------
    paths
        Result folders and batch output folders.

    Returns
    -------
    tuple of (dict of str to Path, list of str)
        The scenarios (name → folder) and, in words, the batch jobs that have no results to
        compare (failed ones), so that the caller can say so rather than drop them unseen.

    Raises
    ------
    ProblemError
        A batch summary is not readable (field ``source``).
    """

    found: list[Path] = []
    missing: list[str] = []
    for p in paths:
        path = Path(p)
        summary = path / SUMMARY
        if path.is_dir() and not (path / "kpis.json").exists() and summary.is_file():
            try:
                jobs = json.loads(summary.read_text(encoding="utf-8")).get("jobs", [])
            except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as e:
                raise ProblemError(
                    f"batch summary {str(summary)!r} is not readable: {e}", record=str(path), field="source"
                ) from None
            for job in jobs:
                folder = path / str(job.get("name", ""))
                if (folder / "kpis.json").is_file():
                    found.append(folder)
                else:
                    missing.append(f"{job.get('name')} ({job.get('status')}: {job.get('error') or 'no results'})")
        else:
            found.append(path)
    return dict(zip(scenario_names(found), found)), missing


def _flat(kpis: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested sections (a tiered run's ``tiers``) as ``tiers.trunk.cost`` columns; lists are left out."""
    out: dict[str, Any] = {}
    for k, v in kpis.items():
        if isinstance(v, Mapping):
            out |= _flat(v, f"{prefix}{k}.")
        elif not isinstance(v, (list, tuple)):
            out[f"{prefix}{k}"] = v
    return out


def _kpis_of(name: str, source: Any) -> dict[str, Any]:
    """A scenario's KPI mapping from a Plan, a TieredPlan, a mapping or a result folder."""
    return _flat(_read_kpis(name, source))


def _read_kpis(name: str, source: Any) -> Mapping[str, Any]:
    kpis = getattr(source, "kpis", None)
    if isinstance(kpis, Mapping):
        out = dict(kpis)
        if "required_unserved" not in out and hasattr(source, "orders") and hasattr(source, "unserved"):
            required = {o.id for o in source.orders if o.required}  # a tiered plan keeps its orders
            out["required_unserved"] = sum(1 for i in source.unserved["order_id"] if str(i) in required)
        return out
    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        f = path / "kpis.json" if path.is_dir() else path
        if f.name != "kpis.json" or not f.is_file():
            raise ProblemError(
                f"scenario {name!r}: no kpis.json at {str(f)!r} (is it a finished result folder?)",
                record=name,
                field="source",
            )
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ProblemError(
                f"scenario {name!r}: {str(f)!r} is not readable JSON: {e}", record=name, field="source"
            ) from None
        if not isinstance(data, Mapping):
            raise ProblemError(f"scenario {name!r}: {str(f)!r} holds no KPI object", record=name, field="source")
        out = dict(data)
        if "required_unserved" not in out:  # written before the KPIs counted them: the validation record does
            out["required_unserved"] = _recorded_required_unserved(f.parent)
        return out
    raise ProblemError(
        f"scenario {name!r}: expected a Plan, a KPI mapping or a result folder, got {type(source).__name__}",
        record=name,
        field="source",
    )


def _recorded_required_unserved(folder: Path) -> Any:
    """Required orders left unserved, from a result folder's ``validation.json`` (``None`` if unknown)."""
    try:
        value = json.loads((folder / "validation.json").read_text(encoding="utf-8")).get("required_unserved")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f if math.isfinite(f) else math.nan


def required_flags(kpis: Mapping[str, Any]) -> tuple[float, float, str]:
    """Required orders a plan leaves unserved, its total cost with their penalties, and the flag to show.

    Parameters
    ----------
    kpis
        A plan's KPIs: ``cost``, ``unserved``, ``required_unserved`` and
        ``required_penalty_cost`` (penalties written on required orders left unserved).

    Returns
    -------
    tuple of (float, float, str)
        ``required_unserved`` (NaN when unknown: KPIs from elsewhere that only count unserved
        orders), ``total_cost`` (``cost`` plus the required orders' penalties) and the flag:
        ``""`` for a plan that serves every required order, else why its cost is not comparable.
    """
    req = _number(kpis.get("required_unserved"))
    if math.isnan(req) and _number(kpis.get("unserved")) == 0:
        req = 0.0
    total = _number(kpis.get("cost")) + (_number(kpis.get("required_penalty_cost")) if req else 0.0)
    if math.isnan(total):
        total = _number(kpis.get("cost"))
    if math.isnan(req):
        flag = f"{int(_number(kpis.get('unserved')) or 0)} unserved, required or not unknown"
    elif req > 0:
        flag = f"leaves {int(req)} required order{'s' if req != 1 else ''} unserved"
    else:
        flag = ""
    return req, total, flag


def _change_pct(value: Any, base: Any) -> float:
    try:
        v, b = float(value), float(base)
    except (TypeError, ValueError):
        return math.nan
    if not (math.isfinite(v) and math.isfinite(b)):
        return math.nan
    if b == 0:
        return 0.0 if v == 0 else math.nan
    return round(100.0 * (v - b) / abs(b), 3)


def compare(scenarios: Mapping[str, Any], baseline: str | None = None) -> pd.DataFrame:
    """One row per scenario, KPIs as columns, and ``<kpi>_change_pct`` against ``baseline``.

    A change is NaN where the baseline's figure is 0 and the scenario's is not, or either is
    missing.

    Parameters
    ----------
    scenarios
        Name → a ``Plan`` (or ``TieredPlan``), a KPI mapping or a result folder (its
        ``kpis.json``).
    baseline
        Name of the scenario the changes are measured against; defaults to the first.  Its
        own changes are 0.

    Returns
    -------
    pandas.DataFrame
        Index: scenario names.  Columns: the [HEADLINE][logistics.app.compare.HEADLINE] KPIs
        present (``required_unserved`` and ``total_cost``, the cost plus the penalties of
        required orders left unserved, always), then the other KPIs in the order first seen,
        ``flag`` (why a plan's cost is not comparable: it leaves required orders unserved, or
        it is unknown whether it does), ``rank`` (1 = cheapest ``total_cost`` among the
        plans that serve every required order; flagged plans rank after all of them), then the
        changes (per cent).  ``attrs["flagged"]`` lists the flagged scenarios.

    Raises
    ------
    ProblemError
        ``scenarios`` is empty or not a mapping, ``baseline`` is not one of them, or a scenario
        cannot be read.
    """
    if not isinstance(scenarios, Mapping) or not scenarios:
        raise ProblemError("compare needs a non-empty mapping of scenario name to plan", field="scenarios")
    names = [str(k) for k in scenarios]
    if baseline is None:
        baseline = names[0]
    if baseline not in names:
        raise ProblemError(
            f"baseline {baseline!r} is not one of the scenarios ({', '.join(names)})", record=baseline, field="baseline"
        )
    rows = {str(k): _kpis_of(str(k), v) for k, v in scenarios.items()}
    flags: dict[str, str] = {}
    for n, kp in rows.items():
        req, total, flags[n] = required_flags(kp)
        kp["required_unserved"], kp["total_cost"] = req, total
    seen: dict[str, None] = {}
    for kp in rows.values():
        for key in kp:
            seen.setdefault(key)
    columns = [k for k in HEADLINE if k in seen] + [k for k in seen if k not in HEADLINE]
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns)
    frame.index.name = "scenario"
    frame["flag"] = [flags[n] for n in frame.index]
    order = sorted(frame.index, key=lambda n: (flags[n] != "", _sort_cost(rows[n]["total_cost"]), names.index(n)))
    frame["rank"] = [order.index(n) + 1 for n in frame.index]
    base = rows[baseline]
    for k in HEADLINE:
        if k in seen:
            frame[f"{k}_change_pct"] = [_change_pct(rows[n].get(k), base.get(k)) for n in frame.index]
    frame.attrs["baseline"] = baseline
    frame.attrs["flagged"] = [n for n in frame.index if flags[n]]
    return frame


def _sort_cost(v: float) -> float:
    return math.inf if math.isnan(v) else v
