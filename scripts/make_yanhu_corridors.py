"""Write networks/data/yanhu_corridors.geojson from `networks.corridors.CORRIDORS`.

    python scripts/make_yanhu_corridors.py [--out PATH]

The corridors are estimated polylines through the places each road is described
to pass; the script resolves node positions, clips the corridors that leave the
district at its outline, checks that none crosses a lake, and writes stable
GeoJSON (byte for byte reproducible).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from networks.corridors import data_path, write_corridors  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and write the file."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out", type=Path, default=data_path())
    args = ap.parse_args(argv)
    print(f"wrote {write_corridors(args.out)}")


if __name__ == "__main__":
    main()
