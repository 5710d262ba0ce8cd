from django.apps import AppConfig

from shanzhi.core.demo import register_step
from shanzhi.core.scope import register_grant_loader


class AccountsConfig(AppConfig):
    name = "shanzhi.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from .demo import build
        from .selectors import grant_pairs

        register_grant_loader(grant_pairs)
        register_step("accounts", 20, build)
