"""The resident's card on the home page (core.home): binding first, then what a resident can reach."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shanzhi.core.roles import Role
from shanzhi.core.scope import grants_of, user_roles
from shanzhi.core.scoping import COMMUNITY_CODE_LEN
from shanzhi.registry.permissions import can_act_for

from . import selectors

LINKS = [
    ("cases:report", _("反映问题"), "message-plus"),
    ("cases:my_list", _("我的反映"), "message"),
    ("consultation:index", _("社区协商"), "messages"),
    ("volunteering:open_activities", _("志愿活动"), "heart"),
    ("volunteering:store", _("积分与爱心超市"), "gift"),
    ("notifications:inbox", _("消息"), "bell"),
    ("portal:household", _("我的家庭"), "home"),
    ("portal:account", _("账号与隐私"), "lock"),
]


def resident_panel(request, obj=None):
    """For a signed-in user without any grant (a new resident account) or holding the 居民 role."""
    user = request.user
    roles = user_roles(user)
    if grants_of(user) and Role.RESIDENT not in roles:
        return None
    me = selectors.person_of(user)
    if me is None:
        return {"me": None, "pending": selectors.my_binding_request(actor=user)}
    links = [{"url": reverse(n), "label": label, "icon": icon} for n, label, icon in LINKS]
    links.insert(6, {"url": reverse("disclosure:index") + "?c=" + me.region_code[:COMMUNITY_CODE_LEN],
                     "label": _("阳光五务"), "icon": "sun"})
    me_household = selectors.my_household(actor=user)[1]
    proxies = [p for p in me_household if can_act_for(user, p, "support")[0]]
    return {"me": me, "links": links, "proxies": proxies}
