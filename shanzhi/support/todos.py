"""The worker's own 帮教 visits due this week, on every home that leads with the day's work (core.todo)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.todo import TodoItem

from .selectors import my_due_visits, overdue_count


def due_visits(*, actor) -> list[TodoItem]:
    due = my_due_visits(actor=actor).count()
    if not due:
        return []
    return [TodoItem(key="support.visits", label=_("%(n)d 次帮教走访本周到期") % {"n": due},
                     url=reverse("support:visits"), count=due, urgent=overdue_count(actor=actor) > 0)]
