"""Consultation to-dos (core.todo): what waits for this user's step, each counted with `topic_list` and the
stage the linked list page filters by."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shanzhi.core.roles import Role
from shanzhi.core.scope import user_roles
from shanzhi.core.todo import TodoItem

from . import selectors
from .choices import Stage


def _url(stage: str) -> str:
    return reverse("consultation:index") + "?" + urlencode({"stage": stage})


def topic_todos(*, actor) -> list[TodoItem]:
    roles = user_roles(actor)
    items = []
    if Role.RESIDENT in roles:
        n = selectors.topic_list(actor=actor, stage=Stage.PROPOSED).exclude(supports__person__user=actor).count()
        items.append(TodoItem("consultation.support", _("%(n)s 个议题等待您附议") % {"n": n}, _url(Stage.PROPOSED), n))
        n = (selectors.topic_list(actor=actor, stage=Stage.DELIBERATION).filter(surveys__isnull=False)
             .exclude(surveys__answers__user=actor).distinct().count())
        items.append(TodoItem("consultation.survey", _("%(n)s 个议题的问卷等待您填写") % {"n": n},
                              _url(Stage.DELIBERATION), n))
    if Role.GOVERNANCE_COMMITTEE in roles:
        n = selectors.topic_list(actor=actor, stage=Stage.REVIEW).count()
        items.append(TodoItem("consultation.review", _("%(n)s 个议题待治理委员会合议") % {"n": n}, _url(Stage.REVIEW), n))
    if Role.RESIDENT_REPRESENTATIVE in roles:
        n = selectors.topic_list(actor=actor, stage=Stage.EVALUATION).exclude(ratings__user=actor).count()
        items.append(TodoItem("consultation.rate", _("%(n)s 个议题待您评议") % {"n": n}, _url(Stage.EVALUATION), n))
    return items
