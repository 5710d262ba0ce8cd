"""Demo region tree: 扬州市 → 广陵区 → 曲江街道 with 14 communities and 6 villages, each split into
grids of 150–250 households, with synthetic rectangular boundaries around the real location."""

from __future__ import annotations

import math

from django.db import transaction

from .choices import CommunityKind, CommunityType, HousingForm, Level
from .models import Region

CITY = ("3210", "扬州市")
DISTRICT = ("321002", "广陵区")
STREET = ("321002004", "曲江街道")
# Communities named in seed 004 first, then invented ones; (name, type, housing form, households).
COMMUNITIES = [
    ("玺园社区", CommunityType.NEW, HousingForm.COMMERCIAL, 3200),
    ("文昌花园社区", CommunityType.CONVERTED, HousingForm.RESETTLEMENT, 3600),
    ("曲江新苑社区", CommunityType.MIXED, HousingForm.COMMERCIAL, 2900),
    ("新星社区", CommunityType.CONVERTED, HousingForm.RESETTLEMENT, 3800),
    ("沙北社区", CommunityType.MIXED, HousingForm.COMMERCIAL, 3100),
    ("施井社区", CommunityType.MIXED, HousingForm.OLD, 2400),
    ("洼子街社区", CommunityType.MIXED, HousingForm.OLD, 2200),
    ("明月湖社区", CommunityType.NEW, HousingForm.COMMERCIAL, 2700),
    ("运河社区", CommunityType.MIXED, HousingForm.OLD, 2600),
    ("福缘社区", CommunityType.CONVERTED, HousingForm.RESETTLEMENT, 3300),
    ("怡景社区", CommunityType.NEW, HousingForm.COMMERCIAL, 2500),
    ("汇金社区", CommunityType.NEW, HousingForm.PUBLIC_RENTAL, 2100),
    ("杉湾社区", CommunityType.MIXED, HousingForm.OLD, 2300),
    ("望月社区", CommunityType.CONVERTED, HousingForm.RESETTLEMENT, 3400),
]
VILLAGES = [
    ("新兴村", 1500), ("联合村", 1300), ("光明村", 1200), ("湖滨村", 1400), ("永安村", 1100), ("跃进村", 1000),
]
PERSONS_PER_HOUSEHOLD = 2.8
# Bounding box of the street (synthetic, around 扬州 广陵).
LAT0, LNG0, LAT1, LNG1 = 32.360, 119.440, 32.420, 119.520


def _rect(lat0, lng0, lat1, lng1) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]]]}


def _upsert(code, name, level, parent, **fields) -> Region:
    region, created = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent,
                                                                        **fields})
    if not created:
        changed = {k: v for k, v in {"name": name, **fields}.items() if getattr(region, k) != v}
        if changed:
            for k, v in changed.items():
                setattr(region, k, v)
            region.save(update_fields=list(changed))
    return region


@transaction.atomic
def build(*, ctx) -> None:
    rng = ctx.rng
    city = _upsert(CITY[0], CITY[1], Level.CITY, None)
    district = _upsert(DISTRICT[0], DISTRICT[1], Level.DISTRICT, city)
    street = _upsert(STREET[0], STREET[1], Level.STREET, district, area_km2=12.4,
                     boundary=_rect(LAT0, LNG0, LAT1, LNG1), centroid_lat=(LAT0 + LAT1) / 2,
                     centroid_lng=(LNG0 + LNG1) / 2)
    units = [(n, CommunityKind.URBAN, t, h, hh) for n, t, h, hh in COMMUNITIES] + [
        (n, CommunityKind.VILLAGE, CommunityType.CONVERTED, HousingForm.RESETTLEMENT, hh) for n, hh in VILLAGES
    ]
    cols, rows = 5, 4
    dlat, dlng = (LAT1 - LAT0) / rows, (LNG1 - LNG0) / cols
    grids: list[str] = []
    communities: list[str] = []
    total_pop = total_hh = 0
    for i, (name, kind, ctype, housing, households) in enumerate(units):
        code = f"{STREET[0]}{i + 1:03d}" if kind == CommunityKind.URBAN else f"{STREET[0]}{200 + i - 13:03d}"
        r, c = divmod(i, cols)
        clat0, clng0 = LAT0 + r * dlat, LNG0 + c * dlng
        community = _upsert(code, name, Level.COMMUNITY, street, community_kind=kind, community_type=ctype,
                            housing_form=housing, boundary=_rect(clat0, clng0, clat0 + dlat, clng0 + dlng),
                            centroid_lat=clat0 + dlat / 2, centroid_lng=clng0 + dlng / 2,
                            households=households, population=int(households * PERSONS_PER_HOUSEHOLD))
        communities.append(community.code)
        total_pop += community.population
        total_hh += households
        # split into grids of 150–250 households
        sizes, left = [], households
        while left > 0:
            size = min(left, rng.randint(150, 250))
            if 0 < left - size < 150:
                size = left if left <= 250 else left - 150
            sizes.append(size)
            left -= size
        # lay the grids out as a near-square block of cells inside the community's rectangle
        ncols = math.ceil(math.sqrt(len(sizes)))
        nrows = math.ceil(len(sizes) / ncols)
        h, w = dlat / nrows, dlng / ncols
        for g, size in enumerate(sizes):
            gr, gc = divmod(g, ncols)
            g_lat, g_lng = clat0 + dlat - (gr + 1) * h, clng0 + gc * w
            grid = _upsert(f"{code}{g + 1:03d}", f"{name.removesuffix('社区')}第{g + 1}网格", Level.GRID, community,
                           boundary=_rect(g_lat, g_lng, g_lat + h, g_lng + w), centroid_lat=g_lat + h / 2,
                           centroid_lng=g_lng + w / 2, households=size, population=int(size * PERSONS_PER_HOUSEHOLD))
            grids.append(grid.code)
    street.population, street.households = total_pop, total_hh
    street.save(update_fields=["population", "households"])
    district.population, district.households = total_pop, total_hh
    district.save(update_fields=["population", "households"])
    ctx.data.update(city=city.code, district=district.code, street=street.code, communities=communities, grids=grids)
    ctx.stdout(f"  regions: {len(communities)} communities/villages, {len(grids)} grids, {total_hh} households")
