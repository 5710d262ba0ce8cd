from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.privacy import NAMES_MEMO, register_name_source
from shanzhi.core.todo import register_todo
from shanzhi.regions.figures import register_region_figures


class RegistryConfig(AppConfig):
    name = "shanzhi.registry"
    label = "registry"
    verbose_name = "基础信息"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from . import todos
        from .demo import build
        from .duplicates import register as register_duplicates
        from .importing import register_importers
        from .indicators import register as register_indicators
        from .models import DIRECT_ROLES, EDIT_ROLES, PROPOSE_ROLES, ChangeRequest, MoveRequest, Person
        from .stats import living_count, region_headline

        view_roles = Person.scope_roles["view"]
        register_duplicates()
        register("registry:home", _("基础信息"), "building-community", view_roles, after="regions:tree")
        register("registry:person_list", _("人员"), "users-group", view_roles, after="registry:home")
        register("registry:move_requests", _("迁入审批"), "transfer-in", MoveRequest.scope_roles["change"],
                 after="registry:person_list")
        register("imports:persons", _("导入"), "file-import", EDIT_ROLES, after="registry:person_list")
        register("registry:changes", _("变更审核"), "git-pull-request", ChangeRequest.scope_roles["view"],
                 after="registry:move_requests")
        register("registry:roundtrip", _("花名册表格往返"), "table-export", DIRECT_ROLES | PROPOSE_ROLES,
                 after="imports:persons")

        def living(*, actor):
            return living_count(actor=actor)

        def pending_moves(*, actor):
            return MoveRequest.objects.restrict(actor, "view").filter(state=MoveRequest.State.PENDING).count()

        register_counter("registry.persons", _("实有人口"), living, view_roles, "registry:person_list")
        register_counter("registry.move_requests", _("待审批迁入"), pending_moves, MoveRequest.scope_roles["change"],
                         "registry:move_requests")
        register_region_figures("registry", region_headline)
        register_step("registry", 30, build)
        register_todo("registry.moves", todos.move_todos, roles=MoveRequest.scope_roles["change"], order=30)
        register_todo("registry.changes", todos.change_todos, roles=ChangeRequest.scope_roles["decide"], order=31)

        from .privacy import names_under
        register_name_source(names_under)  # the privacy scan of public texts
        NAMES_MEMO.clear_on_change(Person)

        register_importers()
        register_indicators()
