from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "shanzhi.regions"
    label = "regions"
    verbose_name = "区域网格"

    def ready(self):
        from functools import partial

        from django.utils.translation import gettext_lazy as _

        from shanzhi.core.dashboard import register_counter
        from shanzhi.core.demo import register_step

        from .choices import Level
        from .demo import build
        from .geo import GRID_OUTLINES
        from .models import Region
        from .selectors import region_count

        GRID_OUTLINES.clear_on_change(Region)
        register_step("regions", 10, build)
        roles = Region.scope_roles["view"]
        register_counter("regions.communities", _("社区(村)"), partial(region_count, level=Level.COMMUNITY), roles,
                         "regions:tree")
        from .importing import register as register_importer

        register_importer()
        register_counter("regions.grids", _("网格"), partial(region_count, level=Level.GRID), roles, "regions:tree")
