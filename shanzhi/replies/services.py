"""Writes of response templates: create, update (versioned), both audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.writes import create_audited, versioned_update

from .models import ResponseTemplate
from .permissions import MANAGE, can_manage
from .render import PLACEHOLDERS, unknown_placeholders

FIELDS = ("kind", "step", "category_code", "title", "body", "active")


def _check_body(body: str) -> None:
    unknown = unknown_placeholders(body)
    if unknown:
        raise ServiceError(_("模板正文中有未知的占位符：%(u)s；可用的有：%(k)s") % {
            "u": "、".join(f"{{{u}}}" for u in unknown), "k": "、".join(f"{{{k}}}" for k in PLACEHOLDERS)},
            field="body")
    if not (body or "").strip():
        raise ServiceError(_("请填写模板正文"), field="body")


@transaction.atomic
def template_create(*, actor, region_code: str, kind: str, title: str, body: str, step: str = "",
                    category_code: str = "", active: bool = True) -> ResponseTemplate:
    """A template for `region_code` (the actor's area); an empty code (系统默认) only by the installation
    itself (actor None: the setup command and the demo)."""
    region_code = (region_code or "").strip()
    if actor is not None:
        if not region_code:
            raise NotAllowed(_("系统默认模板由系统维护，请选择适用区域"))
        require(actor, MANAGE.action, region_code)
    _check_body(body)
    return create_audited(ResponseTemplate, actor=actor, action="replies.template_create", region_code=region_code,
                          kind=kind, step=step, category_code=category_code.strip(), title=title.strip(),
                          body=body.strip(), active=active,
                          created_by=actor if getattr(actor, "is_authenticated", False) else None)


@transaction.atomic
def template_update(*, actor, template: ResponseTemplate, version: int | None = None, **fields) -> ResponseTemplate:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ServiceError(_("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    allowed, reason = can_manage(actor, template)
    if not allowed:
        raise NotAllowed(reason)
    if "body" in fields:
        _check_body(fields["body"])
    return versioned_update(template, version, actor=actor, action="replies.template_update", **fields)
