from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shanzhi.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from shanzhi.core.demo import register_step

        from .demo import build

        register_step("accounts", 20, build)
