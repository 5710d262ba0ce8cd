from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.panels import register_panel


class RegionsConfig(AppConfig):
    name = "shanzhi.regions"
    label = "regions"
    verbose_name = "区域网格"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from .choices import Level
        from .demo import build
        from .geo import GRID_OUTLINES
        from .models import Region
        from .panels import my_scope_panel
        from .selectors import region_count

        GRID_OUTLINES.clear_on_change(Region)
        register_step("regions", 10, build)
        register_panel("core.home", "regions.my_scope", "regions/partials/my_scope.html", my_scope_panel)
        roles = Region.scope_roles["view"]
        register_counter("regions.communities", _("社区(村)"), partial(region_count, level=Level.COMMUNITY), roles,
                         "regions:tree")
        from .importing import register as register_importer

        register_importer()
        register_counter("regions.grids", _("网格"), partial(region_count, level=Level.GRID), roles, "regions:tree")
