"""Cards cases adds to other apps' pages through core.panels (registered in CasesConfig.ready)."""

from shanzhi.core.roles import GRID_ROLES
from shanzhi.core.scope import roles_at

from .selectors import household_visits


def household_visits_panel(request, household) -> dict:
    """入户走访 on the registry's household page: recent visits; grid roles of its grid may log a new one."""
    return {"household": household, "visits": household_visits(actor=request.user, household=household),
            "can_visit": bool(roles_at(request.user, household.region_code) & GRID_ROLES)}
