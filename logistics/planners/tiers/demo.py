"""Demo data for the tier planner: a synthetic three-tier network, village orders and two fleets.

Small, seeded and fast to plan, so examples, tests and docs show every feature of the planner
(direct service near the hub, produce pickups, chilled goods with short shelf lives) in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from logistics.core.model import Compartment, Order, Product, VehicleType
from logistics.core.units import Zone
from networks import Network

__all__ = ["DEMO_PRODUCTS", "demo_fleets", "demo_network", "demo_orders"]


def demo_network(
    stations: int = 3, villages_per_station: int = 8, near_hub: int = 3, seed: int = 0, radius_km: float = 18.0
) -> Network:
    """A small synthetic three-tier network around Yanhu's hub position (every node ``synthetic``).

    Stations sit on a ring ``radius_km`` from the hub, villages within ~7 km of
    their station, plus ``near_hub`` villages close to the hub that still belong
    to the nearest station (candidates for direct service).

    Parameters
    ----------
    stations
        Number of stations.
    villages_per_station
        Villages placed around each station.
    near_hub
        Extra villages close to the hub.
    seed
        Random seed for the village positions.
    radius_km
        Distance of the stations from the hub.

    Returns
    -------
    Network
        A network named ``demo-tiers``; travel times come from straight lines (``synthetic``).
    """
    rng = np.random.default_rng(seed)
    lat0, lon0 = 35.07, 111.03
    kx = 1.0 / (111.32 * math.cos(math.radians(lat0)))
    ky = 1.0 / 110.57
    rows = [{"node_id": "hub", "name": "hub", "tier": "hub", "parent": None, "lon": lon0, "lat": lat0}]
    st_xy = {}
    for k in range(stations):
        ang = 2 * math.pi * k / stations + 0.3
        x, y = radius_km * math.cos(ang), radius_km * math.sin(ang)
        sid = f"st{k + 1}"
        st_xy[sid] = (x, y)
        rows.append(
            {
                "node_id": sid,
                "name": f"station {k + 1}",
                "tier": "station",
                "parent": "hub",
                "lon": lon0 + x * kx,
                "lat": lat0 + y * ky,
            }
        )
    n = 0
    for sid, (x, y) in st_xy.items():
        for _ in range(villages_per_station):
            r, a = rng.uniform(2.0, 7.0), rng.uniform(0, 2 * math.pi)
            n += 1
            rows.append(
                {
                    "node_id": f"v{n:03d}",
                    "name": f"village {n}",
                    "tier": "village",
                    "parent": sid,
                    "lon": lon0 + (x + r * math.cos(a)) * kx,
                    "lat": lat0 + (y + r * math.sin(a)) * ky,
                }
            )
    for _ in range(near_hub):
        r, a = rng.uniform(1.5, 4.0), rng.uniform(0, 2 * math.pi)
        x, y = r * math.cos(a), r * math.sin(a)
        sid = min(st_xy, key=lambda s: (st_xy[s][0] - x) ** 2 + (st_xy[s][1] - y) ** 2)
        n += 1
        rows.append(
            {
                "node_id": f"v{n:03d}",
                "name": f"village {n}",
                "tier": "village",
                "parent": sid,
                "lon": lon0 + x * kx,
                "lat": lat0 + y * ky,
            }
        )
    df = pd.DataFrame(rows)
    df["synthetic"] = True
    gdf = gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326"
    )
    return Network(gdf, name="demo-tiers")


DEMO_PRODUCTS = {
    "meat": Product("meat", Zone.CHILLED, shelf_life_h=12, value=40.0),
    "vegetables": Product("vegetables", Zone.FRESH, shelf_life_h=24, value=6.0),
    "groceries": Product("groceries", Zone.AMBIENT, value=10.0),
    "produce": Product("produce", Zone.FRESH, shelf_life_h=10, value=8.0),
}


def demo_orders(
    network: Network, seed: int = 0, produce_share: float = 0.4, products: Mapping[str, Product] | None = None
) -> list[Order]:
    """One delivery per village (chilled/fresh/ambient mix) and produce pickups from some villages.

    Parameters
    ----------
    network
        The network whose villages get orders.
    seed
        Random seed for quantities and which villages send produce.
    produce_share
        Probability that a village also has a produce pickup.
    products
        Unused; the orders name [DEMO_PRODUCTS][logistics.planners.tiers.demo.DEMO_PRODUCTS].

    Returns
    -------
    list of Order
        ``d-<village>`` deliveries (08:00-18:00) and ``p-<village>`` pickups (09:00-17:00).
    """
    rng = np.random.default_rng(seed)
    out = []
    for v in sorted(network.villages.index):
        q = {
            "meat": float(rng.integers(0, 4) * 10),
            "vegetables": float(rng.integers(1, 6) * 10),
            "groceries": float(rng.integers(0, 5) * 10),
        }
        out.append(
            Order(
                f"d-{v}",
                {k: x for k, x in q.items() if x > 0},
                node_id=v,
                time_windows=((8 * 3600, 18 * 3600),),
                service=300,
            )
        )
        if rng.random() < produce_share:
            out.append(
                Order(
                    f"p-{v}",
                    {"produce": float(rng.integers(2, 9) * 25)},
                    node_id=v,
                    kind="pickup",
                    time_windows=((9 * 3600, 17 * 3600),),
                    service=600,
                )
            )
    return out


def demo_fleets(trunk: int = 3, vans: int = 3) -> tuple[list[VehicleType], list[VehicleType]]:
    """A 5 t reefer truck type for the trunk and a 1.2 t two-compartment van type for the last mile.

    Parameters
    ----------
    trunk
        Number of trucks.
    vans
        Vans per depot.

    Returns
    -------
    tuple of list of VehicleType
        ``([truck type], [van type])``; the planner moves their depots to the hub and stations.
    """

    truck = VehicleType(
        "reefer-5t",
        trunk,
        (Compartment(Zone.CHILLED, 2000), Compartment(Zone.FRESH, 2500), Compartment(Zone.AMBIENT, 1500)),
        start_depot="hub",
        fixed_cost=300.0,
        cost_per_km=2.2,
        cost_per_hour=45.0,
        shift=(5 * 3600, 22 * 3600),
        speed_factor=1.15,
    )
    van = VehicleType(
        "van-1t",
        vans,
        (Compartment(Zone.CHILLED, 500), Compartment(Zone.AMBIENT, 700)),
        start_depot="hub",
        fixed_cost=120.0,
        cost_per_km=1.1,
        cost_per_hour=30.0,
        shift=(6 * 3600, 20 * 3600),
    )
    return [truck], [van]
