"""Test data for 帮教: a record in a grid with `owner` on its team, for the route×role matrix and app tests.
Built through the app's own models (fixtures, not user writes)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shanzhi.core.testing import make_user
from shanzhi.registry.testing import person_in

from . import choices as c
from .models import Category, GlassGrant, Record, RecordRef, TeamMember, Visit
from .services import categories_ensure


def record_in(code: str, owner=None, *, risk: str = c.Risk.HIGH, person=None, category: str = "released",
              responsible=None) -> Record:
    categories_ensure()
    responsible = responsible or owner or make_user()
    record = Record.objects.create(region_code=code, person=person or person_in(code, name="帮教对象"),
                                   category=Category.objects.get(code=category), risk=risk,
                                   risk_reasons="测试理由", started_on=dt.date(2026, 1, 5),
                                   source_document="测试文书001号", responsible=responsible)
    TeamMember.objects.create(record=record, user=responsible, name=str(responsible), side=c.Side.COMMUNITY,
                              role=c.TeamRole.RESPONSIBLE)
    if owner is not None and owner.pk != responsible.pk:
        TeamMember.objects.create(record=record, user=owner, name=str(owner), side=c.Side.COMMUNITY)
    return record


def ref_in(code: str, owner=None) -> RecordRef:
    return RecordRef.objects.get(pk=record_in(code, owner).pk)


def visit_in(code: str, owner=None, *, due_on=None) -> Visit:
    record = record_in(code, owner)
    return Visit.objects.create(record=record, region_code=code, responsible=record.responsible,
                                due_on=due_on or timezone.localdate())


def glass_in(code: str, owner=None) -> GlassGrant:
    record = record_in(code)
    return GlassGrant.objects.create(record=record, user=make_user(), reason="测试", region_code=code,
                                     expires_at=timezone.now() + dt.timedelta(hours=1))


MATRIX_FACTORIES = {Record: record_in, RecordRef: ref_in, Visit: visit_in, GlassGrant: glass_in}
