"""Build a small three-tier network and a cold-chain problem by hand, solve it and look at the plan.

    python examples/custom_network.py [OUT_DIR]     (default: out/custom_network)

A hub, two township stations and five villages (positions made up for the
example, flagged ``synthetic``); a 2-tonne reefer truck with frozen, chilled and
ambient compartments; milk, dumplings, rice and a pickup of apples that must
reach the hub's cold store within its shelf life.

Environment: COLDROUTE_EXAMPLE_TIME (seconds of search, default 5).
"""

from __future__ import annotations

import os
import sys

import geopandas as gpd
from shapely.geometry import Point

import logistics
import networks
from logistics import Compartment, Order, Problem, Product, VehicleType
from logistics.app.run import write_outputs

TIME_LIMIT = float(os.environ.get("COLDROUTE_EXAMPLE_TIME", "5"))


def build_network() -> networks.Network:
    rows = [
        # node_id, name, tier, parent, lon, lat
        ("hub", "district logistics park", "hub", None, 111.03, 35.07),
        ("st-n", "north station", "station", "hub", 110.98, 35.12),
        ("st-se", "south-east station", "station", "hub", 111.08, 35.00),
        ("v1", "village 1", "village", "st-n", 110.96, 35.14),
        ("v2", "village 2", "village", "st-n", 110.995, 35.145),
        ("v3", "village 3", "village", "st-se", 111.10, 34.985),
        ("v4", "village 4", "village", "st-se", 111.115, 35.01),
        ("v5", "village 5", "village", "st-se", 111.06, 34.975),
    ]
    nodes = gpd.GeoDataFrame(
        {
            "node_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "tier": [r[2] for r in rows],
            "parent": [r[3] for r in rows],
            "synthetic": True,
        },
        geometry=[Point(r[4], r[5]) for r in rows],
        crs="EPSG:4326",
    )
    return networks.Network(nodes, name="custom")


def build_problem(net: networks.Network) -> Problem:
    products = [
        Product("milk", zone="chilled", shelf_life_h=48, value=8.0),
        Product("dumplings", zone="frozen", value=12.0),
        Product("rice", zone="ambient"),
        Product("apples", zone="fresh", shelf_life_h=6, value=6.0),
    ]
    fleet = [
        VehicleType(
            "reefer-2t",
            count=2,
            start_depot="hub",
            compartments=(Compartment("frozen", 300), Compartment("chilled", 800), Compartment("ambient", 900)),
            fixed_cost=150.0,
            cost_per_km=1.2,
            shift=("06:00", "20:00"),
        )
    ]
    morning = (("08:00", "12:00"),)
    day = (("09:00", "16:00"),)
    orders = [
        Order("o-st-n", {"milk": 120, "dumplings": 40, "rice": 200}, node_id="st-n", time_windows=morning, service=600),
        Order("o-st-se", {"milk": 150, "rice": 300}, node_id="st-se", time_windows=morning, service=600),
        Order("o-v1", {"milk": 25, "rice": 40}, node_id="v1", time_windows=day, service=300),
        Order("o-v3", {"milk": 20, "dumplings": 10, "rice": 30}, node_id="v3", time_windows=day, service=300),
        Order("o-v4", {"milk": 15, "rice": 25}, node_id="v4", time_windows=day, service=300),
        Order(
            "o-v5",
            {"dumplings": 5, "milk": 10},
            node_id="v5",
            time_windows=day,
            service=300,
            required=False,
            penalty=50.0,
        ),
        # farm produce up to the hub: rides the chilled compartment, within 6 h of pickup
        Order("up-v2", {"apples": 300}, node_id="v2", kind="pickup", time_windows=(("10:00", "17:00"),), service=900),
    ]
    return Problem(orders=orders, fleet=fleet, products=products, network=net, name="custom-network", day="2026-03-02")


def main(out_dir: str = "out/custom_network") -> int:
    net = build_network()
    print(net.summary())
    problem = build_problem(net)
    plan = logistics.solve(problem, time_limit=TIME_LIMIT, seed=0)
    violations = logistics.validate(problem, plan)
    if violations:
        print("the plan is infeasible:", *violations, sep="\n  ")
        return 1
    print(plan.summary())
    cols = ["vehicle", "seq", "kind", "order_id", "node_id", "arrival", "load"]
    print(plan.stops_frame()[cols].to_string(index=False))
    write_outputs(problem, plan, out_dir, offline=True)
    print(f"results in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
