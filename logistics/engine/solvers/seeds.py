"""Routes as the engines hand them to each other: order indices per vehicle, with reload markers.

A seed (a PyVRP skeleton, a warm-start plan, a repaired route) is one list per vehicle of order
indices in visit order.  A vehicle that makes several trips returns to its start depot between
them; the return is the marker `RELOAD` in its list, so ``[3, 5, RELOAD, 2]`` is two trips.  This
module imports nothing, so that a worker interpreter running PyVRP can use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["RELOAD", "orders_of", "reload_positions", "split_trips", "with_reloads"]

#: A return to the start depot between two trips, in a seed's list of order indices.
RELOAD = -1


def orders_of(seq: Iterable[int]) -> list[int]:
    """The orders of a seed route, reload markers left out.

    Parameters
    ----------
    seq
        Order indices and `RELOAD` markers.

    Returns
    -------
    list of int
        Order indices in visit order.
    """
    return [int(i) for i in seq if int(i) != RELOAD]


def split_trips(seq: Iterable[int]) -> list[list[int]]:
    """A seed route cut into its trips (a trip may be empty: two markers in a row).

    Parameters
    ----------
    seq
        Order indices and `RELOAD` markers.

    Returns
    -------
    list of list of int
        One list of order indices per trip; ``len(...) - 1`` reloads.
    """
    trips: list[list[int]] = [[]]
    for i in seq:
        if int(i) == RELOAD:
            trips.append([])
        else:
            trips[-1].append(int(i))
    return trips


def reload_positions(seq: Iterable[int]) -> list[int]:
    """Orders served before each reload of a seed route, in route order.

    Parameters
    ----------
    seq
        Order indices and `RELOAD` markers.

    Returns
    -------
    list of int
        One count per reload (the ``pos`` of `logistics.core.plan.RouteResult.reloads`).
    """
    out, served = [], 0
    for i in seq:
        if int(i) == RELOAD:
            out.append(served)
        else:
            served += 1
    return out


def with_reloads(orders: Sequence[int], positions: Iterable[int]) -> list[int]:
    """Order indices with a `RELOAD` marker before the order at each position.

    Parameters
    ----------
    orders
        Order indices in visit order.
    positions
        Orders served before each reload (as `reload_positions` gives them); a position past the
        last order is dropped (a reload after the last order carries nothing).

    Returns
    -------
    list of int
        The seed route.
    """
    at: dict[int, int] = {}
    for pos in positions:
        if 0 <= int(pos) < len(orders):
            at[int(pos)] = at.get(int(pos), 0) + 1
    out: list[int] = []
    for k, i in enumerate(orders):
        out += [RELOAD] * at.get(k, 0)
        out.append(int(i))
    return out
