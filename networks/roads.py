"""Road graphs: build them from line layers, snap points to them, check them.

The public face of the road modules, kept so that ``networks.roads.X`` works for
every name it always offered.  Each job lives in its own module:

* `networks.road_layers`: line layers → graph ([road_graph][networks.roads.road_graph],
  [read_roads][networks.roads.read_roads], `DEFAULT_SPEEDS_KMH`) and back (`roads_frame`);
* `networks.compiled`: the array form searched by scipy
  (`compile_roads`, `forget`, `fingerprint`);
* `networks.snapping`: nearest road vertex per point ([snap][networks.roads.snap]);
* `networks.components`: gaps and one-way traps ([connectivity][networks.roads.connectivity],
  `largest_component`);
* `networks.synthetic`: generated roads when none are known
  ([synthetic_roads][networks.roads.synthetic_roads]);
* `networks.geo`: CRSs (`metric_crs`).

[networks.osm.read_osm][] reads OpenStreetMap extracts into the same form.
"""

from __future__ import annotations

from .compiled import CompiledRoads, compile_roads, fingerprint, forget
from .components import ConnectivityReport, connectivity, largest_component
from .geo import WGS84, metric_crs
from .road_layers import DEFAULT_SPEEDS_KMH, read_roads, road_graph, roads_frame
from .snapping import SnapResult, snap
from .synthetic import synthetic_roads

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "WGS84",
    "CompiledRoads",
    "ConnectivityReport",
    "SnapResult",
    "compile_roads",
    "connectivity",
    "fingerprint",
    "forget",
    "largest_component",
    "metric_crs",
    "read_roads",
    "road_graph",
    "roads_frame",
    "snap",
    "synthetic_roads",
]
