"""Who may do what in the registry (rules for core.permissions): for each registry model and each action
it names in `scope_roles`, the rule `registry.<model>.<action>` lets those roles act within their regions."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

OUT_OF_SCOPE = _("该记录不在您的管辖范围内")


def action_name(model, action: str = "change") -> str:
    return f"registry.{model._meta.model_name}.{action}"


for _model in apps.get_app_config("registry").get_models():
    for _action, _roles in getattr(_model, "scope_roles", {}).items():
        rule(action_name(_model, _action), roles=_roles, reason=OUT_OF_SCOPE)
