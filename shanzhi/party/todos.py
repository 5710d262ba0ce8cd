"""Party to-dos (core.todo): 党员积分 records to approve."""

from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.todo import TodoItem

from . import selectors


def record_todos(*, actor) -> list[TodoItem]:
    n = selectors.pending_records(actor=actor).count()
    return [TodoItem("party.records", _("%(n)s 条党员积分待审核") % {"n": n}, reverse("party:records"), n)]
