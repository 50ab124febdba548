"""``timeline.png`` of a three-tier day: every vehicle's day grouped by tier, hand-overs joined.

Trunk trucks first (a truck's outbound and inbound waves on one row), then the stations' vans,
then the hub's direct vans; each hand-over's trunk event is joined to its van event with a
line, so the goods' waits at the stations are visible.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logistics.app.plots import SEGMENT_COLORS, draw_vehicle, save_figure, time_axis
from logistics.app.tier_figures import DIRECTION_COLORS, TIER_COLORS, TIERS, handovers, physical_trucks
from logistics.core.extras import require
from logistics.planners.tiers.result import TieredPlan

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["tier_timeline", "timeline_rows", "write_tier_timeline"]


def timeline_rows(tp: TieredPlan) -> dict[str, tuple[str, int]]:
    """Row of every vehicle in the tier timeline: trunk trucks, then vans by depot, then direct vans.

    Parameters
    ----------
    tp
        The tiered plan.

    Returns
    -------
    dict
        Vehicle id → (tier, row index); a truck's outbound and inbound waves share its row.
    """
    st = tp.stops
    out: dict[str, tuple[str, int]] = {}
    labels: dict[str, int] = {}
    phys = physical_trucks(tp)
    for tier in TIERS:
        g = st[st["tier"] == tier] if len(st) else st
        order = g.sort_values(["depot", "vehicle"], kind="stable") if tier != "trunk" else g
        for vid in dict.fromkeys(order["vehicle"].astype(str)):
            key = phys.get(vid, vid) if tier == "trunk" else vid
            if key not in labels:
                labels[key] = len(labels)
            out[vid] = (tier, labels[key])
    return out


def tier_timeline(tp: TieredPlan, ax: Axes | None = None) -> Figure:
    """Each vehicle's day grouped by tier, with a line joining the two ends of every hand-over.

    A down hand-over joins the truck's arrival at the station (on the truck's row) to the
    van's departure (on the van's row); an up hand-over joins the van's return to the truck's
    departure.  The lines carry ``gid="handover"`` and one per row of `handovers`.

    Parameters
    ----------
    tp
        The tiered plan.
    ax
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
        Built without pyplot (safe in workers and servers).

    Raises
    ------
    MissingExtraError
        matplotlib is not installed (extra ``[maps]``).
    """
    mfig = require("matplotlib.figure", "maps", "timeline plots")
    Line2D = require("matplotlib.lines", "maps", "timeline plots").Line2D
    Patch = require("matplotlib.patches", "maps", "timeline plots").Patch
    rows = timeline_rows(tp)
    n_rows = max((r for _, r in rows.values()), default=-1) + 1
    if ax is None:
        fig = mfig.Figure(figsize=(12, 1.8 + 0.38 * max(1, n_rows)), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    st = tp.stops
    lo, hi = math.inf, -math.inf
    labels: dict[int, str] = {}
    phys = physical_trucks(tp)
    for vid, (tier, y) in rows.items():
        g = st[st["vehicle"].astype(str) == vid].sort_values("seq")
        draw_vehicle(ax, g, y)
        labels[y] = phys.get(vid, vid) if tier == "trunk" else vid
        lo, hi = min(lo, float(g["departure"].iloc[0])), max(hi, float(g["arrival"].iloc[-1]))
    pairs: Any = handovers(tp).itertuples()  # named tuples of the hand-over columns
    for h in pairs:
        a, b = rows.get(str(h.trunk_vehicle)), rows.get(str(h.last_mile_vehicle))
        if a is None or b is None:
            continue
        ax.plot(
            [h.trunk_time / 3600, h.van_time / 3600],
            [a[1], b[1]],
            color=DIRECTION_COLORS[str(h.direction)],
            linestyle=":",
            linewidth=1.2,
            marker="o",
            markersize=3.5,
            gid="handover",
        )
    _tier_bands(ax, rows)
    ax.set_yticks(sorted(labels))
    ax.set_yticklabels([labels[y] for y in sorted(labels)], fontsize=8)
    ax.set_ylim(n_rows - 0.5 if n_rows else 0.5, -0.5)
    time_axis(ax, lo, hi)
    handles = [Patch(color=c, label=k) for k, c in SEGMENT_COLORS.items()] + [
        Line2D([], [], color=c, linestyle=":", marker="o", label=f"hand-over {d}") for d, c in DIRECTION_COLORS.items()
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=5, fontsize=8, frameon=False)
    ax.set_title(tp.summary(), fontsize=9, loc="left")
    return fig


def _tier_bands(ax: Axes, rows: dict[str, tuple[str, int]]) -> None:
    """A separator line and a label at the start of each tier's group of rows."""
    for tier in TIERS:
        ys = [y for t, y in rows.values() if t == tier]
        if not ys:
            continue
        top = min(ys) - 0.5
        if top > -0.5:
            ax.axhline(top, color="#444444", linewidth=0.8)
        ax.text(
            1.005,
            (min(ys) + max(ys)) / 2,
            tier.replace("_", " "),
            transform=ax.get_yaxis_transform(),
            rotation=90,
            va="center",
            ha="left",
            fontsize=8,
            color=TIER_COLORS[tier],
        )


def write_tier_timeline(tp: TieredPlan, path: str | Path) -> Path:
    """Write a tiered plan's ``timeline.png`` (see `tier_timeline`).

    Parameters
    ----------
    tp
        The tiered plan.
    path
        The image file (format from its suffix).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    MissingExtraError
        matplotlib is not installed (extra ``[maps]``).
    """
    return save_figure(tier_timeline(tp), path)
