"""Regenerate networks/data/yanhu.geojson, the built-in Yanhu District network.

    python scripts/make_yanhu.py [--seed N] [--out PATH]

The output is deterministic for a given seed (default: networks.yanhu.SEED), so
running this again without changes reproduces the shipped file byte for byte.  It
reads only the vendored sources in networks/data/ (division codes, romanized names,
outline), which scripts/vendor_yanhu_sources.py regenerates from the published packages.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from networks.yanhu import SEED, build_yanhu_nodes, write_yanhu

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=ROOT / "networks" / "data" / "yanhu.geojson")
    args = ap.parse_args(argv)
    path = write_yanhu(args.out, seed=args.seed)
    nodes = build_yanhu_nodes(args.seed)
    counts = nodes["kind"].value_counts().to_dict()
    print(f"wrote {path}: {len(nodes)} nodes {counts}")


if __name__ == "__main__":
    main()
