"""VROOM's own search as a starting point in VROOM mode: pyvroom's routes seed the portfolio.

A VROOM input that VROOM can solve by itself (every vehicle profile has a duration matrix, so no
routing server is needed) is first solved by VROOM (pyvroom, exploration level 5); its routes
become the warm start of [logistics.engine.solve.solve][] (``initial``).  With shipments, VROOM
gets ``VROOM_START_SHARE`` of the time limit and PyVRP's search starts from its routes (PyVRP's
pickup-and-delivery search trails VROOM's at 5 s); without, VROOM gets ``VROOM_RIVAL_SHARE``, PyVRP
searches from scratch for ``VROOM_RESTART_SHARE`` of its time and then again from the cheaper of its
routes and VROOM's (`start_mode`).  OR-Tools' model reads the winner, so every
constraint is checked by our own model and the plan goes through the same validator as any other.
With ``iterations`` set (a reproducible run) the stage is skipped, as VROOM's search is bounded by
time only.
"""

from __future__ import annotations

import datetime
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from logistics.core.options import SolveOptions
from logistics.core.shares import VROOM_RESTART_SHARE, VROOM_RIVAL_SHARE, VROOM_START_SHARE
from logistics.formats.vroom import VroomInput

__all__ = ["VROOM_EXPLORATION", "VroomStart", "expressible", "start_mode", "vroom_start"]

#: VROOM's exploration level for the start (its command line's default, ``-x 5``).
VROOM_EXPLORATION = 5


@dataclass
class VroomStart:
    """VROOM's routes in the shape `solve`'s ``initial`` reads (a plan's stops frame).

    Parameters
    ----------
    stops
        ``vehicle`` (our vehicle id), ``seq`` and ``order_id`` per task VROOM assigned.
    improve
        `solve`'s ``warm_pyvrp`` (`start_mode`): True, PyVRP's search starts from these routes;
        a share, PyVRP searches from scratch for that share of its time, then from the cheaper of
        its routes and these.
    """

    stops: pd.DataFrame
    improve: bool | float = True


def expressible(vin: VroomInput) -> bool:
    """Whether VROOM can solve ``vin`` as it is: a duration matrix for every vehicle profile.

    Inputs given by coordinates alone need a routing server for VROOM (coldroute estimates travel
    from the coordinates instead), so they get no VROOM start.

    Parameters
    ----------
    vin
        The VROOM input read.

    Returns
    -------
    bool
    """
    raw = vin.raw
    matrices = raw.get("matrices")
    if not isinstance(matrices, dict) or not raw.get("vehicles"):
        return False
    profiles = {v.get("profile", "car") for v in raw["vehicles"] if isinstance(v, dict)}
    return all(isinstance(matrices.get(p), dict) and "durations" in matrices[p] for p in profiles)


def start_mode(vin: VroomInput) -> bool | float:
    """How PyVRP uses VROOM's routes (`solve`'s ``warm_pyvrp``): improve them, or restart from the cheaper.

    With shipments PyVRP's search starts from VROOM's routes (its pickup-and-delivery search
    trails VROOM's at 5 s).  Jobs only, PyVRP searches from scratch for ``VROOM_RESTART_SHARE`` of
    its time, then again from the cheaper of its own routes and VROOM's: on Solomon R2/RC2 its own
    lead (few long routes, where VROOM's are 5-20 % costlier), on R1/RC1 VROOM's often do.

    Parameters
    ----------
    vin
        The VROOM input read.

    Returns
    -------
    bool or float
        True, or the share of PyVRP's time searched from scratch.
    """
    if any(t.get("type") == "pickup" for t in vin.tasks.values()):
        return True
    return VROOM_RESTART_SHARE


def vroom_start(vin: VroomInput, options: SolveOptions) -> tuple[VroomStart | None, dict[str, Any]]:
    """VROOM's routes for ``vin`` within its share of the time limit, as a warm start.

    Parameters
    ----------
    vin
        The VROOM input read.
    options
        The run's options: ``time_limit`` bounds VROOM's search, ``workers`` its threads (one
        when None); a run with ``iterations`` gets no start.

    Returns
    -------
    tuple
        VROOM's routes (what `solve`'s ``initial`` reads) or None, and what happened
        (``vroom_start``: ``improved`` or ``restart``, or why it was skipped; ``vroom_start_s``; ``vroom_start_cost``:
        VROOM's own cost of its routes).
    """
    if options.iterations is not None:
        return None, {"vroom_start": "skipped: iteration-bound run"}
    if not expressible(vin):
        return None, {"vroom_start": "skipped: no duration matrix for every profile"}
    improve = start_mode(vin)
    share = VROOM_START_SHARE if improve is True else VROOM_RIVAL_SHARE
    t0 = time.perf_counter()
    try:
        out = _solve(vin.raw, share * options.time_limit, max(1, options.workers or 1))
    except Exception as e:  # VROOM refusing the input leaves the search to our own engines
        return None, {"vroom_start": f"skipped: VROOM failed ({type(e).__name__})"}
    meta = {"vroom_start_s": round(time.perf_counter() - t0, 4), "vroom_start_cost": out["summary"]["cost"]}
    return VroomStart(_stops(vin, out), improve), meta | {"vroom_start": "improved" if improve is True else "restart"}


def _solve(doc: dict[str, Any], seconds: float, threads: int) -> dict[str, Any]:
    """VROOM's output document for ``doc`` (pyvroom), within ``seconds``."""
    # deferred: pyvroom loads VROOM's library; only VROOM mode needs it
    import vroom

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "input.json"
        f.write_text(json.dumps(doc), encoding="utf-8")
        inp = vroom.Input.from_json(f)
        sol = inp.solve(
            exploration_level=VROOM_EXPLORATION, nb_threads=threads, timeout=datetime.timedelta(seconds=seconds)
        )
        out: dict[str, Any] = sol.to_dict()
        return out


def _stops(vin: VroomInput, out: dict[str, Any]) -> pd.DataFrame:
    """VROOM's routes as a stops frame of our vehicle and order ids (tasks we do not know are left out)."""
    order_of = {(t["type"], t["id"]): oid for oid, t in vin.tasks.items()}
    vehicle_of = {v["id"]: f"{name}#1" for name, v in vin.vehicles.items()}
    rows = []
    for r in out.get("routes", []):
        vid = vehicle_of.get(r.get("vehicle"))
        steps = [order_of.get((s.get("type"), s.get("id"))) for s in r.get("steps", [])]
        for k, oid in enumerate(o for o in steps if o is not None):
            rows.append({"vehicle": vid, "seq": k, "order_id": oid})
    return pd.DataFrame(rows, columns=["vehicle", "seq", "order_id"])
