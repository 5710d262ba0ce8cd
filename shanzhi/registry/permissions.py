"""Who may do what in the registry (rules for core.permissions): for each registry model and each action
it names in `scope_roles`, the rule `registry.<model>.<action>` lets those roles act within their regions."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import Household

OUT_OF_SCOPE = _("该记录不在您的管辖范围内")


def action_name(model, action: str = "change") -> str:
    return f"registry.{model._meta.model_name}.{action}"


for _model in apps.get_app_config("registry").get_models():
    for _action, _roles in getattr(_model, "scope_roles", {}).items():
        rule(action_name(_model, _action), roles=_roles, reason=OUT_OF_SCOPE)


# --- acting for a household member (go-live) -------------------------------------------------------------------
# A household head who has a bound account may act for members of the same household who have none (elders
# without a phone): exactly these actions, each recorded with both names.
PROXY_ACTIONS = {
    "support": _("附议议题"),
    "survey": _("填写问卷"),
    "rate": _("评价"),
    "signup": _("报名活动"),
    "redeem": _("兑换爱心超市物品"),
}


# Other ways to be allowed (a higher app registers from its ready()): `fn(actor, person, action) -> bool`. The
# assisted app (代办参与) grants the staff member of an open, identity-checked session for that person.
PROXY_AUTHORITIES: list = []


def register_proxy_authority(fn) -> None:
    if fn not in PROXY_AUTHORITIES:
        PROXY_AUTHORITIES.append(fn)


def can_act_for(actor, person, action: str) -> tuple[bool, str]:
    """(allowed, reason): a registered authority allows it (an assisted session, for a living person), or the
    actor's own registry record is the head of `person`'s household, and `person` lives, has no account and is
    not the actor."""
    if action not in PROXY_ACTIONS:
        return False, _("代办不包括此项操作")
    if person is not None and person.status == "living" and any(fn(actor, person, action)
                                                                for fn in PROXY_AUTHORITIES):
        return True, ""
    me = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    if me is None or person is None or me.pk == person.pk:
        return False, _("只有已实名认证的户主可以为家庭成员代办")
    same = person.household_id is not None and me.household_id == person.household_id
    if not same or not Household.objects.filter(pk=person.household_id, head_id=me.pk).exists():
        return False, _("只有户主可以为本户家庭成员代办")
    if person.user_id is not None:
        return False, _("%(name)s有自己的账号，请由本人办理") % {"name": person.name}
    if person.status != "living":
        return False, _("该家庭成员不在册，不能代办")
    return True, ""
