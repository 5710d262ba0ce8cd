"""Registry to-dos (core.todo): move requests to approve, counted by the selector the approval page lists."""

from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.todo import TodoItem

from . import selectors


def move_todos(*, actor) -> list[TodoItem]:
    n = selectors.move_request_list(actor=actor).count()
    return [TodoItem("registry.moves", _("%(n)s 件迁入申请待审批") % {"n": n}, reverse("registry:move_requests"), n)]
