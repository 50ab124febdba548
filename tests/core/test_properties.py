"""Property-based tests: random problems, degenerate ones included, never crash the pipeline.

Every generated problem either is rejected with a ProblemError / NetworkError whose
``record`` and ``field`` name the offending input, or solves (short limits,
``iterations`` set) to a plan that the independent validator accepts and that
accounts for every order exactly once.

Problems are drawn as plain dict specs (so a failing example prints readably)
and built by :func:`build`.  ``bad`` is the denominator of the chance that a
field is corrupted (NaN, negative, out of range, unknown reference, wrong type);
``bad=0`` draws only well-formed fields.

The number of generated cases is reported as a ``CaseCount`` warning, which
pytest prints in its warnings summary (also under ``-n 2``).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import warnings
from collections import Counter

import geopandas as gpd
import numpy as np
import pytest
from case_count import CaseCount
from helpers import check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

import logistics as L
import networks
from logistics.check.validator import validate
from networks.errors import NetworkError

ZONES = ("frozen", "chilled", "fresh", "ambient")
DAY = 86_400
# Hypothesis favours the first and last elements of a sampled list: the rare values sit in the middle.
QUANTITIES = (5.0, 0.0, 0.5, 1.0, 20.0, 90.0, 400.0, 1.0, 5.0, 20.0, 90.0, 400.0, 5.0)
HUGE_QUANTITIES = (5.0, 1.0, 1e7, 20.0, 1e9, 0.5, 1e12, 90.0, 400.0, 20.0, 5.0)  # 1e12 is the largest accepted
CAPACITIES = (40.0, 0.0, 1.0, 10.0, 1e7, 40.0, 100.0, 1e9, 1000.0, 1e12, 100.0)


COUNTS: Counter = Counter()


def report(test: str, **counts: int) -> None:
    text = ", ".join(f"{k}={v}" for k, v in counts.items())
    warnings.warn(CaseCount(f"{test}: {sum(counts.values())} generated cases ({text})"), stacklevel=1)


# --------------------------------------------------------------------------- strategies


_STRATEGIES: dict = {}


def pick(draw, values):
    """Draw one of ``values`` (strategies are cached: building them anew per draw is slow)."""
    values = tuple(values)
    try:
        s = _STRATEGIES.get(("pick", values))
    except TypeError:  # unhashable values (dicts)
        return draw(st.sampled_from(values))
    if s is None:
        s = _STRATEGIES[("pick", values)] = st.sampled_from(values)
    return draw(s)


def num(draw, bounds: tuple[int, int]) -> int:
    s = _STRATEGIES.get(("num", bounds))
    if s is None:
        s = _STRATEGIES[("num", bounds)] = st.integers(*bounds)
    return draw(s)


def _maybe(draw, bad: int) -> bool:
    """True with probability about 1/bad (never when bad == 0).

    Hypothesis favours the ends of a range, so the middle value is the rare one.
    """
    return bad > 0 and num(draw, (0, bad - 1)) == bad // 2


BOOL = st.booleans()


@st.composite
def spec_products(draw, bad: int):
    n = num(draw, (1, 3))
    out = []
    for k in range(n):
        p = {"name": f"p{k}", "zone": pick(draw, (ZONES))}
        if draw(BOOL):
            p["shelf_life_h"] = pick(draw, ([0.05, 0.5, 2.0, 8.0, 48.0]))
        if draw(BOOL):
            p["value"] = pick(draw, ([0.0, 1.5, 20.0, 400.0, 1e6, 1e5]))  # 1e6 yuan per unit: the largest accepted
        if draw(BOOL):
            p["decay_per_h"] = pick(draw, ([0.0, 0.001, 0.05, 100.0]))  # 100 per hour: the largest accepted
        if _maybe(draw, bad):
            f = pick(draw, (["zone", "shelf_life_h", "value", "decay_per_h", "carriers", "name"]))
            p[f] = {
                "zone": "lukewarm",
                "shelf_life_h": 0.0,
                "value": pick(draw, ([-3.0, math.inf, 1e300, 1e7])),
                "decay_per_h": pick(draw, ([math.nan, math.inf, 1e6])),
                "carriers": ("ambient",) if p["zone"] == "frozen" else ("tepid",),
                "name": "",
            }[f]
        out.append(p)
    return out


@st.composite
def spec_fleet(draw, depots: list[str], bad: int, all_zones_first: bool = False):
    n = num(draw, (1, 3))
    out = []
    for k in range(n):
        if all_zones_first and k == 0:
            comps = [{"zone": z, "capacity": 1000.0} for z in ZONES]
            count = num(draw, (1, 3))
        else:
            nc = num(draw, (1, 3))
            comps = []
            for j in range(nc):
                c = {"zone": pick(draw, (ZONES)), "capacity": pick(draw, CAPACITIES)}
                c["name"] = f"c{j}" if num(draw, (0, 9)) else None  # None: zone name, may clash
                comps.append(c)
            count = num(draw, (0, 3))
        vt = {"name": f"t{k}", "count": count, "compartments": comps, "start_depot": pick(draw, (depots))}
        if draw(BOOL):
            vt["end_depot"] = pick(draw, (depots))
        if num(draw, (0, 3)) == 0 and not (all_zones_first and k == 0):
            vt["total_capacity"] = pick(draw, ([0.0, 5.0, 50.0, 500.0]))
        a = pick(draw, ([0, 6 * 3600, 8 * 3600]))
        b = pick(draw, ([a, a + 1800, a + 4 * 3600, DAY, 2 * DAY]))
        vt["shift"] = (a, b)
        if num(draw, (0, 3)) == 0:
            vt["max_duration"] = pick(draw, ([0, 600, 3600, 8 * 3600]))
        if num(draw, (0, 3)) == 0:
            vt["max_distance"] = pick(draw, ([0, 2000, 20_000, 200_000]))
        vt["speed_factor"] = pick(draw, ([1.0, 0.5, 1.3, 3.0]))
        vt["fixed_cost"] = pick(draw, ([0.0, 50.0, 500.0, 1e12]))
        vt["cost_per_km"] = pick(draw, ([0.0, 1.0, 3.5, 1e9, 1e300]))
        vt["cost_per_hour"] = pick(draw, ([0.0, 30.0, 1e300]))
        if _maybe(draw, bad):
            f = pick(
                draw,
                (
                    [
                        "count",
                        "compartments",
                        "start_depot",
                        "end_depot",
                        "total_capacity",
                        "shift",
                        "max_duration",
                        "speed_factor",
                        "fixed_cost",
                        "capacity",
                        "zone",
                        "name",
                        "cost_per_km",
                    ]
                ),
            )
            if f == "capacity":
                comps[0]["capacity"] = pick(draw, ([-1.0, math.nan, math.inf, 1e15, "big"]))
            elif f == "zone":
                comps[0]["zone"] = "tepid"
            else:
                vt[f] = {
                    "count": pick(draw, ([-1, 1.5, "2"])),
                    "compartments": [],
                    "start_depot": "nowhere",
                    "end_depot": "nowhere",
                    "total_capacity": math.nan,
                    "shift": pick(draw, ([(DAY, 0), ("25:99", 0), (math.nan, 10)])),
                    "max_duration": -5,
                    "speed_factor": pick(draw, ([0.0, -1.0, math.inf])),
                    "fixed_cost": math.nan,
                    "name": "",
                    "cost_per_km": -1.0,
                }[f]
        out.append(vt)
    return out


@st.composite
def spec_windows(draw, bad: int):
    k = num(draw, (1, 3))
    wins, t = [], pick(draw, ([0, 3600, 8 * 3600]))
    for _ in range(k):
        width = pick(draw, ([0, 60, 1800, 4 * 3600, 12 * 3600]))  # 0 = a point in time
        wins.append((t, t + width))
        t = t + width + pick(draw, ([1, 600, 3 * 3600]))
    if num(draw, (0, 9)) == 0:
        wins = [
            (w[0], f"{w[1] // 3600}:{(w[1] % 3600) // 60:02d}:{w[1] % 60:02d}") if w[1] < 100 * 3600 else w
            for w in wins
        ]
    if _maybe(draw, bad):
        kind = pick(draw, (["inverted", "empty", "overlap", "negative", "nan", "text", "triple", "huge"]))
        if kind == "inverted":
            wins[0] = (wins[0][1] if not isinstance(wins[0][1], str) else 50_000, 10)
        elif kind == "empty":
            wins = []
        elif kind == "overlap":
            wins = [(0, 5000), (4000, 9000)]
        elif kind == "negative":
            wins[0] = (-100, 100)
        elif kind == "nan":
            wins[0] = (math.nan, 100)
        elif kind == "text":
            wins[0] = ("soon", "later")
        elif kind == "triple":
            wins[0] = (1, 2, 3)
        elif kind == "huge":
            wins = [(0, 10**15)]
    return wins


@st.composite
def spec_problem(draw, max_orders: int = 12, bad: int = 0, network: bool | None = None, sane_pairs: bool = False):
    """A dict spec of a random problem (see :func:`build`)."""
    n_depots = num(draw, (1, 3))
    depots = [f"D{k}" for k in range(n_depots)]
    n = num(draw, (0, max_orders))
    use_net = num(draw, (0, 4)) == 0 if network is None else network
    identical = num(draw, (0, 6)) == 0
    n_sites = max(1, num(draw, (1, max(1, n))))
    products = draw(spec_products(bad))
    pnames = [p["name"] for p in products]
    fleet = draw(spec_fleet(depots, bad, all_zones_first=sane_pairs))
    tnames = [v["name"] for v in fleet]
    spec = {
        "depots": depots,
        "products": products,
        "fleet": fleet,
        "network": use_net,
        "objective": pick(draw, (["cost", "cost", "distance"])),
        "strict": draw(BOOL),
    }
    if use_net:
        base = (109.0, 34.0)
        pts = (
            [(base[0], base[1])] * (n_depots + n_sites)
            if identical
            else [
                (base[0] + num(draw, (0, 300)) / 1000, base[1] + num(draw, (0, 300)) / 1000)
                for _ in range(n_depots + n_sites)
            ]
        )
        spec["coords"] = pts
    else:
        xy = (
            [(0, 0)] * (n_depots + n_sites)
            if identical
            else [(num(draw, (0, 20_000)), num(draw, (0, 20_000))) for _ in range(n_depots + n_sites)]
        )
        spec["coords"] = xy
        spec["speed"] = pick(draw, ([5.0, 12.0, 30.0]))
        spec["asymmetric"] = num(draw, (0, 4)) == 0
        spec["unreachable_site"] = num(draw, (0, 14)) == 0 and n_sites > 1 and not sane_pairs
    orders = []
    for i in range(n):
        o = {
            "id": f"o{i}",
            "site": num(draw, (0, n_sites - 1)),
            "kind": pick(draw, (["delivery", "delivery", "pickup"])),
        }
        k = num(draw, (0, len(pnames)))
        chosen = draw(st.lists(st.sampled_from(pnames), min_size=k, max_size=k, unique=True)) if k else []
        o["quantities"] = {p: pick(draw, QUANTITIES if sane_pairs else HUGE_QUANTITIES) for p in chosen}
        o["time_windows"] = draw(spec_windows(bad))
        o["service"] = pick(draw, ([0, 0, 60, 600, 3600]))
        o["required"] = draw(BOOL)
        o["penalty"] = pick(draw, ([0.0, 10.0, 1e4, 1e9])) if not o["required"] else None
        if num(draw, (0, 3)) == 0:
            o["shelf_life_h"] = pick(draw, ([0.01, 0.5, 3.0]))
        o["soft"] = num(draw, (0, 3)) == 0
        if num(draw, (0, 4)) == 0:
            o["vehicle_types"] = draw(st.lists(st.sampled_from(tnames), min_size=1, max_size=len(tnames), unique=True))
        if _maybe(draw, bad):
            f = pick(
                draw,
                (
                    [
                        "id",
                        "kind",
                        "quantities",
                        "service",
                        "penalty",
                        "shelf_life_h",
                        "site",
                        "vehicle_types",
                        "lon",
                        "lat",
                        "dup_id",
                        "product",
                        "time_windows",
                    ]
                ),
            )
            if f == "id":
                o["id"] = pick(draw, (["", None, "nan"]))
            elif f == "kind":
                o["kind"] = "return"
            elif f == "quantities":
                o["quantities"] = pick(
                    draw,
                    (
                        [
                            {pnames[0]: math.nan},
                            {pnames[0]: -2.0},
                            {pnames[0]: "lots"},
                            {pnames[0]: math.inf},
                            {pnames[0]: 1e15},
                            {pnames[0]: 1e30},
                            [("x", 1)],
                            {pnames[0]: None},
                        ]
                    ),
                )
            elif f == "service":
                o["service"] = pick(draw, ([-5, "ten", math.nan, 10**13]))
            elif f == "penalty":
                o["required"], o["penalty"] = False, pick(draw, ([None, -1.0, math.nan, math.inf]))
            elif f == "shelf_life_h":
                o["shelf_life_h"] = pick(draw, ([0.0, -1.0, math.nan]))
            elif f == "site":
                o["site"] = "unknown"
            elif f == "vehicle_types":
                o["vehicle_types"] = pick(draw, ([["no-such-type"], []]))
            elif f in ("lon", "lat"):
                o[f] = pick(draw, ([math.nan, math.inf, 200.0, -95.0, 1e300]))
            elif f == "dup_id" and i > 0:
                o["id"] = f"o{i - 1}"
            elif f == "product":
                o["quantities"] = {"no-such-product": 1.0}
            elif f == "time_windows":
                o["time_windows"] = pick(draw, ([None, [], "08:00-09:00", [5]]))
        orders.append(o)
    # pickup-and-delivery pairs among the first orders
    n_pairs = num(draw, (0, n // 2))
    for k in range(n_pairs):
        a, b = orders[2 * k], orders[2 * k + 1]
        a["kind"], b["kind"] = "pickup", "delivery"
        a["pair"], b["pair"] = b["id"], a["id"]
        b["quantities"] = dict(a["quantities"])
        b["required"], b["penalty"] = a["required"], a["penalty"]
        if sane_pairs:
            a.pop("vehicle_types", None)
            b.pop("vehicle_types", None)
        # a pair written on one side only binds both (issue 12: the delivery-only spelling was not enforced)
        side = pick(draw, ("both", "delivery", "pickup", "both"))
        if side != "both":
            (a if side == "delivery" else b).pop("pair")
        # each side's own shelf life counts (issue 12: the pickup's was ignored inside a pair)
        for o in (a, b):
            life = pick(draw, (None, 0.01, 0.5, None, 3.0, None))
            if life is None:
                o.pop("shelf_life_h", None)
            else:
                o["shelf_life_h"] = life
        # windows no vehicle can keep: the delivery closes before (or as) the pickup opens (issue 12: PyVRP's
        # shipment crashed, the auto engine served the pickup alone)
        impossible = pick(draw, (None, "before", None, "at_opening", None))
        if impossible == "before":
            a["time_windows"], b["time_windows"] = [(10 * 3600, 12 * 3600)], [(8 * 3600, 9 * 3600)]
        elif impossible == "at_opening":
            a["time_windows"], b["time_windows"] = [(13 * 3600, 16 * 3600)], [(13 * 3600, 13 * 3600)]
            a["service"] = 480
        if _maybe(draw, bad):
            f = pick(draw, (["missing", "same_kind", "quantities", "required"]))
            if f == "missing":
                a["pair"] = "ghost"
            elif f == "same_kind":
                b["kind"] = "pickup"
            elif f == "quantities":
                b["quantities"] = {pnames[0]: 123.0}
            elif f == "required":
                b["required"], b["penalty"] = (not a["required"]), 5.0
    spec["orders"] = orders
    return spec


# --------------------------------------------------------------------------- building


def build(spec: dict) -> L.Problem:
    """The Problem a spec describes (raises the model's errors for bad specs)."""
    products = [L.Product(**p) for p in spec["products"]]
    fleet = []
    for v in spec["fleet"]:
        v = dict(v)
        v["compartments"] = tuple(L.Compartment(**c) for c in v["compartments"])
        fleet.append(L.VehicleType(**v))
    depots = spec["depots"]
    nd = len(depots)
    coords = spec["coords"]
    sites = [f"s{k}" for k in range(len(coords) - nd)]
    orders = []
    for o in spec["orders"]:
        o = dict(o)
        site = o.pop("site")
        lonlat = {k: o.pop(k) for k in ("lon", "lat") if k in o}
        if spec["network"]:
            if site == "unknown":
                o["node_id"] = "unknown"
            else:
                lon, lat = coords[nd + site]
                o["lon"], o["lat"] = lonlat.get("lon", lon), lonlat.get("lat", lat)
        else:
            o["node_id"] = "unknown" if site == "unknown" else sites[site]
            if lonlat:  # coordinates on a matrix problem: bad values must still be rejected
                o["node_id"] = None
                o["lon"], o["lat"] = lonlat.get("lon", 109.0), lonlat.get("lat", 34.0)
        orders.append(L.Order(**o))
    kw = {"objective": spec["objective"], "strict": spec["strict"], "name": "prop"}
    if spec["network"]:
        rows = [
            {
                "node_id": d,
                "name": d,
                "tier": "hub" if k == 0 else "station",
                "parent": None if k == 0 else depots[0],
                "geometry": Point(*coords[k]),
            }
            for k, d in enumerate(depots)
        ]
        nodes = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
        return L.Problem(orders, fleet, products=products, network=networks.Network(nodes), **kw)
    xy = np.array(coords, dtype=float)
    d = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)))
    if spec.get("asymmetric"):
        d = d + np.triu(np.full_like(d, 500.0), 1)
    t = np.rint(d / spec["speed"])
    if spec.get("unreachable_site"):
        t[:, -1] = np.iinfo(np.int64).max // 2
        t[-1, -1] = 0
    tm = networks.TravelMatrix(depots + sites, d, t)
    return L.Problem(orders, fleet, products=products, matrix=tm, **kw)


# Fields each kind of record has: an error's field must start with one of them.
ORDER_FIELDS = {
    "id",
    "kind",
    "quantities",
    "node_id",
    "lon",
    "lat",
    "time_windows",
    "service",
    "required",
    "penalty",
    "pair",
    "shelf_life_h",
    "soft",
    "carrier",
    "vehicle_types",
}
VEHICLE_FIELDS = {
    "name",
    "count",
    "compartments",
    "start_depot",
    "end_depot",
    "total_capacity",
    "fixed_cost",
    "cost_per_km",
    "cost_per_hour",
    "shift",
    "max_duration",
    "max_distance",
    "speed_factor",
}
PRODUCT_FIELDS = {"name", "zone", "shelf_life_h", "value", "decay_per_h", "carriers"}
COMPARTMENT_FIELDS = {"zone", "capacity", "compartments.zone", "name"}
PROBLEM_FIELDS = {"objective", "fleet", "matrix"}


def _root(field: str) -> str:
    for sep in ("[", "."):
        field = field.split(sep)[0]
    return field


def assert_names_record_and_field(err: Exception, spec: dict) -> None:
    """``err.record`` is a record of the spec and ``err.field`` one of that record's fields."""
    assert isinstance(err, (L.ProblemError, NetworkError)), type(err)
    field, record = err.field, err.record
    assert isinstance(field, str) and field, f"{err!r} has no field"
    root = _root(field)
    order_ids = {o["id"] for o in spec["orders"]}
    vt_names = {v["name"] for v in spec["fleet"]}
    products = {p["name"] for p in spec["products"]}
    comp_names = {c.get("name") or c["zone"] for v in spec["fleet"] for c in v["compartments"]}
    kinds = []
    if record in order_ids or (field == "id" and record in (None, "", "nan")):
        kinds.append(ORDER_FIELDS)
    if record in vt_names or (record == "" and field == "name"):
        kinds.append(VEHICLE_FIELDS)
    if record in products or (record == "" and field == "name"):
        kinds.append(PRODUCT_FIELDS)
    if record in comp_names or record in ZONES:
        kinds.append(COMPARTMENT_FIELDS)
    if record == "prop":
        kinds.append(PROBLEM_FIELDS)
    if isinstance(err, NetworkError) and record in spec["depots"]:
        kinds.append({"node_id", "lon", "lat", "geometry"})
    assert kinds, f"{type(err).__name__} names no record of the input: record={record!r}, field={field!r}: {err}"
    assert any(root in k or field in k for k in kinds), (
        f"{type(err).__name__}: {field!r} is not a field of record {record!r}: {err}"
    )


def try_build(spec: dict) -> L.Problem | Exception:
    try:
        return build(spec)
    except (L.ProblemError, NetworkError) as e:
        assert_names_record_and_field(e, spec)
        return e


# --------------------------------------------------------------------------- properties

N_BUILD = 400
N_SOLVE = 300
N_FAULT = 150


@pytest.fixture(scope="module")
def tally():
    c: Counter = Counter()
    yield c
    for test, counts in sorted(_group(c).items()):
        report(test, **counts)


def _group(c: Counter) -> dict:
    out: dict = {}
    for (test, outcome), v in c.items():
        out.setdefault(test, {})[outcome] = v
    return out


@settings(max_examples=N_BUILD, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(spec=spec_problem(bad=10))
def test_construction_validates_or_names_the_bad_field(spec, tally):
    """Building a random problem (corruptions frequent) succeeds or names record + field."""
    res = try_build(spec)
    tally["build", "valid" if isinstance(res, L.Problem) else "rejected"] += 1
    if isinstance(res, L.Problem):
        assert len(res.orders) == len(spec["orders"])
        assert res.matrix is not None


SOLVE_CASES = dict(
    spec=spec_problem(bad=150),
    engine=st.sampled_from(["ortools", "ortools", "ortools", "auto"]),
    seed=st.integers(0, 3),
    iterations=st.sampled_from([1, 5, 20]),
    strict=st.sampled_from([False] * 3 + [True]),
)
N_SOLVE_FAST = 30  # the default suite: a tenth of the slow run, same generator and checks


@pytest.mark.timeout(900, method="thread")  # a solve that never returns fails the run instead of blocking it
@settings(max_examples=N_SOLVE_FAST, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(**SOLVE_CASES)
def test_solve_never_crashes_and_plans_validate_fast(spec, engine, seed, iterations, strict, tally):
    """A quick sample of the slow property below, run by default."""
    _solve_case(spec, engine, seed, iterations, strict, tally)


@pytest.mark.slow
@pytest.mark.timeout(900, method="thread")  # a solve that never returns fails the run instead of blocking it
@settings(max_examples=N_SOLVE, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(**SOLVE_CASES)
def test_solve_never_crashes_and_plans_validate(spec, engine, seed, iterations, strict, tally):
    """Solving (1 s, few iterations) returns a valid, fully accounted plan, or the problem is rejected."""
    _solve_case(spec, engine, seed, iterations, strict, tally)


def _solve_case(spec, engine, seed, iterations, strict, tally):
    spec["strict"] = strict
    res = try_build(spec)
    if not isinstance(res, L.Problem):
        tally["solve", "rejected"] += 1
        return
    plan = L.solve(res, time_limit=1.0, seed=seed, engine=engine, iterations=iterations)
    check(res, plan)
    # the validator finds one-sided pairs itself: the problem as written (not normalised) judges alike
    assert validate(as_written(res, spec), plan) == []
    round_trip_keeps_fractional_lateness(res, plan)
    tally["solve", "solved"] += 1


def as_written(problem: L.Problem, spec: dict) -> L.Problem:
    """``problem`` with each order's ``pair`` as the spec wrote it (Problem names both sides of a pair)."""
    written = {o["id"]: o.get("pair") for o in spec["orders"]}
    raw = copy.copy(problem)
    object.__setattr__(
        raw, "orders", tuple(dataclasses.replace(o, pair=written.get(o.id, o.pair)) for o in problem.orders)
    )
    return raw


def round_trip_keeps_fractional_lateness(problem: L.Problem, plan: L.Plan) -> None:
    """Starting 0.5 s after a hard window is reported in memory and after a JSON round trip, and a valid
    plan stays valid through one (issue 12: fractional times were truncated when a plan was read back)."""
    assert validate(problem, L.Plan.from_json(plan.to_json())) == []
    s = plan.stops.copy()
    hard = [
        i
        for i, (k, oid) in enumerate(zip(s["kind"], s["order_id"]))
        if k in ("delivery", "pickup") and not problem.order(str(oid)).soft
    ]
    if not hard:
        return
    i = s.index[hard[0]]
    start = problem.order(str(s.loc[i, "order_id"])).time_windows[-1][1] + 0.5
    for c in ("start", "departure", "wait"):
        s[c] = s[c].astype(float)
    s.loc[i, "wait"] = start - s.loc[i, "arrival"]
    s.loc[i, "departure"] = start + s.loc[i, "service"]
    s.loc[i, "start"] = start
    bad = dataclasses.replace(plan, stops=s)
    for candidate in (bad, L.Plan.from_json(bad.to_json())):
        assert "time_window" in {v.kind for v in validate(problem, candidate)}


PAIR_CASES = dict(
    spec=spec_problem(max_orders=8, bad=0, sane_pairs=True),
    engine=st.sampled_from(["ortools", "auto", "pyvrp"]),
    seed=st.integers(0, 3),
)
N_PAIRS_FAST = 15


@pytest.mark.timeout(900, method="thread")
@settings(max_examples=N_PAIRS_FAST, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(**PAIR_CASES)
def test_pairs_and_json_round_trips_fast(spec, engine, seed, tally):
    """Well-formed problems rich in pairs (one-sided, per-side shelf lives, impossible windows)."""
    _pairs_case(spec, engine, seed, tally)


@pytest.mark.slow
@pytest.mark.timeout(900, method="thread")
@settings(max_examples=10 * N_PAIRS_FAST, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(**PAIR_CASES)
def test_pairs_and_json_round_trips(spec, engine, seed, tally):
    """The slow run of the property above."""
    _pairs_case(spec, engine, seed, tally)


def _pairs_case(spec, engine, seed, tally):
    spec["strict"] = False
    # a fleet that can serve most orders (the first type carries every zone), so that pairs get served
    vt = dict(spec["fleet"][0], count=2, shift=(0, 2 * DAY), speed_factor=1.0)
    for f in ("max_duration", "max_distance", "total_capacity"):
        vt.pop(f, None)
    spec["fleet"] = [vt]
    for o in spec["orders"]:
        o.pop("vehicle_types", None)
    problem = build(spec)
    plan = L.solve(problem, time_limit=1.0, seed=seed, engine=engine, iterations=20)
    check(problem, plan)  # engines keep pairs whole, whichever side wrote them, and never crash on them
    written = as_written(problem, spec)
    assert validate(written, plan) == []
    round_trip_keeps_fractional_lateness(problem, plan)
    # a served pair split across vehicles is reported from the problem as written
    served = plan.stops[plan.stops["kind"].isin(["delivery", "pickup"])]
    vehicles = [v for v, _ in problem.vehicles()]
    for o in problem.orders:
        if o.kind != "delivery" or o.pair is None or o.id not in set(served["order_id"]) or len(vehicles) < 2:
            continue
        s = plan.stops.copy()
        i = s.index[s["order_id"] == o.id][0]
        s.loc[i, "vehicle"] = next(v for v in vehicles if v != s.loc[i, "vehicle"])
        kinds = {v.kind for v in validate(written, dataclasses.replace(plan, stops=s))}
        assert "pair" in kinds, sorted(kinds)
        tally["pairs", "split reported"] += 1
        break
    tally["pairs", "served" if len(served) else "none served"] += 1


# Single-fault injection: a well-formed problem with one field broken must name exactly that record+field.
FAULTS = [
    ("order", "time_windows[0]", lambda o: o.update(time_windows=[(50_000, 10)])),
    ("order", "time_windows[0].start", lambda o: o.update(time_windows=[(math.nan, 10)])),
    ("order", "time_windows", lambda o: o.update(time_windows=[(0, 5000), (4000, 9000)])),
    ("order", "time_windows", lambda o: o.update(time_windows=[])),
    ("order", "service", lambda o: o.update(service=-1)),
    ("order", "kind", lambda o: o.update(kind="return")),
    ("order", "penalty", lambda o: o.update(required=False, penalty=math.nan, pair=None)),
    ("order", "shelf_life_h", lambda o: o.update(shelf_life_h=0.0)),
    ("order", "quantities.p0", lambda o: o.update(quantities={"p0": -1.0})),
    ("order", "quantities.p0", lambda o: o.update(quantities={"p0": math.nan})),
    ("order", "quantities.nope", lambda o: o.update(quantities={"nope": 1.0})),
    ("order", "vehicle_types[0]", lambda o: o.update(vehicle_types=["ghost"])),
    ("order", "node_id", lambda o: o.update(site="unknown")),
    ("order", "lon", lambda o: o.update(lon=math.nan)),
    ("order", "lat", lambda o: o.update(lat=123.0)),
    ("vehicle", "count", lambda v: v.update(count=-1)),
    ("vehicle", "shift", lambda v: v.update(shift=(DAY, 0))),
    ("vehicle", "speed_factor", lambda v: v.update(speed_factor=0.0)),
    ("vehicle", "max_duration", lambda v: v.update(max_duration=-1)),
    ("vehicle", "total_capacity", lambda v: v.update(total_capacity=-1.0)),
    ("vehicle", "cost_per_hour", lambda v: v.update(cost_per_hour=math.inf)),
    ("vehicle", "start_depot", lambda v: v.update(start_depot="nowhere")),
    ("vehicle", "compartments", lambda v: v.update(compartments=[])),
    ("product", "shelf_life_h", lambda p: p.update(shelf_life_h=-1.0)),
    ("product", "value", lambda p: p.update(value=math.nan)),
    ("product", "zone", lambda p: p.update(zone="tepid")),
]


@settings(max_examples=N_FAULT, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(spec=spec_problem(bad=0, sane_pairs=True), fault=st.sampled_from(FAULTS), pick=st.integers(0, 100))
def test_one_fault_is_named_exactly(spec, fault, pick, tally):
    spec["strict"] = False
    base = build(spec)  # well-formed specs always build
    assert isinstance(base, L.Problem)
    kind, field, apply = fault
    if kind == "order":
        if not spec["orders"]:
            tally["fault", "no order to break"] += 1
            return
        rec = spec["orders"][pick % len(spec["orders"])]
        mate = rec.get("pair") or next((o["id"] for o in spec["orders"] if o.get("pair") == rec["id"]), None)
        if mate is not None and field in ("kind", "penalty", "quantities.p0", "quantities.nope"):
            # a pair check may fire first on the partner; keep the fault on unpaired orders (pairs may be
            # written on either side)
            rec = dict(rec)
            partner = next(o for o in spec["orders"] if o["id"] == mate)
            partner.pop("pair", None)
            rec.pop("pair", None)
            spec["orders"] = [rec if o["id"] == rec["id"] else o for o in spec["orders"]]
            rec = next(o for o in spec["orders"] if o["id"] == rec["id"])
        name = rec["id"]
    elif kind == "vehicle":
        rec = spec["fleet"][pick % len(spec["fleet"])]
        name = rec["name"]
    else:
        rec = spec["products"][pick % len(spec["products"])]
        name = rec["name"]
    apply(rec)
    with pytest.raises((L.ProblemError, NetworkError)) as ei:
        build(spec)
    tally["fault", "named"] += 1
    assert (ei.value.record, ei.value.field) == (name, field), f"{kind} fault {field!r}: {ei.value}"


# --------------------------------------------------------------------------- regressions found by the properties


def _tiny_matrix():
    return networks.TravelMatrix(["D", "s0"], np.array([[0, 1000], [1000, 0]]), np.array([[0, 100], [100, 0]]))


@pytest.mark.parametrize("tws", [[5], 5, [None], 3.5])
def test_regression_window_that_is_not_a_pair_is_a_problem_error(tws):
    # was: TypeError "object of type 'int' has no len()"
    with pytest.raises(L.ProblemError) as ei:
        L.Order("o1", {}, node_id="s0", time_windows=tws)
    assert ei.value.record == "o1" and ei.value.field.startswith("time_windows")


def test_regression_misfit_with_an_empty_fleet_and_no_quantities():
    # was: ValueError "max() arg is an empty sequence" from Problem.describe_misfit
    fleet = [L.VehicleType("t0", 0, (L.Compartment("ambient", 10),), start_depot="D")]
    with pytest.raises(L.ProblemError) as ei:
        L.Problem([L.Order("o1", {}, node_id="s0")], fleet, matrix=_tiny_matrix())
    assert (ei.value.record, ei.value.field) == ("o1", "quantities")
    assert "no vehicle" in str(ei.value)


def test_regression_order_only_a_type_without_vehicles_could_carry():
    # was: AssertionError in reasons.explain (type t0 may carry it, but t0 has count 0)
    fleet = [
        L.VehicleType("t0", 0, (L.Compartment("ambient", 100),), start_depot="D"),
        L.VehicleType("t1", 1, (L.Compartment("ambient", 100),), start_depot="D", total_capacity=5),
    ]
    p = L.Problem([L.Order("o1", {"goods": 50}, node_id="s0")], fleet, matrix=_tiny_matrix(), strict=False)
    plan = L.solve(p, time_limit=1, engine="ortools", iterations=5)
    check(p, plan)
    assert plan.unserved["order_id"].tolist() == ["o1"]


def test_regression_mixed_fleet_can_drop_orders():
    # was: no plan at all (status "fail", every order unserved) whenever a fleet of several vehicle types had to
    # leave an order out: OR-Tools 9.15 makes nodes with a positive transit undroppable when a dimension has
    # several unary evaluators (google/or-tools#5283)
    tm = networks.TravelMatrix(
        ["D", "s0", "s1"],
        np.array([[0, 1000, 1000], [1000, 0, 1000], [1000, 1000, 0]]),
        np.array([[0, 100, 100], [100, 0, 100], [100, 100, 0]]),
    )
    products = [L.Product("milk", "chilled"), L.Product("rice", "ambient")]
    fleet = [
        L.VehicleType("reefer", 1, (L.Compartment("chilled", 10), L.Compartment("frozen", 5)), start_depot="D"),
        L.VehicleType("van", 1, (L.Compartment("ambient", 10),), start_depot="D"),
    ]
    orders = [
        L.Order("r", {"rice": 8}, node_id="s1"),
        L.Order("pk", {"rice": 8}, node_id="s1", kind="pickup"),
        L.Order("m", {"milk": 8}, node_id="s0"),
        L.Order("m2", {"milk": 8}, node_id="s0"),
    ]
    p = L.Problem(orders, fleet, products=products, matrix=tm)
    for fs in ("parallel_cheapest_insertion", "all_unperformed"):
        plan = L.solve(p, time_limit=2, engine="ortools", iterations=20, first_solution=fs)
        check(p, plan)
        assert plan.meta["status"] != "fail"
        assert plan.kpis["served"] == 3  # one milk order cannot fit: the reefer holds 10


@pytest.mark.parametrize("engine", ["ortools", "auto"])
def test_regression_fleet_without_vehicles_leaves_every_order_out(engine):
    # was: segmentation fault in OR-Tools (a routing model with no vehicle) and, for "auto",
    # ValueError "Expected at least one depot." from PyVRP
    fleet = [L.VehicleType("t0", 0, (L.Compartment("ambient", 10),), start_depot="D")]
    orders = [
        L.Order("a", {"goods": 1}, node_id="s0"),
        L.Order("b", {"goods": 1}, node_id="s0", required=False, penalty=5),
    ]
    p = L.Problem(orders, fleet, matrix=_tiny_matrix(), strict=False)
    plan = L.solve(p, time_limit=2, engine=engine, iterations=5)
    check(p, plan)
    assert sorted(plan.unserved["order_id"]) == ["a", "b"]
    assert all("no vehicle" in r for r in plan.unserved["reason"])
    assert plan.kpis["objective"] == 5.0  # the optional order's penalty


def _line(**pos):
    ids = list(pos)
    x = np.array([pos[k] for k in ids], dtype=float)
    d = np.abs(x[:, None] - x[None])
    return networks.TravelMatrix(ids, d, np.rint(d / 10))


@pytest.mark.parametrize(
    "first_solution", ["parallel_cheapest_insertion", "local_cheapest_insertion", "path_cheapest_arc"]
)
def test_regression_shelf_life_shorter_than_the_drive(first_solution):
    # was: a plan serving the delivery 234 s after leaving the depot with a 36 s shelf life; parallel cheapest
    # insertion performed the order without its depot loading node when the shelf-life precedence blocked the pair
    # (seen with an order that carries nothing)
    tm = _line(D=0, s0=2340, s1=1000)
    fleet = [L.VehicleType("t", 2, (L.Compartment("ambient", 100),), start_depot="D")]
    orders = [
        L.Order("fresh", {}, node_id="s0", shelf_life_h=0.01),
        L.Order("pk", {"goods": 1}, node_id="s1", kind="pickup"),
        L.Order("near", {"goods": 1}, node_id="s1", shelf_life_h=1),
    ]
    p = L.Problem(orders, fleet, matrix=tm)
    plan = L.solve(p, time_limit=2, engine="ortools", iterations=10, first_solution=first_solution)
    check(p, plan)
    assert plan.unserved["order_id"].tolist() == ["fresh"]
    assert "shelf life" in plan.unserved["reason"].iloc[0]


@pytest.mark.parametrize("first_solution", ["parallel_cheapest_insertion", "local_cheapest_insertion"])
def test_regression_paired_shelf_life_shorter_than_the_drive(first_solution):
    # the same defect for a user pickup-and-delivery pair whose shelf life is shorter than the drive between them
    tm = _line(D=0, a=1000, b=9000)
    fleet = [L.VehicleType("t", 2, (L.Compartment("ambient", 100),), start_depot="D")]
    orders = [
        L.Order("p", {"goods": 1}, node_id="a", kind="pickup", pair="d", shelf_life_h=0.05),
        L.Order("d", {"goods": 1}, node_id="b", pair="p"),
        L.Order("x", {"goods": 1}, node_id="a"),
    ]
    p = L.Problem(orders, fleet, matrix=tm)
    plan = L.solve(p, time_limit=2, engine="ortools", iterations=10, first_solution=first_solution)
    check(p, plan)
    assert sorted(plan.unserved["order_id"]) == ["d", "p"]


@pytest.mark.parametrize(
    "make,field",
    [
        (lambda: L.Order("o1", {"goods": 1e30}, node_id="s0"), "quantities.goods"),
        (lambda: L.Order("o1", {"goods": 1}, node_id="s0", required=False, penalty=1e300), "penalty"),
        (lambda: L.Order("o1", {"goods": 1}, node_id="s0", required=False, penalty="lots"), "penalty"),
        (lambda: L.Order("o1", {"goods": 1}, lon="east", lat=34.0), "lon"),
        (lambda: L.Order("o1", {"goods": 1}, node_id="s0", shelf_life_h=[2]), "shelf_life_h"),
        (lambda: L.Order("o1", {"goods": 1}, node_id="s0", vehicle_types=5), "vehicle_types"),
    ],
)
def test_regression_order_values_out_of_range_or_of_the_wrong_type(make, field):
    # were: OverflowError in the solver's cost arrays (1e30 kg, 1e300 ¥), TypeError/ValueError from comparisons
    with pytest.raises(L.ProblemError) as ei:
        make()
    assert (ei.value.record, ei.value.field) == ("o1", field)


def test_regression_numeric_strings_are_numbers():
    o = L.Order("o1", {"goods": "2"}, node_id="s0", required=False, penalty="7.5", shelf_life_h="3")
    assert (o.quantities, o.penalty, o.shelf_life_h) == ({"goods": 2.0}, 7.5, 3.0)


@pytest.mark.parametrize(
    "make,record,field",
    [
        (lambda: L.Compartment("ambient", 1e15), "ambient", "capacity"),
        (lambda: L.Compartment("ambient", "big"), "ambient", "capacity"),
        (lambda: L.Compartment("tepid", 10), "tepid", "compartments.zone"),  # was: record None
        (lambda: L.Product("milk", value="dear"), "milk", "value"),
        (lambda: L.VehicleType("v", 1, [5], start_depot="D"), "v", "compartments[0]"),  # was: TypeError
        (lambda: L.VehicleType("v", 1, 5, start_depot="D"), "v", "compartments"),
        (
            lambda: L.VehicleType("v", 1, [{"zone": "ambient", "capacity": -1}], start_depot="D"),
            "v",
            "compartments[0].capacity",
        ),
        (lambda: L.VehicleType("v", 1, [{"zone": "ambient", "size": 1}], start_depot="D"), "v", "compartments[0]"),
        (
            lambda: L.VehicleType("v", 1, [L.Compartment("ambient", 5)], start_depot="D", max_duration="long"),
            "v",
            "max_duration",
        ),
    ],
)
def test_regression_fleet_values_name_record_and_field(make, record, field):
    with pytest.raises(L.ProblemError) as ei:
        make()
    assert (ei.value.record, ei.value.field) == (record, field)


def test_regression_absurd_costs_saturate_instead_of_overflowing():
    # was: OverflowError "Python int too large to convert to C long" in cost_arrays (products now accept at most
    # MAX_VALUE and MAX_DECAY_PER_H; vehicle rates still saturate)
    products = [L.Product("milk", "chilled", value=L.core.model.MAX_VALUE, decay_per_h=L.core.model.MAX_DECAY_PER_H)]
    orders = [
        L.Order("o1", {"milk": 1e12}, node_id="s0", required=False, penalty=1e9),
        L.Order("o2", {"milk": 1.0}, node_id="s0"),
    ]
    fleet = [
        L.VehicleType(
            "t0",
            1,
            (L.Compartment("chilled", 1e12),),
            start_depot="D",
            cost_per_km=1e300,
            cost_per_hour=1e300,
            fixed_cost=1e12,
        )
    ]
    p = L.Problem(orders, fleet, products=products, matrix=_tiny_matrix())
    plan = L.solve(p, time_limit=2, engine="ortools", iterations=10)
    check(p, plan)
    assert plan.kpis["served"] + plan.kpis["unserved"] == 2


def test_regression_pyvrp_costs_saturate_like_ortools():
    # was: "invalid value encountered in cast" in the PyVRP cost arrays (an unused type at 1e300 ¥/km became
    # INT64_MIN per metre); both engines now saturate through arrays.cost_units
    from logistics.engine.solvers import arrays
    from logistics.engine.solvers.pyvrp import costs as pyvrp_costs

    fleet = [
        L.VehicleType("t0", 1, (L.Compartment("ambient", 100),), start_depot="D", cost_per_km=1.0),
        L.VehicleType(
            "t1",
            0,
            (L.Compartment("ambient", 100),),
            start_depot="D",
            cost_per_km=1e300,
            cost_per_hour=1e300,
            fixed_cost=1e300,
        ),
    ]
    p = L.Problem([L.Order("o1", {"goods": 1}, node_id="s0")], fleet, matrix=_tiny_matrix())
    data = arrays.build(p)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        costs = pyvrp_costs.pyvrp_costs(data, "cost", None)
    g = costs.divisor  # every cost is divided by their common divisor, the caps too
    assert costs.per_m[1] * g == arrays.RATE_CAP and costs.per_s[1] * g == arrays.RATE_CAP
    assert costs.fixed[1] * g == arrays.COST_CAP and 0 < costs.per_m[0] * g < arrays.RATE_CAP
    plan = L.solve(p, time_limit=2, engine="auto", iterations=50)
    check(p, plan)
    assert plan.kpis["served"] == 1


def test_regression_unreachable_sentinel_times_speed_factor_does_not_wrap():
    # was: duration = rint(big * 3.0).astype(int64) wrapped to a negative travel time (numpy "invalid value" cast)
    from logistics.engine.solvers import arrays

    big = np.iinfo(np.int64).max // 2
    d = np.full((3, 3), 1000) - np.eye(3, dtype=int) * 1000
    t = d // 10
    t[1, 2] = t[2, 1] = big
    tm = networks.TravelMatrix(["D0", "D1", "s1"], d, t)
    fleet = [
        L.VehicleType("far", 1, (L.Compartment("ambient", 100),), start_depot="D1", speed_factor=3.0),
        L.VehicleType("near", 1, (L.Compartment("ambient", 100),), start_depot="D0"),
    ]
    p = L.Problem([L.Order("a", {"goods": 1}, node_id="s1")], fleet, matrix=tm)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        data = arrays.build(p)
    assert data.duration.min() >= 0
    plan = L.solve(p, time_limit=2, engine="ortools", iterations=10)
    check(p, plan)
    assert plan.served_ids == ["a"]


def test_regression_pair_uses_the_stricter_shelf_life_of_its_orders():
    # was: the solver applied the pickup's shelf life (none) to a pair whose delivery carries one (36 s),
    # and served the delivery 37 s after the pickup
    tm = _line(D=0, a=100, b=200)
    fleet = [L.VehicleType("t", 1, (L.Compartment("ambient", 100),), start_depot="D")]
    orders = [
        L.Order("p", {"goods": 1}, node_id="a", kind="pickup", pair="d", time_windows=((0, 10),)),
        L.Order("d", {"goods": 1}, node_id="b", pair="p", shelf_life_h=0.01, time_windows=((100, 200),)),
    ]
    p = L.Problem(orders, fleet, matrix=tm)
    for engine in ("ortools", "auto"):
        plan = L.solve(p, time_limit=2, engine=engine, iterations=10)
        check(p, plan)
        assert plan.served_ids == []  # 90 s at least between them: the pair cannot be served


def test_regression_misfit_by_total_capacity_is_described_as_such():
    # was: "demand 5 kg exceeds the largest frozen compartment (1,000 kg)" for a vehicle whose total capacity is 0
    fleet = [L.VehicleType("t0", 1, (L.Compartment("ambient", 1000),), start_depot="D", total_capacity=2)]
    with pytest.raises(L.ProblemError) as ei:
        L.Problem([L.Order("o1", {"goods": 5}, node_id="s0")], fleet, matrix=_tiny_matrix())
    assert "total demand 5 kg exceeds the largest vehicle capacity (2 kg)" in str(ei.value)


@pytest.mark.timeout(120, method="thread")  # a hang inside C++ is not interrupted by a signal
def test_regression_pyvrp_local_search_does_not_spin_on_huge_loads():
    # was: engine "auto" never returned (PyVRP's local search looping on overflowing load penalties) for an
    # optional order of 10^12 kg that no vehicle can carry, next to an ordinary one
    d = np.zeros((4, 4))
    tm = networks.TravelMatrix(["D0", "D1", "s0", "s1"], d, d)
    products = [L.Product("p0", "frozen", shelf_life_h=48, decay_per_h=0.05)]
    fleet = [
        L.VehicleType("t0", 3, (L.Compartment("frozen", 10),), start_depot="D0", shift=(0, 1800)),
        L.VehicleType(
            "t1", 2, (L.Compartment("chilled", 40), L.Compartment("fresh", 1e7)), start_depot="D1", speed_factor=0.5
        ),
    ]
    orders = [
        L.Order("o0", {}, node_id="s0", time_windows=((28800, 28800), (28801, 28861), (39661, 39721))),
        L.Order(
            "o6",
            {"p0": 1e12},
            node_id="s1",
            required=False,
            penalty=1e9,
            shelf_life_h=0.5,
            time_windows=((0, 60), (61, 121)),
        ),
    ]
    p = L.Problem(orders, fleet, products=products, matrix=tm, objective="distance", strict=False)
    plan = L.solve(p, time_limit=1, seed=1, engine="auto", iterations=20)
    check(p, plan)
