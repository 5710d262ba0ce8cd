"""View access declarations.

Every view is wrapped by exactly one of these decorators. Each records an `Access` on the view so
that the route×role matrix test can visit every URL as anonymous, without a grant, in scope and
out of scope without a test per route.

- `public_view`: anyone.
- `login_view`: any signed-in user (own profile, password, 2FA).
- `role_view(roles)`: a signed-in user holding one of `roles` somewhere; otherwise 403 with a reason.
- `object_view(Model, action, lookup)`: as role_view with `Model.scope_roles[action]`; the object
  is fetched through `Model.objects.restrict(user, action)`, so out of scope is 404.

Declared means enforced: every decorator answers 405 to a method its `methods` does not name (HEAD
rides along with GET), before anything else runs, so a GET can never reach a write.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.scope import user_roles


@dataclass(frozen=True)
class Access:
    kind: str
    roles: frozenset[str] = frozenset()
    model: type | None = None
    action: str = "view"
    lookup: dict[str, str] = field(default_factory=dict)
    methods: tuple[str, ...] = ("GET",)


def forbidden(request, reason: str):
    if request.user.is_authenticated:
        audit_log(actor=request.user, action="access.denied", object_repr=request.path, reason=reason)
    response = render(request, "403.html", {"reason": reason}, status=403)
    response["Cache-Control"] = "no-store"
    return response


def _allowed(methods) -> tuple[str, ...]:
    """The declared methods, with HEAD wherever GET is allowed (it is GET without a body)."""
    methods = tuple(m.upper() for m in methods)
    return methods + ("HEAD",) if "GET" in methods and "HEAD" not in methods else methods


def _method_checked(v, methods):
    """Answer 405 (with an Allow header) to any method the declaration does not name."""
    allowed = _allowed(methods)

    @functools.wraps(v)
    def checked(request, *args, **kwargs):
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        return v(request, *args, **kwargs)

    return checked


def _attach(view, access: Access):
    view = _method_checked(view, access.methods)
    view.access = access
    return view


def public_view(view=None, *, methods=("GET",)):
    def wrap(v):
        return _attach(v, Access("public", methods=methods))

    return wrap(view) if view else wrap


def login_view(view=None, *, methods=("GET",)):
    def wrap(v):
        @functools.wraps(v)
        def inner(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return v(request, *args, **kwargs)

        return _attach(inner, Access("login", methods=methods))

    return wrap(view) if view else wrap


def role_view(roles, *, methods=("GET",), reason: str | None = None):
    roles = frozenset(roles)

    def wrap(v):
        @functools.wraps(v)
        def inner(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user_roles(request.user) & roles):
                return forbidden(request, reason or _("您的角色不能使用此功能"))
            return v(request, *args, **kwargs)

        return _attach(inner, Access("roles", roles=roles, methods=methods))

    return wrap


def object_view(model, *, action: str = "view", lookup: dict[str, str] | None = None, methods=("GET",),
                roles=None, related: tuple[str, ...] = ()):
    lookup = lookup or {"pk": "pk"}
    allowed = frozenset(roles if roles is not None else model.scope_roles.get(action, set()))

    def wrap(v):
        @functools.wraps(v)
        def inner(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user_roles(request.user) & allowed):
                return forbidden(request, _("您的角色不能使用此功能"))
            filters = {f: kwargs.pop(k) for k, f in lookup.items()}
            qs = model.objects.restrict(request.user, action).filter(**filters)
            obj = (qs.select_related(*related) if related else qs).first()  # related: what the page reads anyway
            if obj is None:
                raise Http404
            return v(request, obj, *args, **kwargs)

        return _attach(inner, Access("object", roles=allowed, model=model, action=action, lookup=lookup,
                                     methods=methods))

    return wrap
