"""Built-in scenarios: harvest-season days on the Yanhu District network.

* `yanhu_tier_day` — the day on all three tiers (hub → stations → villages, produce back up,
  direct service near the hub).  Its volumes are derived in code from published figures
  ([logistics.app.volumes][]: Yuncheng's 24.0 million apple parcels of 2021, the district's
  share of the city's fruit output, its rural population), every assumption marked in
  ``meta["basis"]``; the day plans a seeded share of every township's committees.
* `yanhu_demo` — a single-tier day (one problem, hub reefers and station vans).  Its quantities
  are estimated draws sized to stay feasible, not derived from figures.
* `yanhu_day` — generated days of any size, for scale tests.
"""

from __future__ import annotations

from dataclasses import replace as dataclasses_replace
from typing import Any

import numpy as np

import networks
from logistics.app.volumes import basis, district_day
from logistics.core.costs import CostModel
from logistics.core.model import Compartment, Order, Product, VehicleType
from logistics.core.options import SolveOptions
from logistics.core.problem import Problem
from logistics.core.units import Zone, parse_clock
from logistics.planners.tiers.context import TierSettings
from logistics.planners.tiers.scenario import TierScenario

# Products of the demo day (value ¥ per kg prices freshness loss).
PRODUCTS = (
    Product("frozen_food", Zone.FROZEN, shelf_life_h=10, value=18.0),
    Product("dairy_meat", Zone.CHILLED, shelf_life_h=8, value=30.0),
    Product("vegetables", Zone.FRESH, shelf_life_h=10, value=6.0),
    Product("parcels", Zone.AMBIENT, value=0.0),
    Product("apples", Zone.FRESH, shelf_life_h=10, value=7.0),
    Product("pears", Zone.FRESH, shelf_life_h=10, value=6.0),
    Product("dates", Zone.FRESH, shelf_life_h=8, value=14.0),
)

# Townships known for each crop (north: apples; Jiezhou/Dongguo: dates; pears in the middle).
CROPS = {
    "Sanluli": "apples",
    "Shangwang": "apples",
    "Wangfan": "apples",
    "Shangguo": "apples",
    "Fengcun": "apples",
    "Beixiang": "pears",
    "Taocun": "pears",
    "Hongzhiyi": "pears",
    "Jinjing": "pears",
    "Jiezhou": "dates",
    "Dongguo": "dates",
    "Longju": "dates",
    "Xizhang": "dates",
}

HUB_BOUND = ("reefer_hub_large", "reefer_hub_small")

# The demo day's drivers work at most 8 h a route (the statutory working day).  No product on a
# hub reefer keeps less than 8 h, so no route can outlast a shelf life: the search's quick
# skeleton (which ignores shelf lives) never has to be repaired, whatever its luck.
DEMO_DUTY_H = 8.0
DEMO_TIME_LIMIT = 10.0  # seconds of search of `coldroute demo`


def demo_options(
    seed: int = 0, time_limit: float = DEMO_TIME_LIMIT, engine: str = "auto", iterations: int | None = None
) -> SolveOptions:
    """The search settings of ``coldroute demo`` (and of the test that guards it).

    Parameters
    ----------
    seed
        The search seed (the demo uses its scenario seed).
    time_limit, engine, iterations
        As for [SolveOptions][logistics.core.options.SolveOptions].

    Returns
    -------
    SolveOptions
        The options.
    """
    return SolveOptions(time_limit=time_limit, seed=seed, engine=engine, iterations=iterations)


def yanhu_fleet(network: networks.Network, *, duty_h: float | None = None) -> list[VehicleType]:
    """Mixed reefer fleet: multi-temperature trucks at the hub, small reefers at each station.

    Parameters
    ----------
    network
        The network whose stations get vans (two per station).
    duty_h
        Caps every route's duration (a driver's working day) when given.

    Returns
    -------
    list of VehicleType
        Seven large and six small hub reefers (frozen and chilled compartments, 05:30-20:00
        shifts) and a chilled/ambient van type per station (06:00-19:00, carrier
        ``"shared"``); costs in yuan.  Routes last at most 12 h (large), 11 h (small) and
        10 h (vans), or ``duty_h``.
    """
    fleet = [
        VehicleType(
            "reefer_hub_large",
            7,
            (Compartment(Zone.FROZEN, 1500), Compartment(Zone.CHILLED, 2500), Compartment(Zone.AMBIENT, 2000)),
            start_depot="hub",
            total_capacity=5000,
            fixed_cost=350,
            cost_per_km=1.3,
            cost_per_hour=45,
            shift=(parse_clock("05:30"), parse_clock("20:00")),
            max_duration=12 * 3600,
            speed_factor=1.15,
        ),
        VehicleType(
            "reefer_hub_small",
            6,
            (Compartment(Zone.FROZEN, 500), Compartment(Zone.CHILLED, 1500)),
            start_depot="hub",
            fixed_cost=220,
            cost_per_km=0.9,
            cost_per_hour=40,
            shift=(parse_clock("05:30"), parse_clock("20:00")),
            max_duration=11 * 3600,
        ),
    ]
    for sid in network.stations.index:
        fleet.append(
            VehicleType(
                f"van_{sid}",
                2,
                (Compartment(Zone.CHILLED, 600), Compartment(Zone.AMBIENT, 900)),
                start_depot=sid,
                fixed_cost=120,
                cost_per_km=0.6,
                cost_per_hour=35,
                shift=(parse_clock("06:00"), parse_clock("19:00")),
                max_duration=10 * 3600,
                carrier="shared",
            )
        )
    if duty_h is not None:
        cap = int(duty_h * 3600)
        fleet = [dataclasses_replace(vt, max_duration=min(vt.max_duration or cap, cap)) for vt in fleet]
    return fleet


def yanhu_demo(
    seed: int = 0,
    *,
    deliveries: int = 120,
    pickups: int = 50,
    roads: bool = True,
    network: networks.Network | None = None,
    costs: CostModel | None = None,
) -> Problem:
    """A realistic harvest-season day for the district.

    Goods go down (chilled and frozen groceries, vegetables, parcels for 快递进村)
    and produce comes up (apples, pears, dates to the hub's cold store, within
    their shelf life).  Deterministic for a given ``seed``.

    Estimated, not measured: the quantities (parcels 20-160 kg, groceries 10-150 kg a village;
    a co-operative's day of produce 100-600 kg), the windows, the share of required orders
    and the fleet (`yanhu_fleet`, routes capped at ``DEMO_DUTY_H`` = 8 h).  The day is sized
    to be comfortably feasible, so the demo serves every required order within its 10 s
    (``DEMO_TIME_LIMIT``) on one busy core: the produce fills about two thirds of the hub
    reefers' chilled space (it goes in as the groceries come out), and no route can outlast a
    shelf life.

    Parameters
    ----------
    seed
        Random seed of the orders.
    deliveries
        Villages that get a delivery (at most one each; capped at the number of villages).
    pickups
        Villages whose produce is picked up.
    roads
        Use road distances (``networks.yanhu(roads=True)``); ``False`` for straight lines.
    network
        A network to use instead of the bundled Yanhu one.
    costs
        Cost model; defaults to one with a carbon price of 0.06 yuan per kg CO2.

    Returns
    -------
    Problem
        The day (2026-10-15), fleet from `yanhu_fleet`.
    """
    rng = np.random.default_rng(seed)
    net = network if network is not None else networks.yanhu(roads=roads)
    villages = net.villages
    ids = np.array(sorted(villages.index))
    fleet = yanhu_fleet(net, duty_h=DEMO_DUTY_H)
    station_fleet = {vt.start_depot: vt.name for vt in fleet if vt.start_depot != "hub"}
    orders: list[Order] = []
    down = rng.choice(ids, size=min(deliveries, len(ids)), replace=False)
    for k, vid in enumerate(sorted(down)):
        v = villages.loc[vid]
        q: dict[str, float] = {"parcels": float(rng.integers(20, 160))}
        kind = rng.random()
        if kind < 0.55:
            q["dairy_meat"] = float(rng.integers(10, 120))
        if kind < 0.35:
            q["frozen_food"] = float(rng.integers(10, 100))
        if rng.random() < 0.3:
            q["vegetables"] = float(rng.integers(20, 150))
        cold = any(p in q for p in ("dairy_meat", "frozen_food", "vegetables"))
        # cold goods come from the hub's cold store; parcels are sorted at the township station
        allowed = HUB_BOUND if cold else HUB_BOUND + (station_fleet[v["parent"]],)
        morning = rng.random() < 0.25
        tw = (
            ((parse_clock("07:00"), parse_clock("11:00")),)
            if morning
            else ((parse_clock("08:00"), parse_clock("18:00")),)
        )
        orders.append(
            Order(
                f"D{k:03d}",
                q,
                node_id=vid,
                kind="delivery",
                time_windows=tw,
                service=300 + int(sum(q.values()) / 50 * 60),
                soft=bool(rng.random() < 0.3),
                required=bool(rng.random() < 0.9),
                penalty=float(rng.integers(150, 400)),
                vehicle_types=allowed,
            )
        )
    crop_villages = [vid for vid in ids if CROPS.get(villages.at[vid, "township"]) is not None]
    up = rng.choice(crop_villages, size=min(pickups, len(crop_villages)), replace=False)
    for k, vid in enumerate(sorted(up)):
        crop = CROPS[villages.at[vid, "township"]]
        qty = float(rng.integers(100, 600))
        orders.append(
            Order(
                f"P{k:03d}",
                {crop: qty},
                node_id=vid,
                kind="pickup",
                time_windows=((parse_clock("09:00"), parse_clock("17:00")),),
                service=600 + int(qty / 100 * 60),
                required=bool(rng.random() < 0.8),
                penalty=float(qty * 0.5),
                vehicle_types=HUB_BOUND,
            )
        )
    return Problem(
        orders=tuple(orders),
        fleet=tuple(fleet),
        products={p.name: p for p in PRODUCTS},
        network=net,
        costs=costs or CostModel(carbon_price=0.06),
        name=f"yanhu-harvest-day-seed{seed}",
        day="2026-10-15",
        meta={"scenario": "yanhu_demo", "seed": seed, "volumes": "scaled sample, see logistics.scenarios"},
    )


def yanhu_day(
    stops: int, seed: int = 0, *, roads: bool = True, network: networks.Network | None = None, pickup_share: float = 0.3
) -> Problem:
    """A generated day of ``stops`` orders on the Yanhu network, for scale tests.

    Several customers may share a village (shops, households, co-operatives), so
    orders are drawn with replacement; the fleet grows with the day so that the
    problem stays feasible.  Deterministic for a given ``seed``.

    Parameters
    ----------
    stops
        Number of orders.
    seed
        Random seed.
    roads
        Use road distances; ``False`` for straight lines.
    network
        A network to use instead of the bundled Yanhu one.
    pickup_share
        Share of the orders that are produce pickups.

    Returns
    -------
    Problem
        The day, with `yanhu_fleet` scaled by one vehicle set per 170 orders.
    """
    rng = np.random.default_rng(seed)
    net = network if network is not None else networks.yanhu(roads=roads)
    villages = net.villages
    ids = np.array(sorted(villages.index))
    scale = max(1, int(np.ceil(stops / 170)))
    fleet = [dataclasses_replace(vt, count=vt.count * scale) for vt in yanhu_fleet(net)]
    station_fleet = {vt.start_depot: vt.name for vt in fleet if vt.start_depot != "hub"}
    n_up = int(round(stops * pickup_share))
    orders: list[Order] = []
    where = rng.choice(ids, size=stops, replace=True)
    for k, vid in enumerate(where):
        v = villages.loc[vid]
        if k < stops - n_up:
            q: dict[str, float] = {"parcels": float(rng.integers(5, 60))}
            if rng.random() < 0.4:
                q["dairy_meat"] = float(rng.integers(5, 50))
            if rng.random() < 0.2:
                q["frozen_food"] = float(rng.integers(5, 40))
            cold = len(q) > 1
            allowed = HUB_BOUND if cold else HUB_BOUND + (station_fleet[v["parent"]],)
            orders.append(
                Order(
                    f"D{k:05d}",
                    q,
                    node_id=vid,
                    time_windows=((parse_clock("08:00"), parse_clock("18:00")),),
                    service=180 + int(sum(q.values()) / 50 * 60),
                    vehicle_types=allowed,
                    required=False,
                    penalty=float(rng.integers(200, 400)),
                )
            )
        else:
            crop = CROPS.get(v["township"], "apples")
            qty = float(rng.integers(50, 400))
            orders.append(
                Order(
                    f"P{k:05d}",
                    {crop: qty},
                    node_id=vid,
                    kind="pickup",
                    time_windows=((parse_clock("09:00"), parse_clock("17:00")),),
                    service=300 + int(qty / 100 * 60),
                    vehicle_types=HUB_BOUND,
                    required=False,
                    penalty=float(qty),
                )
            )
    return Problem(
        orders=tuple(orders),
        fleet=tuple(fleet),
        products={p.name: p for p in PRODUCTS},
        network=net,
        costs=CostModel(carbon_price=0.06),
        name=f"yanhu-{stops}-stops-seed{seed}",
        day="2026-10-15",
        meta={"scenario": "yanhu_day", "seed": seed, "stops": stops},
    )


# --- the tiered demo day -----------------------------------------------------------------------

#: Products of the tiered day.  Shelf lives count the hours a product may travel, waiting included;
#: apples and pears keep for weeks chilled, so nothing in one day limits them (``None``), but they
#: may spend only a few hours out of refrigeration (``ambient_limit_h``): enough to ride an
#: unrefrigerated light truck from the orchard to the station's cold store.  Dates (fresh jujube)
#: must stay cold.  Assumed values (no published figure for the district), value in ¥ per kg.
TIER_PRODUCTS = (
    Product("frozen_food", Zone.FROZEN, shelf_life_h=12, value=18.0),
    Product("dairy_meat", Zone.CHILLED, shelf_life_h=10, value=30.0),
    Product("vegetables", Zone.FRESH, shelf_life_h=24, value=6.0),
    Product("parcels", Zone.AMBIENT, value=0.0),
    Product("apples", Zone.FRESH, value=7.0, ambient_limit_h=8),
    Product("pears", Zone.FRESH, value=6.0, ambient_limit_h=6),
    Product("dates", Zone.FRESH, shelf_life_h=24, value=14.0),
)

#: Share of the district's villages the demo day plans (a seeded draw per township, at least one
#: each): the day is sized to plan within ``DEMO_TIME_LIMIT`` on two cores.  Assumed.
TIER_DAY_SHARE = 0.25
#: What each station's cold store holds at once (kg) and its opening hours.  Assumed: station sites
#: and their equipment are not published.
STATION_COLD_STORE_KG = 3000.0
STATION_HOURS = ("06:00", "20:00")
#: A village is a candidate for vans from the hub when the hub is at most this many times as far as
#: its station (the planner then compares the cost of both ways).
TIER_DIRECT_RATIO = 0.7
#: Vans per station: the two large stations serve most villages.
STATION_VANS = {"st_beixiang": 3, "st_jiezhou": 3, "st_sanluli": 3}


def _tier_fleets(net: networks.Network) -> tuple[list[VehicleType], dict[str, list[VehicleType]]]:
    """Three 5 t multi-temperature trucks; three-zone vans and an unrefrigerated light truck (parcels, and
    apples and pears within their time out of refrigeration) at every station; city vans at the hub."""
    trunk = VehicleType(
        "reefer_trunk",
        3,
        (Compartment(Zone.FROZEN, 1000), Compartment(Zone.CHILLED, 2500), Compartment(Zone.AMBIENT, 2500)),
        start_depot="hub",
        total_capacity=5000,
        fixed_cost=350,
        cost_per_km=1.3,
        cost_per_hour=45,
        shift=(parse_clock("05:00"), parse_clock("21:00")),
        max_duration=12 * 3600,
        speed_factor=1.15,
    )
    van = VehicleType(
        "reefer_van",
        2,
        (Compartment(Zone.FROZEN, 200), Compartment(Zone.CHILLED, 800), Compartment(Zone.AMBIENT, 900)),
        start_depot="hub",
        fixed_cost=120,
        cost_per_km=0.6,
        cost_per_hour=35,
        shift=(parse_clock("06:00"), parse_clock("19:00")),
        max_duration=10 * 3600,
    )
    city_van = VehicleType(
        "city_van",
        2,
        (Compartment(Zone.FROZEN, 150), Compartment(Zone.CHILLED, 500), Compartment(Zone.AMBIENT, 600)),
        start_depot="hub",
        fixed_cost=0,
        cost_per_km=0.5,
        cost_per_hour=32,
        shift=(parse_clock("06:00"), parse_clock("19:00")),
        max_duration=10 * 3600,
    )
    light_truck = VehicleType(
        "light_truck",
        1,
        (Compartment(Zone.AMBIENT, 1500),),
        start_depot="hub",
        fixed_cost=60,
        cost_per_km=0.4,
        cost_per_hour=30,
        shift=(parse_clock("06:00"), parse_clock("19:00")),
        max_duration=10 * 3600,
    )
    vans = {
        str(s): [dataclasses_replace(van, count=STATION_VANS.get(str(s), 2)), light_truck] for s in net.stations.index
    }
    vans[str(net.hub.index[0])] = [city_van]
    return [trunk], vans


def _drawn(rng: np.random.Generator, committees: Any) -> list[str]:
    """A seeded ``TIER_DAY_SHARE`` of each township's committees (at least one), sorted."""
    out: list[str] = []
    for _, ids in sorted(committees.groupby("township").groups.items()):
        ids = sorted(str(i) for i in ids)
        k = max(1, int(round(TIER_DAY_SHARE * len(ids))))
        out += [ids[int(i)] for i in rng.choice(len(ids), size=k, replace=False)]
    return sorted(out)


def _split(rng: np.random.Generator, mean: float, n: int) -> list[float]:
    """``n`` seeded amounts around ``mean`` (kg, whole) that add up to ``n × mean`` (to the kilogram)."""
    w = rng.lognormal(0.0, 0.35, size=n)
    raw = mean * n * w / w.sum()
    out = np.floor(raw)
    short = int(round(mean * n - out.sum()))
    out[np.argsort(-(raw - out), kind="stable")[:short]] += 1
    return [float(x) for x in out]


def yanhu_tier_day(seed: int = 0, *, roads: bool = True) -> TierScenario:
    """A harvest-season day on all three tiers of the Yanhu network, volumes derived from public figures.

    Goods go from the hub's cold store by trunk to the four stations and on by van to the villages
    (or straight from the hub, where that is cheaper); apples, pears and dates are picked up at
    villages, wait in the stations' cold stores and go up to the hub by trunk.  The district's daily
    flows come from [logistics.app.volumes.district_day][] (published figures, every assumption
    marked); the day plans a seeded ``TIER_DAY_SHARE`` of the committees of every township, each
    with the district's per-committee flow spread by seeded weights.  Crops per township are assumed
    (``CROPS``; no per-township source found).  Deterministic for a given ``seed``.

    Parameters
    ----------
    seed
        Which committees the day plans and how the amounts spread.
    roads
        Road travel times on the estimated corridor skeleton (``False``: straight lines).

    Returns
    -------
    TierScenario
        The day (2026-10-15); ``meta`` holds the volume basis (``basis``), the crops per township
        with their status, the share planned and the totals the orders add up to.
    """
    rng = np.random.default_rng(seed)
    net = networks.yanhu(roads=roads)
    v = net.villages
    committees = v[v["kind"].isin(["village", "community"])]
    day = district_day()
    n = len(committees)
    orders: list[Order] = []
    totals: dict[str, float] = {}
    down = _drawn(rng, committees)
    amounts = {p: _split(rng, day[p] / n, len(down)) for p in ("parcels", "dairy_meat", "frozen_food", "vegetables")}
    for k, vid in enumerate(down):
        q = {p: amounts[p][k] for p in amounts if amounts[p][k] > 0}
        morning = rng.random() < 0.25
        tw = (parse_clock("07:00"), parse_clock("12:00")) if morning else (parse_clock("08:00"), parse_clock("18:00"))
        orders.append(
            Order(f"D{k:03d}", q, node_id=vid, time_windows=(tw,), service=300 + int(sum(q.values()) / 50 * 60))
        )
    crop_of = {str(i): CROPS[t] for i, t in committees["township"].items()}
    up = _drawn(rng, committees)
    for crop in ("apples", "pears", "dates"):
        growers = [i for i in up if crop_of[i] == crop]
        per_committee = day[crop] / sum(1 for c in crop_of.values() if c == crop)
        for vid, qty in zip(growers, _split(rng, per_committee, len(growers))):
            orders.append(
                Order(
                    f"P-{crop}-{vid}",
                    {crop: qty},
                    node_id=vid,
                    kind="pickup",
                    time_windows=((parse_clock("09:00"), parse_clock("17:00")),),
                    service=600 + int(qty / 100 * 60),
                )
            )
    for o in orders:
        for p, x in o.quantities.items():
            totals[p] = totals.get(p, 0.0) + x
    trunk, vans = _tier_fleets(net)
    hours = (parse_clock(STATION_HOURS[0]), parse_clock(STATION_HOURS[1]))
    settings = TierSettings(
        products={p.name: p for p in TIER_PRODUCTS},
        costs=CostModel(carbon_price=0.06),
        day="2026-10-15",
        cold_store_capacity=dict.fromkeys(net.stations.index, STATION_COLD_STORE_KG),
        opening_hours=dict.fromkeys(net.stations.index, hours),
        direct_ratio=TIER_DIRECT_RATIO,
    )
    meta = {
        "scenario": "yanhu_tier_day",
        "seed": seed,
        "day": "2026-10-15",
        "basis": basis(),
        "share_planned": TIER_DAY_SHARE,
        "committees": n,
        "deliveries_to": len(down),
        "pickups_at": len(up),
        "crops": {t: {"crop": c, "status": "assumed"} for t, c in sorted(CROPS.items())},
        "station_cold_store_kg": {"value": STATION_COLD_STORE_KG, "status": "assumed"},
        "station_hours": {"value": list(STATION_HOURS), "status": "assumed"},
        "totals_kg": {p: round(x, 3) for p, x in sorted(totals.items())},
    }
    return TierScenario(net, tuple(orders), tuple(trunk), vans, settings, meta)
