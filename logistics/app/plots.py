"""A matplotlib timeline of each vehicle's day: driving, waiting and service per vehicle.

``timeline(plan)`` builds a bare `matplotlib.figure.Figure` (no pyplot state), and
`save_figure` renders it with the Agg canvas.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from logistics.core.extras import require
from logistics.core.plan import Plan
from logistics.core.units import fmt_clock

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# --------------------------------------------------------------------------- timeline

SEGMENT_COLORS = {"driving": "#4c78a8", "waiting": "#f2cf5b", "service": "#54a24b"}


def timeline(plan: Plan, ax: Axes | None = None) -> Figure:
    """Gantt chart of driving, waiting and service per vehicle.

    Parameters
    ----------
    plan
        The plan to draw.
    ax
        Draw into these axes (e.g. a notebook's subplot); a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, built without pyplot so it is safe in worker processes and servers.

    Raises
    ------
    MissingExtraError
        matplotlib is not installed (extra ``[maps]``).
    """
    Figure = require("matplotlib.figure", "maps", "timeline plots").Figure
    Patch = require("matplotlib.patches", "maps", "timeline plots").Patch

    stops = plan.stops
    vehicles = list(dict.fromkeys(stops["vehicle"])) if len(stops) else []
    if ax is None:
        fig = Figure(figsize=(11, 1.4 + 0.42 * max(1, len(vehicles))), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    lo, hi = math.inf, -math.inf
    for i, vid in enumerate(vehicles):
        g = stops[stops["vehicle"] == vid].sort_values("seq")
        draw_vehicle(ax, g, i)
        lo = min(lo, float(g["departure"].iloc[0]))
        hi = max(hi, float(g["arrival"].iloc[-1]))
    ax.set_yticks(range(len(vehicles)))
    ax.set_yticklabels([str(v) for v in vehicles])
    ax.invert_yaxis()
    time_axis(ax, lo, hi)
    ax.legend(
        handles=[Patch(color=c, label=k) for k, c in SEGMENT_COLORS.items()],
        loc="upper right",
        ncols=3,
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(1, 1.0 + 0.6 / max(2, len(vehicles) + 2)),
    )
    try:
        ax.set_title(plan.summary(), fontsize=9, loc="left")
    except Exception:
        pass
    return fig


def draw_vehicle(ax: Axes, stops: pd.DataFrame, y: float, height: float = 0.7) -> None:
    """Draw one vehicle's driving, waiting and service bars on row ``y``.

    Parameters
    ----------
    ax
        The axes (hours on x).
    stops
        The vehicle's stops in order (a plan's stop frame, one vehicle).
    y
        The row's centre.
    height
        The bars' height in row units.
    """
    segs: dict[str, list[tuple[float, float]]] = {k: [] for k in SEGMENT_COLORS}
    prev = None
    rows: Any = stops.itertuples()  # named tuples of the stop columns
    for r in rows:
        if prev is not None and r.travel_duration > 0:
            segs["driving"].append((prev, float(r.arrival) - prev))
        if r.wait > 0:
            segs["waiting"].append((float(r.arrival), float(r.wait)))
        if r.service > 0:
            segs["service"].append((float(r.start), float(r.service)))
        prev = float(r.departure)
    for kind, bars in segs.items():
        if bars:
            ax.broken_barh(
                [(a / 3600, b / 3600) for a, b in bars],
                (y - height / 2, height),
                facecolors=SEGMENT_COLORS[kind],
                edgecolor="white",
                linewidth=0.4,
            )


def time_axis(ax: Axes, lo: float, hi: float) -> None:
    """Clock-time x axis from ``lo`` to ``hi`` (seconds from midnight), "no routes" when empty.

    Parameters
    ----------
    ax
        The axes (hours on x).
    lo, hi
        The first departure and the last arrival drawn; ``inf``/``-inf`` when nothing was drawn.
    """
    ticker: Any = require("matplotlib.ticker", "maps", "timeline plots")
    if math.isfinite(lo) and math.isfinite(hi):
        pad = max(0.25, (hi - lo) / 3600 * 0.03)
        ax.set_xlim(lo / 3600 - pad, hi / 3600 + pad)
        span = (hi - lo) / 3600
        ax.xaxis.set_major_locator(ticker.MultipleLocator(1 if span <= 16 else 2 if span <= 36 else 6))
    else:
        ax.text(0.5, 0.5, "no routes", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlim(0, 24)
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda h, _: fmt_clock(h * 3600)))
    ax.set_xlabel("time of day")
    ax.grid(axis="x", alpha=0.3)


def save_figure(fig: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Render with the Agg canvas (no display needed) and save.

    Parameters
    ----------
    fig
        A figure from `timeline`.
    path
        The image file (format from its suffix).
    dpi
        Resolution.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    agg = require("matplotlib.backends.backend_agg", "maps", "timeline plots")
    agg.FigureCanvasAgg(fig)
    fig.savefig(str(path), dpi=dpi)
    return Path(path)
