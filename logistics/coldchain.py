"""Cold-chain cost model: refrigeration, freshness decay, load-dependent fuel and CO2.

Defaults follow the cold-chain VRP literature (see README, "Cost model"); every
parameter is overridable per scenario.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import Zone

# Quality-loss rate λ per hour by zone (exponential decay value·(1-e^(-λt))).
DEFAULT_DECAY_PER_H = {Zone.FROZEN: 0.0005, Zone.CHILLED: 0.0015, Zone.FRESH: 0.002, Zone.AMBIENT: 0.0}


@dataclass(frozen=True)
class CostModel:
    """Scenario cost parameters (¥, litres, hours)."""

    diesel_price: float = 7.5           # ¥ per litre
    fuel_empty_l_per_km: float = 0.165  # litres per km, empty
    fuel_full_l_per_km: float = 0.377   # litres per km, full
    co2_per_l: float = 2.68             # kg CO2 per litre diesel
    carbon_price: float = 0.0           # ¥ per kg CO2
    reefer_drive_per_h: float = 5.0     # ¥ per hour refrigeration while driving/waiting
    reefer_door_per_h: float = 6.0      # ¥ per hour refrigeration with doors open (service)
    unload_decay_factor: float = 1.5    # decay speed-up while doors are open
    early_per_h: float = 20.0           # ¥ per hour of service before a soft window
    late_per_h: float = 70.0            # ¥ per hour of service after a soft window
    max_lateness_h: float = 2.0         # how late a soft window may be served at most
    decay_per_h: dict = field(default_factory=lambda: dict(DEFAULT_DECAY_PER_H))
