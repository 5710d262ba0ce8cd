"""Disclosure to-dos (core.todo): entries submitted for review, and drafts or returned entries to finish."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shanzhi.core.scope import user_roles
from shanzhi.core.todo import TodoItem

from . import selectors
from .models import REVIEWER_ROLES, EntryState


def _item(actor, state, sentence):
    n = selectors.entry_list(actor=actor, state=state).count()
    return TodoItem(f"disclosure.{state}", sentence % {"n": n}, reverse("disclosure:manage") + "?" + urlencode(
        {"state": state}), n)


def entry_todos(*, actor) -> list[TodoItem]:
    items = [_item(actor, EntryState.REJECTED, _("%(n)s 条公开事项被退回，待修改")),
             _item(actor, EntryState.DRAFT, _("%(n)s 条公开事项草稿待提交"))]
    if user_roles(actor) & REVIEWER_ROLES:
        items.insert(0, _item(actor, EntryState.SUBMITTED, _("%(n)s 条公开事项待审核发布")))
    return items
