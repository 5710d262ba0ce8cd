"""答复模板: reusable texts for case replies, feedback to residents, rejections, topic answers and disclosure
texts, offered next to the text field they fill (by kind, step, category and region).

A template belongs to a region (a community's, a street's for its communities, a district's) or, with an
empty code, to the whole installation (系统默认). The texts carry placeholders from a fixed set
(`render.PLACEHOLDERS`), replaced by plain string substitution — never by the template engine — so a
template cannot reach anything but the values its caller hands over.

The model sits low (beside regions and ledger) and keys categories by their code, so cases, consultation and
disclosure can all use it without importing each other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.scoping import ScopedModel

from . import choices as c
from .permissions import MANAGE_ROLES, USE_ROLES


class ResponseTemplate(ScopedModel):
    scope_roles = {"view": set(USE_ROLES), "change": set(MANAGE_ROLES)}

    region_code = models.CharField(_("适用区域代码"), max_length=20, blank=True, db_index=True,
                                   help_text=_("空为系统默认模板"))
    kind = models.CharField(_("用途"), max_length=16, choices=c.Kind.choices)
    step = models.CharField(_("环节"), max_length=16, choices=c.Step.choices, blank=True,
                            help_text=_("不选则该用途的各环节都可用"))
    category_code = models.CharField(_("类别编码"), max_length=40, blank=True,
                                     help_text=_("民情类别或议题类型的编码；不填则所有类别可用"))
    title = models.CharField(_("名称"), max_length=40)
    body = LimitedTextField(_("模板正文"), max_length=2000)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        ordering = ["kind", "step", "title", "id"]
        indexes = [models.Index(fields=["kind", "active"])]

    def __str__(self):
        return self.title
