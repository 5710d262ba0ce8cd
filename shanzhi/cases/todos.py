"""Cases' to-dos on every home (core.todo): each count is `selectors.case_list` with the filters of the list
page it links to, so the number on the home and the list's total are one figure."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from shanzhi.core.roles import Role
from shanzhi.core.scope import user_roles
from shanzhi.core.todo import TodoItem

from . import choices as c
from . import selectors
from .workflow import ACCEPT_ROLES, DISPATCH_ROLES, VERIFY_ROLES

# (filters of the list page, roles that do the step, sentence, urgent)
STEPS = [
    ({"light": "overdue"}, set(ACCEPT_ROLES) | {Role.HANDLING_BODY_STAFF}, _("%(n)s 件民情已超时"), True),
    ({"light": "yellow"}, set(ACCEPT_ROLES) | {Role.HANDLING_BODY_STAFF}, _("%(n)s 件民情临近办理时限"), True),
    ({"state": c.State.REPORTED}, ACCEPT_ROLES, _("%(n)s 件民情待受理"), False),
    ({"state": c.State.ACCEPTED}, DISPATCH_ROLES, _("%(n)s 件民情待派遣"), False),
    ({"state": c.State.DISPATCHED}, {Role.HANDLING_BODY_STAFF, Role.GRID_WORKER}, _("%(n)s 件民情待开始处置"), False),
    ({"state": c.State.HANDLING}, {Role.HANDLING_BODY_STAFF, Role.GRID_WORKER}, _("%(n)s 件民情处置中，待办结"), False),
    ({"state": c.State.COMPLETED}, VERIFY_ROLES, _("%(n)s 件民情已办结，待核查"), False),
    ({"state": c.State.VERIFIED}, ACCEPT_ROLES, _("%(n)s 件民情待反馈上报人"), False),
]


def list_url(filters: dict) -> str:
    return reverse("cases:list") + "?" + urlencode(filters)


def staff_todos(*, actor) -> list[TodoItem]:
    roles = user_roles(actor)
    items = []
    for filters, step_roles, sentence, urgent in STEPS:
        if roles & set(step_roles):
            n = selectors.case_list(actor=actor, filters=filters).count()
            key = "cases." + "_".join(str(v) for v in filters.values())
            items.append(TodoItem(key, sentence % {"n": n}, list_url(filters), n, urgent))
    return items


def reporter_todos(*, actor) -> list[TodoItem]:
    """The resident's own cases waiting for them: confirm a completed one, rate one fed back."""
    items = []
    for case in selectors.my_cases(actor=actor).filter(state__in=(c.State.COMPLETED, c.State.FEEDBACK))[:10]:
        sentence = (_("您的反映“%(t)s”已办结，请评价") if case.state == c.State.FEEDBACK
                    else _("您的反映“%(t)s”已处理，请确认是否解决"))
        items.append(TodoItem(f"cases.mine.{case.pk}", sentence % {"t": case.title},
                              reverse("cases:my_detail", args=[case.pk])))
    return items
