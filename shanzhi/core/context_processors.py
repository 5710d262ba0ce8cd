from django.conf import settings

from shanzhi.core.navigation import menu_for
from shanzhi.core.preferences import elder_mode_of


def navigation(request):
    """The navigation the user's roles allow; built in accounts.navigation."""
    user = getattr(request, "user", None)
    return {
        "nav_menu": menu_for(request) if user is not None and user.is_authenticated else [],
        "map_tile_url": settings.SHANZHI_MAP_TILE_URL,
        "elder_mode": elder_mode_of(request),
        "idle_timeout": settings.SESSION_IDLE_TIMEOUT,
    }
