"""Which community type (as data, `CommunityType`) a community belongs to."""

from __future__ import annotations

from .models import CommunityType


def type_resolver():
    """A function region → CommunityType | None, over the types read once (one query)."""
    types = list(CommunityType.objects.all())

    def resolve(region_type: str, housing_form: str):
        for t in types:
            if t.region_type and t.region_type != region_type:
                continue
            if t.housing_form and t.housing_form != housing_form:
                continue
            if t.region_type or t.housing_form:
                return t
        return next((t for t in types if not t.region_type and not t.housing_form), None)

    return resolve
