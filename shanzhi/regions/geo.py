"""Plain-Python geometry on GeoJSON boundaries (Polygon / MultiPolygon, [lng, lat] pairs): no GIS library,
enough for grids of a few hundred metres."""

from __future__ import annotations


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
