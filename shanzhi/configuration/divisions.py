"""The national statistical division codes (GB/T 2260) down to county level, so an office enters only its
streets, communities and grids.

Source: the `cn/loc.dat` table that python-stdnum ships (python-stdnum 2.2, a pinned dependency; its header
names the Wikipedia pages 中华人民共和国行政区划代码 (1区)–(8区) it was downloaded from). Each name carries the
years it was valid (`[1983-]扬州市`, `[1983-2001]郊区,[2002-2010]维扬区`); only codes valid today are offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from stdnum import numdb

SOURCE = "python-stdnum 2.2 stdnum/cn/loc.dat (GB/T 2260, from zh.wikipedia 中华人民共和国行政区划代码)"
_SPAN = re.compile(r"^\[(\d{4})?-(\d{4})?\](.+)$")
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位"}


@dataclass(frozen=True)
class Division:
    code: str  # 2 (province), 4 (city) or 6 (county/district) digits
    name: str
    level: str  # province | city | district


def current_name(raw: str) -> str:
    """The name valid today from a loc.dat value: the entry without an end year ("" when none is)."""
    for part in reversed(raw.split(",")):
        m = _SPAN.match(part.strip())
        if m is None:
            return part.strip()
        if m.group(2) is None:
            return m.group(3).strip()
    return ""


@cache
def divisions() -> dict[str, Division]:
    """code → Division for every province, city and county valid today."""
    db = numdb.get("cn/loc")
    out: dict[str, Division] = {}
    for _len, prov_prefix, _high, prov_props, counties in db.prefixes:
        prov_name = current_name(prov_props.get("province", ""))
        if not prov_name:
            continue
        out[prov_prefix] = Division(prov_prefix, prov_name, "province")
        for _len2, suffix, _high2, props, _children in counties:
            name = current_name(props.get("county", ""))
            if not name or suffix == "0000":
                continue
            code = prov_prefix + suffix
            if code.endswith("00"):
                out[code[:4]] = Division(code[:4], prov_name if name in _PLACEHOLDERS else name, "city")
            elif name not in _PLACEHOLDERS:
                out[code] = Division(code, name, "district")
    for code in [c for c in out if len(c) == 6 and c[:4] not in out]:  # 直辖市 districts: city is the province
        out[code[:4]] = Division(code[:4], out[code[:2]].name, "city")
    return out


def children(code: str = "") -> list[Division]:
    """The divisions one level below `code` ("" → the provinces)."""
    length = {0: 2, 2: 4, 4: 6}.get(len(code))
    if length is None:
        return []
    return sorted((d for c, d in divisions().items() if len(c) == length and c.startswith(code)),
                  key=lambda d: d.code)


def find(text: str, parent: str = "") -> Division | None:
    """A division by code, or by its exact (or unique partial) name under `parent`."""
    text = (text or "").strip()
    if not text:
        return None
    d = divisions().get(text)
    if d is not None:
        return d if d.code.startswith(parent) else None
    options = children(parent)
    exact = [d for d in options if d.name == text]
    if exact:
        return exact[0]
    partial = [d for d in options if text in d.name]
    return partial[0] if len(partial) == 1 else None


def chain(district_code: str) -> list[Division]:
    """Province, city and district of a 6-digit code (for the region rows to create)."""
    table = divisions()
    return [table[c] for c in (district_code[:2], district_code[:4], district_code[:6]) if c in table]
