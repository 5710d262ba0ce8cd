"""The portal's to-dos: binding requests waiting at the community desk; a new resident's binding."""

from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.todo import TodoItem

from . import selectors


def desk_todos(*, actor) -> list[TodoItem]:
    bindings = selectors.binding_request_list(actor=actor).count()
    # correction requests are registry change requests: the registry's to-do counts them
    return [TodoItem("portal.bindings", _("%(n)s 件实名认证待核验") % {"n": bindings}, reverse("portal:bindings"),
                     bindings)]


def unbound_todos(*, actor) -> list[TodoItem]:
    """A self-registered account that is not bound yet (and has no pending request): bind."""
    if not getattr(actor, "phone_hash", "") or selectors.person_of(actor) is not None:
        return []
    pending = selectors.my_binding_request(actor=actor)
    if pending is not None and pending.state == "pending":
        return []
    return [TodoItem("portal.bind", _("请完成实名认证"), reverse("portal:bind"))]
