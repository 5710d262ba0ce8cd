from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shanzhi.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        # Imported here: models may not be imported before the app registry is ready.
        from shanzhi.core.demo import register_step
        from shanzhi.core.scope import register_grant_loader

        from .demo import build
        from .selectors import grant_pairs

        register_grant_loader(grant_pairs)
        register_step("accounts", 20, build)
