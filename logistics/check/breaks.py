"""Plan validator, per route: drivers' breaks and the continuous-driving rule.

Its own reading of the rules of `logistics.core.breaks`, from the plan's break stops alone:

* a break stop sits on a leg between two stops, after the previous stop's departure, and the next
  stop's arrival counts its length (the timing check adds it to the leg's travel, `after_breaks`);
* every break of the vehicle type is taken on the route (a break stop that long, starting in its
  window) unless the route leaves late enough or returns early enough to take it off duty;
* between the departure, every break stop of at least ``min_rest_min`` and the return, no more
  than ``max_driving_h`` passes.
"""

from __future__ import annotations

from typing import Any

from logistics.check.common import TIME_TOL, Report, fmt, num
from logistics.core.model import VehicleType
from logistics.core.units import fmt_clock

__all__ = ["BreakChecks", "after_breaks", "split_breaks"]


def split_breaks(recs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, Any]]]]:
    """The route's stop rows without its break rows, each with the breaks of the leg before it.

    Parameters
    ----------
    recs
        One route's rows in ``seq`` order.

    Returns
    -------
    tuple
        (the other rows, each with ``_leg_breaks``: (start, length) of the breaks on the leg that
        reaches it, see `after_breaks`; the break rows with the position of the row their leg leads to).
    """
    body: list[dict[str, Any]] = []
    breaks: list[tuple[int, dict[str, Any]]] = []
    leg: list[tuple[float, float]] = []
    for r in recs:
        if str(r["kind"]) == "break":
            breaks.append((len(body), r))
            leg.append((num(r.get("start")) or 0.0, num(r.get("service")) or 0.0))
            continue
        body.append({**r, "_leg_breaks": leg})
        leg = []
    return body, breaks


def after_breaks(ready: float, leg: list[tuple[float, float]]) -> float:
    """When the vehicle is ready at a stop: its arrival without breaks, each break's length added.

    A break taken while waiting at the stop ends no earlier than its start plus its length.

    Parameters
    ----------
    ready
        The previous departure plus the travel time.
    leg
        (start, length) of the leg's breaks, in order.

    Returns
    -------
    float
        The arrival the stop's row must show.
    """
    for s, d in leg:
        ready = max(ready + d, s + d)
    return ready


class BreakChecks(Report):
    """Checks of one route's break stops against its vehicle type's breaks and driving rule."""

    def _breaks(
        self, vid: str, vt: VehicleType, body: list[dict[str, Any]], brk: list[tuple[int, dict[str, Any]]]
    ) -> None:
        depart, arrive = num(body[0]["departure"]), num(body[-1]["arrival"])
        if depart is None or arrive is None:  # the timing check reports it
            return
        taken: list[tuple[float, float]] = []
        prev_end = depart
        last_pos = 0
        for pos, r in brk:
            s, svc, dep = num(r["start"]), num(r.get("service")), num(r["departure"])
            if s is None or svc is None or dep is None or svc <= 0 or abs(dep - (s + svc)) > TIME_TOL:
                self.add(
                    "break",
                    f"break stop seq {r['seq']}: start {fmt(s)} + length {fmt(svc)} != departure {fmt(dep)}",
                    vehicle=vid,
                )
                continue
            if pos != last_pos:
                prev_end = num(body[pos - 1]["departure"]) or prev_end
                last_pos = pos
            nxt = num(body[pos]["arrival"]) if pos < len(body) else None
            if pos == 0 or pos >= len(body) or s < prev_end - TIME_TOL or (nxt is not None and dep > nxt + TIME_TOL):
                self.add(
                    "break",
                    f"break at {fmt_clock(int(s))} (seq {r['seq']}) does not fit on its leg between departure "
                    f"{fmt(prev_end)} and the next arrival {fmt(nxt)}",
                    vehicle=vid,
                )
            prev_end = dep
            taken.append((s, svc))
        self._required(vid, vt, depart, arrive, taken)
        self._driving(vid, vt, depart, arrive, taken)

    def _required(
        self, vid: str, vt: VehicleType, depart: float, arrive: float, taken: list[tuple[float, float]]
    ) -> None:
        free = sorted(taken)
        for b in sorted(vt.breaks, key=lambda b: b.window[1]):
            a, z = b.window
            if a + b.duration <= depart + TIME_TOL or z >= arrive - TIME_TOL:
                continue  # it can be taken off duty, before the departure or after the return
            hit = next(
                (
                    k
                    for k, (s, d) in enumerate(free)
                    if a - TIME_TOL <= s <= z + TIME_TOL and d >= b.duration - TIME_TOL
                ),
                None,
            )
            if hit is None:
                self.add(
                    "break",
                    f"{b.name!r} of {b.duration} s starting {fmt_clock(a)}-{fmt_clock(z)} is not taken "
                    f"(on duty {fmt_clock(int(depart))}-{fmt_clock(int(arrive))})",
                    vehicle=vid,
                )
                continue
            free.pop(hit)

    def _driving(
        self, vid: str, vt: VehicleType, depart: float, arrive: float, taken: list[tuple[float, float]]
    ) -> None:
        if vt.max_driving_h is None:
            return
        limit = vt.max_driving_h * 3600
        rest = vt.min_rest_min * 60
        t = depart
        for s, d in sorted(taken) + [(arrive, 0.0)]:
            if d < rest - TIME_TOL and s != arrive:
                continue
            if s - t > limit + TIME_TOL:
                self.add(
                    "driving_time",
                    f"{(s - t) / 3600:.2f} h on duty from {fmt_clock(int(t))} to {fmt_clock(int(s))} without a rest of "
                    f"{vt.min_rest_min:g} min (limit {vt.max_driving_h:g} h)",
                    vehicle=vid,
                )
            t = max(t, s + d)
