"""Sign-off to-dos (core.todo): drafts and returned reports for the community, reports waiting for the street's
and the district's approval — each counted with `selectors.waiting_for` and linking to the list showing them."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from shanzhi.core.todo import TodoItem

from . import selectors

SENTENCES = {"prepare": _("%(n)s 份月报待编制提交"), "street": _("%(n)s 份月报待街道审核"),
             "district": _("%(n)s 份月报待区级审定")}


def report_todos(*, actor) -> list[TodoItem]:
    items = []
    for level in ("district", "street", "prepare"):
        n = selectors.waiting_for(actor=actor, level=level).count()
        if n:
            url = reverse("reporting:index") + "?" + urlencode({"waiting": level})
            items.append(TodoItem(f"reporting.{level}", str(SENTENCES[level]) % {"n": n}, url, n))
    return items
