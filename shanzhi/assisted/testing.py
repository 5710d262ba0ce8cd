"""Factories for the assisted app's tests and the route matrix."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.registry.testing import person_in

from . import choices as c
from .models import AssistedSession
from .services import _new_receipt_code


def session_in(code: str, owner=None, *, person=None, minutes: int = 30) -> AssistedSession:
    """An open session in grid `code`, run by `owner` (else a new grid worker there)."""
    person = person or person_in(code, name="孙奶奶")
    now = timezone.now()
    return AssistedSession.objects.create(
        staff=owner or make_user(Role.GRID_WORKER, code), person=person, method=c.Method.ID_NUMBER,
        region_code=person.region_code, receipt_code=_new_receipt_code(), started_at=now,
        expires_at=now + timedelta(minutes=minutes))


MATRIX_FACTORIES = {AssistedSession: session_in}
