"""Where things are and how long it takes between them: the three-tier network."""

from . import roads as roads  # `networks.roads.X` works after a plain `import networks`, as it always did
from .components import connectivity
from .errors import NetworkError, UnreachableError
from .geo import UTM49N, WGS84
from .io import read_network, write_network
from .matrix import TravelMatrix, great_circle_matrix, haversine_m
from .model import Network, Tier
from .osm import read_osm
from .paths import points_travel_matrix, route_line, route_lines, travel_matrix
from .road_layers import read_roads, road_graph
from .snapping import snap
from .synthetic import synthetic_roads
from .yanhu import yanhu

__all__ = [
    "UTM49N",
    "WGS84",
    "Network",
    "NetworkError",
    "Tier",
    "TravelMatrix",
    "UnreachableError",
    "connectivity",
    "great_circle_matrix",
    "haversine_m",
    "points_travel_matrix",
    "read_network",
    "read_osm",
    "read_roads",
    "road_graph",
    "route_line",
    "route_lines",
    "snap",
    "synthetic_roads",
    "travel_matrix",
    "write_network",
    "yanhu",
]
