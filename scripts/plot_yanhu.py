"""Draw the built-in Yanhu network into docs/img/yanhu.png (matplotlib, no map tiles, Latin labels).

    python scripts/plot_yanhu.py [--out PATH] [--roads]

Shows the district outline, the estimated township extents, the two lakes, the
estimated built-up core, the committees of both layers, the township seats, the
stations and the hub; with ``--roads``, the estimated road corridors
(networks/data/yanhu_corridors.geojson) and the 中条山 slopes south of 解州.
Marker styles say what is sourced, estimated or generated.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import networks  # noqa: E402
from networks import yanhu_geo as geo  # noqa: E402
from networks.corridors import corridors  # noqa: E402


def _rings(ax, geom, **kw) -> None:
    for part in shapely.get_parts(geom):
        ax.plot(*part.exterior.xy, **kw)


def _fill(ax, geom, **kw) -> None:
    for part in shapely.get_parts(geom):
        ax.fill(*part.exterior.xy, **kw)
        kw.pop("label", None)


def draw(out: Path, roads: bool = False) -> Path:
    """Draw the map.

    Parameters
    ----------
    out : pathlib.Path
        PNG to write.
    roads : bool
        Also draw the estimated corridors and the mountain slopes.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    net = networks.yanhu(urban=True)
    n = net.nodes
    fig, ax = plt.subplots(figsize=(7.5, 9.0))
    ext = geo.extents()
    for _, cell in ext.geometry.items():
        _rings(ax, cell, color="#9a9a9a", lw=0.5, ls="--")
    u = geo.units()
    for key, r in u.iterrows():
        c = ext.geometry[key].representative_point()
        if r["level"] != "subdistrict":
            ax.annotate(str(key), (c.x, c.y), fontsize=6.5, color="#555", ha="center", va="top")
    _fill(ax, geo.urban_core(), color="#f3c98b", alpha=0.6, label="built-up core (estimated)")
    _fill(ax, geo.salt_lake(), color="#7cc6d6", label="salt lake and Xiaochi (estimated outlines, 132 km² published)")
    _fill(ax, geo.xiao_chi(), color="#7cc6d6")
    _rings(ax, geo.outline(), color="black", lw=1.3)
    if roads:
        _fill(ax, geo.zhongtiao_slopes(), color="#c9b38f", alpha=0.5, label="Zhongtiao slopes (estimated foot)")
        road_styles: dict[str, dict[str, Any]] = {
            "motorway": {"color": "#1f4e9c", "lw": 2.0},
            "trunk": {"color": "#b22", "lw": 1.6},
            "primary": {"color": "#d2691e", "lw": 1.3},
            "secondary": {"color": "#c77", "lw": 1.0},
        }
        seen: set[str] = set()
        for _, c in corridors().iterrows():
            style = dict(road_styles[c["road_class"]])
            if c["road_class"] not in seen:
                style["label"] = f"{c['road_class']} corridor (estimated)"
                seen.add(c["road_class"])
            ax.plot(*c.geometry.xy, zorder=2, **style)
    layers: list[tuple[Any, dict[str, Any]]] = [
        (n["kind"].eq("village") & n["layer"].eq("rural"), dict(s=9, c="#2a6f2a", label="village committee (rural)")),
        (n["kind"].eq("community") & n["layer"].eq("rural"), dict(s=12, c="#8a2be2", label="town community")),
        (
            n["kind"].eq("village") & n["layer"].eq("urban"),
            dict(s=9, c="#7aa37a", marker="s", label="village (urban layer)"),
        ),
        (n["kind"].eq("community") & n["layer"].eq("urban"), dict(s=7, c="#c05fc0", label="community (urban layer)")),
        (n["kind"].eq("township_seat"), dict(s=40, c="white", edgecolors="black", label="township seat (estimated)")),
        (n["kind"].eq("station"), dict(s=80, c="#d62728", marker="^", edgecolors="black", label="station (estimated)")),
        (n["kind"].eq("hub"), dict(s=160, c="#ffbf00", marker="*", edgecolors="black", label="hub (estimated)")),
    ]
    for mask, style in layers:
        g = n[mask].geometry
        ax.scatter(g.x, g.y, zorder=3, **style)
    ax.set_aspect(1 / math.cos(math.radians(35.05)))
    ax.set_xlabel("longitude (WGS84)")
    ax.set_ylabel("latitude")
    ax.set_title(
        "Yanhu District (140802): 309 committees of the 2023 division codes\n"
        "committee positions generated inside their unit's estimated extent",
        fontsize=9,
    )
    ax.legend(loc="lower right", fontsize=6.5, framealpha=0.9)
    ax.grid(True, lw=0.3, alpha=0.5)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and draw."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "yanhu.png")
    ap.add_argument("--roads", action="store_true")
    args = ap.parse_args(argv)
    print(f"wrote {draw(args.out, roads=args.roads)}")


if __name__ == "__main__":
    main()
