"""Where things are and how long it takes between them: the three-tier network."""
from .errors import NetworkError, UnreachableError
from .matrix import TravelMatrix, great_circle_matrix, haversine_m
from .model import UTM49N, WGS84, Network, Tier
from .paths import travel_matrix

__all__ = [
    "Network", "Tier", "TravelMatrix", "NetworkError", "UnreachableError", "great_circle_matrix",
    "haversine_m", "travel_matrix", "WGS84", "UTM49N",
]
