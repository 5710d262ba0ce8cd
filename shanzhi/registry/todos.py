"""Registry to-dos (core.todo): move requests and change requests to approve, counted by the selector the approval page lists."""

from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.todo import TodoItem

from . import changes, selectors


def move_todos(*, actor) -> list[TodoItem]:
    n = selectors.move_request_list(actor=actor).count()
    return [TodoItem("registry.moves", _("%(n)s 件迁入申请待审批") % {"n": n}, reverse("registry:move_requests"), n)]


def change_todos(*, actor) -> list[TodoItem]:
    """Change requests (staff proposals, residents' corrections, re-imports) waiting for the actor's decision;
    the list page's pending filter shows exactly these for an approver."""
    n = changes.changes_to_decide(actor=actor).count()
    return [TodoItem("registry.changes", _("%(n)s 件信息变更待审批") % {"n": n},
                     reverse("registry:changes") + "?state=pending", n)]
