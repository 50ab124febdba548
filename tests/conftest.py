import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("COLDROUTE_CACHE", str(ROOT / ".coldroute-cache" / "tests"))

SHARED_DATA = Path(os.environ.get("COLDROUTE_DATA", ROOT.parent / "shared" / "data"))
