"""Cards regions adds to other pages through core.panels (registered in RegionsConfig.ready)."""

from shanzhi.core.roles import Role
from shanzhi.core.scope import grants_of

from .models import Region


def my_scope_panel(request, obj=None) -> dict:
    """我的工作范围 on the workbench home: each grant's role and region, linked to the region's page."""
    grants = grants_of(request.user)
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for _r, c in grants]).only("code", "name")}
    return {"scope": [{"role": Role(role).label, "region": regions.get(code), "code": code} for role, code in grants]}
