"""Boundary re-balancing: move villages near another depot there when the two depots get cheaper.

Only *boundary* villages are tried (the next station, or the hub for direct candidates, is within
``boundary_ratio`` of the current depot): single moves first, then swaps of two boundary villages
between two stations.  Each trial re-solves the two affected depots with a short limit and is
kept when they together get cheaper without leaving more orders out.  The pass ends after
``TIERS_STALL_TRIALS`` rejections in a row (the later trials are the less promising ones), and the
log says so (step ``"rebalance stalled"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from logistics.core.options import Budget
from logistics.core.shares import (
    TIERS_REBALANCE,
    TIERS_STALL_TRIALS,
    TIERS_TRIAL_CAP_S,
    TIERS_TRIAL_FLOOR_S,
    TIERS_TRIAL_PER_ORDER_S,
    TIERS_TRIAL_SHARE,
)
from logistics.planners.tiers.context import TierContext
from logistics.planners.tiers.legs import Leg, drop_empty, lm_problem, solve_legs

__all__ = ["boundary_moves", "rebalance"]

Change = list[tuple[str, str]]  # (village, new depot) moves tried together


def boundary_moves(
    ctx: TierContext, assign: Mapping[str, str], release: Mapping[str, int]
) -> list[tuple[float, str, str]]:
    """(ratio, village, target depot) for villages near another depot, most promising first.

    Parameters
    ----------
    ctx
        The planner's context.
    assign
        Village → depot.
    release
        Station → release of the current trunk plan (a delivery can only move to a station with one).

    Returns
    -------
    list of tuple
        Sorted moves whose distance ratio is at most ``boundary_ratio``.
    """
    lay = ctx.layout
    moves = []
    direct_ok = ctx.direct_mode == "auto"
    for v, d in assign.items():
        if v not in ctx.at_village or (d == ctx.hub and not direct_ok):
            continue
        has_del = any(o.kind == "delivery" for o in ctx.at_village[v])
        dv = max(1, ctx.dur(d, v))
        opts = []
        if d == ctx.hub:
            opts.append(lay.parent[v])
        else:
            others = sorted((ctx.dur(s, v), s) for s in lay.stations if s != d and ctx.lm_types.get(s))
            if others:
                opts.append(others[0][1])
            if direct_ok and ctx.dur(ctx.hub, v) <= ctx.direct_ratio * ctx.dur(lay.parent[v], v):
                opts.append(ctx.hub)
        for t in opts:
            if t != ctx.hub and has_del and t not in release:
                continue
            r = ctx.dur(t, v) / dv
            if r <= ctx.boundary_ratio:
                moves.append((round(r, 6), v, t))
    return sorted(moves)


def _trials(ctx: TierContext, assign: Mapping[str, str], singles: list[tuple[float, str, str]]) -> list[Change]:
    """Single moves, then swaps of two boundary villages between two stations (best first)."""
    swaps = []
    for r1, v, b in singles:
        a = assign[v]
        if a == ctx.hub or b == ctx.hub:
            continue
        for r2, w, b2 in singles:
            if b2 == a and assign[w] == b:
                swaps.append((r1 + r2, v, w))
    swaps = sorted(swaps)[: 2 * len(singles)]
    return [[(v, t)] for _, v, t in singles] + [[(v, assign[w]), (w, assign[v])] for _, v, w in swaps]


def rebalance(ctx: TierContext, assign: dict[str, str], legs: dict[str, Leg], release: Mapping[str, int]) -> bool:
    """Try single moves to the next depot, then swaps; ``assign`` and ``legs`` updated with kept moves.

    The pass ends early after ``TIERS_STALL_TRIALS`` trials in a row were rejected: the trials come
    most promising first, so a long run of rejections means the rest will not pay either, and the
    day is answered that much sooner.

    Parameters
    ----------
    ctx
        The planner's context (``settings.rebalance`` caps the number of trials when an int).
    assign
        Village → depot, updated in place.
    legs
        Depot → solved leg, updated in place.
    release
        Station → release of the current trunk plan.

    Returns
    -------
    bool
        Whether any village moved.
    """
    singles = boundary_moves(ctx, assign, release)
    if not singles:
        return False
    trials = _trials(ctx, assign, singles)
    setting = ctx.settings.rebalance
    limit = setting if isinstance(setting, int) and not isinstance(setting, bool) else len(trials)
    phase = Budget.start(ctx.phase_s(TIERS_REBALANCE))
    short = TIERS_TRIAL_FLOOR_S
    moved: set[str] = set()
    changed = False
    tried = rejected = 0
    for k, change in enumerate(trials):
        if tried >= limit or phase.left() < short:
            break
        if rejected >= TIERS_STALL_TRIALS:
            ctx.log.append({"step": "rebalance stalled", "rejected_in_a_row": rejected, "untried": len(trials) - k})
            break
        if any(v in moved or assign[v] == t for v, t in change):
            continue
        new_assign = dict(assign)
        for v, t in change:
            new_assign[v] = t
        depots = sorted({assign[v] for v, _ in change} | {t for _, t in change})
        if not all(_fits(ctx, d, [x for x, y in new_assign.items() if y == d]) for d in depots):
            continue
        tried += 1
        n = max(sum(len(ctx.at_village.get(x, [])) for x, y in new_assign.items() if y == d) for d in depots)
        short = max(
            TIERS_TRIAL_FLOOR_S,
            min(TIERS_TRIAL_SHARE * ctx.budget.limit, TIERS_TRIAL_CAP_S, TIERS_TRIAL_PER_ORDER_S * n),
        )
        if _try(ctx, change, assign, new_assign, depots, legs, release, short):
            moved.update(v for v, _ in change)
            changed = True
            rejected = 0
        else:
            rejected += 1
    drop_empty(legs, assign)
    return changed


def _try(
    ctx: TierContext,
    change: Change,
    assign: dict[str, str],
    new_assign: dict[str, str],
    depots: list[str],
    legs: dict[str, Leg],
    release: Mapping[str, int],
    short: float,
) -> bool:
    """Re-solve ``depots`` under ``new_assign`` for ``short`` seconds; keep (and log) it when cheaper."""
    trial = {
        d: lm_problem(ctx, d, [x for x, y in new_assign.items() if y == d], release.get(d) if d != ctx.hub else None)
        for d in depots
    }
    solve_legs(ctx, trial, short, cap=True)
    old = sum(legs[d].score() if d in legs else 0.0 for d in depots)
    new = sum(trial[d].score() for d in depots)
    keep = new < old - 1e-6
    ctx.log.append(
        {
            "step": "move" if len(change) == 1 else "swap",
            "village": change[0][0] if len(change) == 1 else [v for v, _ in change],
            "from": assign[change[0][0]],
            "to": change[0][1],
            "before": round(old, 2),
            "after": round(new, 2),
            "kept": keep,
        }
    )
    if keep:
        assign.update(new_assign)
        legs.update(trial)
    return keep


def _fits(ctx: TierContext, depot: str, villages: Iterable[str]) -> bool:
    """Necessary condition: the depot's vans can hold all its deliveries, and all its produce, at once."""
    cap = sum(vt.count * vt.capacity for vt in ctx.lm_types.get(depot, []))
    down = up = 0.0
    for v in villages:
        for o in ctx.at_village.get(v, []):
            q = sum(o.quantities.values())
            if o.kind == "delivery":
                down += q
            else:
                up += q
    return down <= cap + 1e-9 and up <= cap + 1e-9
