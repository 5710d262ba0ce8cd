from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.todo import TodoItem

from . import selectors


def review_todos(*, actor) -> list[TodoItem]:
    n = selectors.review_queue(actor=actor).count()
    return [TodoItem("assisted.review", _("%(n)s 次代办被居民提出异议，待复核") % {"n": n}, reverse("assisted:review"), n)]
