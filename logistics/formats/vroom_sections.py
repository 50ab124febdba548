"""Reading VROOM input, first steps: the document's sections, its matrices, places, dimensions and time offset.

Each step raises a [ProblemError][logistics.core.errors.ProblemError] whose field is the JSON path of the
offending value, because a VROOM user fixes their document, not our model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from logistics.formats.vroom_values import (
    JOB_KEYS,
    SHIFT_THRESHOLD,
    SHIPMENT_KEYS,
    STEP_KEYS,
    VEHICLE_KEYS,
    ZONES_BY_DIM,
    _coords,
    _Err,
    _int,
    _matrix,
)

# --------------------------------------------------------------------------- sections of the input


def check_sections(
    raw: dict[str, Any], err: _Err, *, plan_mode: bool = False
) -> tuple[list[Any], list[Any], list[Any], list[str]]:
    """The three arrays checked; VROOM fields that cannot be honoured refused; one note per unknown key.

    A VROOM field is either honoured as VROOM defines it or refused here (or where it is read),
    never dropped: a plan that ignored a ``break`` would look clean and be wrong.  Keys that are not
    VROOM's are skipped, as VROOM skips them, and named in the notes.

    Parameters
    ----------
    raw
        The input document.
    err
        Builds `ProblemError`s that name the document and the JSON path.
    plan_mode
        Plan mode (``-c``): vehicles' ``steps`` describe the routes to evaluate.

    Returns
    -------
    tuple of (list, list, list, list of str)
        ``(jobs, shipments, vehicles, notes)``.

    Raises
    ------
    ProblemError
        ``jobs`` or ``shipments`` is not an array, there are no vehicles, or a vehicle uses
        ``breaks`` in plan mode, or ``steps`` outside plan mode.
    """
    notes: list[str] = []
    jobs = raw.get("jobs", []) or []
    shipments = raw.get("shipments", []) or []
    vehicles = raw.get("vehicles")
    for key, val in (("jobs", jobs), ("shipments", shipments)):
        if not isinstance(val, list):
            raise err(key, "expected an array")
    if not isinstance(vehicles, list) or not vehicles:
        raise err("vehicles", "expected a non-empty array of vehicles")
    for key in sorted(set(raw) - {"jobs", "shipments", "vehicles", "matrices", "matrix"}):
        notes.append(f"top-level key {key!r} is not a VROOM key and was skipped")
    for i, v in enumerate(vehicles):
        if not isinstance(v, dict):
            continue
        if v.get("breaks") and plan_mode:
            raise err(f"vehicles[{i}].breaks", "breaks are not supported in plan mode (-c); remove them")
        if v.get("steps") and not plan_mode:
            raise err(
                f"vehicles[{i}].steps",
                "steps are supported in plan mode (-c) only; starting the search from given routes is not",
            )

    unknown: dict[str, None] = {}
    for section, items, known in (
        ("jobs", jobs, JOB_KEYS),
        ("shipments", shipments, SHIPMENT_KEYS),
        ("vehicles", vehicles, VEHICLE_KEYS),
    ):
        for item in items:
            if isinstance(item, dict):
                for key in item:
                    if key not in known:
                        unknown.setdefault(f"{section}[].{key}")
    for s in shipments:
        for step in ("pickup", "delivery"):
            if isinstance(s, dict) and isinstance(s.get(step), dict):
                for key in s[step]:
                    if key not in STEP_KEYS:
                        unknown.setdefault(f"shipments[].{step}.{key}")
    notes.extend(f"{k} is not a VROOM key and was skipped" for k in unknown)
    return jobs, shipments, vehicles, notes


def read_matrices(raw: dict[str, Any], vehicles: list[Any], err: _Err) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(durations, distances)`` from ``matrices`` (one routing profile) or the legacy ``matrix``.

    Parameters
    ----------
    raw
        The input document.
    vehicles
        The ``vehicles`` array (their ``profile`` picks the matrices).
    err
        Builds `ProblemError`s that name the document and the JSON path.

    Returns
    -------
    tuple of (numpy.ndarray or None, numpy.ndarray or None)
        Durations (seconds) and distances (metres); both ``None`` when places are given by
        coordinates only.

    Raises
    ------
    ProblemError
        A profile has no matrix, profiles disagree, a cost matrix is given, or a matrix is not
        square and numeric.
    """
    profiles = {str(v.get("profile", "car")) if isinstance(v, dict) else "car" for v in vehicles}
    durations = distances = None
    if "matrices" in raw:
        mats = raw["matrices"]
        if not isinstance(mats, dict) or not mats:
            raise err("matrices", "expected an object {profile: {durations, distances}}")
        missing = sorted(p for p in profiles if p not in mats)
        if missing:
            raise err("matrices", f"no matrix for profile {missing[0]!r}")
        used = [mats[p] for p in sorted(profiles)]
        if len(used) > 1 and any(
            json.dumps(u, sort_keys=True) != json.dumps(used[0], sort_keys=True) for u in used[1:]
        ):
            raise err(
                "vehicles",
                "vehicles use several routing profiles with different matrices; only one profile is supported",
            )
        prof = sorted(profiles)[0]
        block = mats[prof]
        if not isinstance(block, dict):
            raise err(f"matrices.{prof}", "expected {durations, distances}")
        if "costs" in block:
            raise err(f"matrices.{prof}.costs", "cost matrices are not supported; give durations (and distances)")
        if "durations" in block:
            durations = _matrix(block["durations"], err, f"matrices.{prof}.durations")
        if "distances" in block:
            distances = _matrix(block["distances"], err, f"matrices.{prof}.distances")
        if durations is None and distances is None:
            raise err(f"matrices.{prof}", "needs durations (and optionally distances)")
    elif "matrix" in raw:
        durations = _matrix(raw["matrix"], err, "matrix")
    if durations is None and distances is not None:
        raise err("matrices", "durations are required when distances are given")
    if distances is not None and durations is not None and distances.shape != durations.shape:
        raise err("matrices", f"distances {distances.shape} and durations {durations.shape} differ in size")
    return durations, distances


@dataclass
class Places:
    """Node ids of the places the input names: ``i<k>`` for matrix indices, else ``lon,lat``.

    Parameters
    ----------
    err
        Builds errors that name the field.
    size
        Side of the given matrix; 0 when places are coordinates (no matrix).
    """

    err: _Err
    size: int
    coords: dict[str, tuple[float, float]] = field(default_factory=dict)
    places: dict[str, tuple[float, float] | None] = field(default_factory=dict)
    display: dict[str, list[float]] = field(default_factory=dict)

    @property
    def use_index(self) -> bool:
        """Whether places are matrix indices (a matrix was given)."""
        return self.size > 0

    def place(self, obj: dict[str, Any], path: str, loc_key: str, idx_key: str, required: bool = True) -> str | None:
        """The node id of ``obj``'s place (``None`` when optional and absent).

        Parameters
        ----------
        obj
            A job, shipment step or vehicle.
        path
            Its JSON path, for errors.
        loc_key
            Key of its coordinates (``location``, ``start``, ``end``).
        idx_key
            Key of its matrix index (``location_index``, ``start_index``, ``end_index``).
        required
            Whether the place must be given.

        Returns
        -------
        str or None
            ``i<k>`` for matrix index ``k``, or ``"lon,lat"`` (6 decimals) without a matrix.

        Raises
        ------
        ProblemError
            The place is missing when required, or the index is outside the matrix.
        """
        err = self.err
        has_idx, has_loc = idx_key in obj, loc_key in obj
        if self.use_index:
            if not has_idx:
                if not required and not has_loc:
                    return None
                raise err(f"{path}.{idx_key}", "required when a matrix is given")
            k = _int(obj[idx_key], err, f"{path}.{idx_key}")
            if k >= self.size:
                raise err(f"{path}.{idx_key}", f"{k} is outside the {self.size}x{self.size} matrix")
            nid = f"i{k}"
            if has_loc:  # display only: echoed in the output; a map gets it when it is a [lon, lat] pair
                xy = _coords(obj[loc_key], err, f"{path}.{loc_key}", display_only=True)
                self.display[nid] = list(obj[loc_key])
                if -180 <= xy[0] <= 180 and -90 <= xy[1] <= 90:
                    self.coords[nid] = xy
            self.places.setdefault(nid, None)
            return nid
        if not has_loc:
            if not required:
                return None
            raise err(f"{path}.{loc_key}", "required when no matrix is given")
        lon, lat = _coords(obj[loc_key], err, f"{path}.{loc_key}")
        nid = f"{lon:.6f},{lat:.6f}"
        self.coords[nid] = (lon, lat)
        self.display[nid] = list(obj[loc_key])
        self.places[nid] = (lon, lat)
        return nid


def _amount_len(obj: Any, key: str) -> int | None:
    return len(obj[key]) if isinstance(obj, dict) and isinstance(obj.get(key), list) else None


def dimensions(jobs: list[Any], shipments: list[Any], vehicles: list[Any], err: _Err) -> int:
    """The one length of every amount array (0 when there are none); one zone per dimension.

    Parameters
    ----------
    jobs
        The ``jobs`` array.
    shipments
        The ``shipments`` array.
    vehicles
        The ``vehicles`` array.
    err
        Builds `ProblemError`s that name the document and the JSON path.

    Returns
    -------
    int
        The number of amount dimensions.

    Raises
    ------
    ProblemError
        The arrays have different lengths, or more dimensions than `ZONES_BY_DIM` has zones.
    """
    lens = {n for j in jobs for k in ("delivery", "pickup", "amount") for n in [_amount_len(j, k)] if n is not None}
    lens |= {n for s in shipments for n in [_amount_len(s, "amount")] if n is not None}
    lens |= {n for v in vehicles for n in [_amount_len(v, "capacity")] if n is not None}
    if len(lens) > 1:
        raise err("vehicles", f"amount arrays have different lengths ({sorted(lens)}); VROOM needs one length")
    dims = lens.pop() if lens else 0
    if dims > len(ZONES_BY_DIM):
        raise err("vehicles", f"{dims} capacity dimensions; at most {len(ZONES_BY_DIM)} are supported")
    return dims


def _is_window(w: Any) -> bool:
    return isinstance(w, list) and len(w) == 2 and all(isinstance(x, (int, float)) for x in w)


def time_offset(jobs: list[Any], shipments: list[Any], vehicles: list[Any]) -> int:
    """Seconds to subtract from every time, so the solver's horizon starts near zero.

    Parameters
    ----------
    jobs
        The ``jobs`` array.
    shipments
        The ``shipments`` array.
    vehicles
        The ``vehicles`` array.

    Returns
    -------
    int
        The earliest window start when times look like timestamps (beyond
        `SHIFT_THRESHOLD`), else 0.
    """
    windows: list[Any] = []
    for j in jobs:
        windows += (j.get("time_windows") or []) if isinstance(j, dict) else []
    for s in shipments:
        for step in ("pickup", "delivery"):
            st = s.get(step) if isinstance(s, dict) else None
            windows += (st.get("time_windows") or []) if isinstance(st, dict) else []
    windows += [v.get("time_window") if isinstance(v, dict) else None for v in vehicles]
    good = [w for w in windows if _is_window(w)]
    if good and max(w[1] for w in good) > SHIFT_THRESHOLD:
        return int(min(w[0] for w in good))
    return 0
