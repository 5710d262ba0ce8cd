"""Test objects for volunteering, and the route×role matrix factories."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from shanzhi.accounts.models import User
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award
from shanzhi.registry.models import Person

from .certificates import content_hash
from .models import (
    Activity,
    Certificate,
    LateCheckRequest,
    Order,
    SignUp,
    StoreItem,
    Volunteer,
    VolunteerTeam,
)
from .store import order_place

_n = itertools.count(1)


def make_person(code: str, user=None, name: str = "") -> Person:
    return Person.objects.create(name=name or f"志愿者{next(_n)}", region_code=code, user=user)


def make_volunteer(code: str, user=None, verified_by=None) -> Volunteer:
    person = make_person(code, user)
    return Volunteer.objects.create(person=person, region_code=code, verified_by=verified_by,
                                    verified_at=timezone.now() if verified_by else None)


def make_activity(code: str, organiser, *, starts_at=None, hours: float = 2, slots: int = 10,
                  points_per_hour: int = 10) -> Activity:
    organiser = organiser or User.objects.create_user(username=f"org{next(_n)}")
    starts_at = starts_at or timezone.now() - timedelta(minutes=30)
    return Activity.objects.create(region_code=code, title=f"社区清洁{next(_n)}", place="玺园广场",
                                   starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), slots=slots,
                                   points_per_hour=points_per_hour, organiser=organiser)


def _owner_volunteer(code, owner):
    return make_volunteer(code, owner if owner and not hasattr(owner, "person") else None) if owner else \
        make_volunteer(code, User.objects.create_user(username=f"v{next(_n)}"))


def make_signup(code: str, owner=None, state: str = "approved") -> SignUp:
    volunteer = _owner_volunteer(code, owner)
    activity = make_activity(code, None)
    return SignUp.objects.create(activity=activity, volunteer=volunteer, region_code=code, state=state)


def _activity(code, owner):
    return make_activity(code, None)


def _team(code, owner):
    return VolunteerTeam.objects.create(region_code=code, name=f"服务队{next(_n)}")


def _item(code, owner):
    return StoreItem.objects.create(region_code=code[:12], name=f"大米{next(_n)}", points_price=10, stock=5)


def _order(code, owner):
    volunteer = _owner_volunteer(code, owner)
    points_award(actor=None, ledger=Ledger.VOLUNTEER, person=volunteer.person, amount=100,
                 idempotency_key=f"matrix:{volunteer.pk}")
    return order_place(actor=None, item=_item(code, owner), person=volunteer.person)


def _certificate(code, owner):
    volunteer = _owner_volunteer(code, owner)
    content = {"name": volunteer.person.name, "activities": [], "total_hours": "0.0", "total_points": 0}

    return Certificate.objects.create(code=f"C{next(_n):011d}", volunteer=volunteer, content=content,
                                      content_hash=content_hash(content), region_code=code)


def _late(code, owner):
    signup = make_signup(code, owner)
    return LateCheckRequest.objects.create(signup=signup, kind="check_out", claimed_at=signup.activity.ends_at,
                                           reason="忘记签退", region_code=code)


def _volunteer(code, owner):
    return _owner_volunteer(code, owner)


MATRIX_FACTORIES = {Activity: _activity, VolunteerTeam: _team, StoreItem: _item, Order: _order,
                    Certificate: _certificate, LateCheckRequest: _late, SignUp: make_signup, Volunteer: _volunteer}
