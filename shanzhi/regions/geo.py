"""Plain-Python geometry on GeoJSON boundaries (Polygon / MultiPolygon, [lng, lat] pairs): no GIS library,
enough for grids of a few hundred metres."""

from __future__ import annotations

from shanzhi.core.memo import Memo

from .choices import Level
from .models import Region

GRID_OUTLINES = Memo("regions.grid_outlines")


def _polygons(geometry: dict | None) -> list:
    geometry = geometry or {}
    if geometry.get("type") == "Polygon":
        return [geometry.get("coordinates") or []]
    if geometry.get("type") == "MultiPolygon":
        return geometry.get("coordinates") or []
    return []


def _in_ring(lat: float, lng: float, ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=False):
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def polygon_contains(polygon, lat: float, lng: float) -> bool:
    """Inside the outer ring and outside every hole."""
    if not polygon or not _in_ring(lat, lng, [tuple(p[:2]) for p in polygon[0]]):
        return False
    return not any(_in_ring(lat, lng, [tuple(p[:2]) for p in hole]) for hole in polygon[1:])


def contains(geometry: dict | None, lat: float, lng: float) -> bool:
    return any(polygon_contains(p, lat, lng) for p in _polygons(geometry))


def bbox(geometry: dict | None) -> tuple[float, float, float, float] | None:
    """(min_lat, min_lng, max_lat, max_lng) of the outer rings, or None without a boundary."""
    points = [p for poly in _polygons(geometry) for p in (poly[0] if poly else [])]
    if not points:
        return None
    lngs, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lats), min(lngs), max(lats), max(lngs)


def random_point_in(geometry: dict | None, rng, tries: int = 100) -> tuple[float, float] | None:
    """A random (lat, lng) inside the boundary (rejection sampling in its bounding box, kept off the edge),
    or None when there is no boundary or no point was found."""
    box = bbox(geometry)
    if box is None:
        return None
    lat0, lng0, lat1, lng1 = box
    mlat, mlng = (lat1 - lat0) * 0.05, (lng1 - lng0) * 0.05
    for _ in range(tries):
        lat, lng = rng.uniform(lat0 + mlat, lat1 - mlat), rng.uniform(lng0 + mlng, lng1 - mlng)
        if contains(geometry, lat, lng):
            return lat, lng
    return None


def grid_code_at(lat: float, lng: float) -> str | None:
    """The code of the grid whose boundary contains the point. The grids' outlines are read once per process
    (core.memo, cleared when a region is saved) and checked by bounding box first, so locating a point costs
    no query and no JSON decoding after the first call."""
    for code, box, boundary in _grid_outlines():
        if box[0] <= lat <= box[2] and box[1] <= lng <= box[3] and contains(boundary, lat, lng):
            return code
    return None


def _grid_outlines() -> list:
    def load():
        rows = Region.objects.filter(level=Level.GRID, boundary__isnull=False).values_list("code", "boundary")
        return [(code, bbox(boundary), boundary) for code, boundary in rows.order_by("code") if bbox(boundary)]

    return GRID_OUTLINES.get("all", load)
