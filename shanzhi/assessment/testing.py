"""Test objects for 考核, and the route×role matrix factories."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from shanzhi.accounts.models import User
from shanzhi.registry.models import Person

from .models import Appeal, Merit, Result, Round, SampleMember, Scheme, SchemeIndicator, Survey, Target

_n = itertools.count(1)


def _user():
    return User.objects.create_user(username=f"assess{next(_n)}")


def make_scheme(code: str, object_kind="community") -> Scheme:
    scheme = Scheme.objects.create(region_code=code, name=f"方案{next(_n)}", object_kind=object_kind, year=2026,
                                   created_by=_user())
    SchemeIndicator.objects.create(scheme=scheme, seq=1, name="居民满意度", weight=60, source="survey", best=5, worst=1)
    SchemeIndicator.objects.create(scheme=scheme, seq=2, name="台账规范", weight=40, source="manual", best=100, worst=0)
    return scheme


def make_round(code: str, state="computed") -> Round:
    return Round.objects.create(region_code=code, scheme=make_scheme(code), name=f"轮次{next(_n)}",
                                period_start=date(2026, 1, 1), period_end=date(2027, 1, 1), state=state)


def make_target(code: str, round_=None) -> Target:
    round_ = round_ or make_round(code, state="open")
    return Target.objects.create(round=round_, region_code=code, kind="community", label=f"社区{next(_n)}")


def make_result(code: str) -> Result:
    target = make_target(code, make_round(code))
    return Result.objects.create(round=target.round, target=target, region_code=code, total=Decimal("80"),
                                 detail=[{"indicator": i.pk, "name": i.name, "source": i.source, "weight": "50",
                                          "value": "80", "points": "80.00", "weighted": "40.00", "evidence": "",
                                          "rule": "", "best": "100", "worst": "0", "appealed": False}
                                         for i in target.round.scheme.indicators.all()])


def make_survey(code: str) -> Survey:
    return Survey.objects.create(round=make_round(code, state="open"), region_code=code[:12],
                                 seed=1, per_grid=5, drawn_by=_user())


def make_member(code: str, owner=None) -> SampleMember:
    survey = make_survey(code)
    user = owner if owner is not None and not Person.objects.filter(user=owner).exists() else None
    person = Person.objects.create(name=f"样本{next(_n)}", region_code=code, birth_date=date(1970, 1, 1), user=user)
    return SampleMember.objects.create(survey=survey, person=person, region_code=code)


def make_appeal(code: str) -> Appeal:
    result = make_result(code)
    return Appeal.objects.create(result=result, region_code=code, indicator=result.round.scheme.indicators.first(),
                                 reason="数据有误", submitted_by=_user())


def make_merit(code: str) -> Merit:
    return Merit.objects.create(staff=_user(), region_code=code, kind="plus", points=5, reason="好人好事",
                                occurred_on=date(2026, 3, 1), submitted_by=_user())


MATRIX_FACTORIES = {
    Scheme: lambda code, owner: make_scheme(code),
    Round: lambda code, owner: make_round(code),
    Target: lambda code, owner: make_target(code),
    Result: lambda code, owner: make_result(code),
    Survey: lambda code, owner: make_survey(code),
    SampleMember: make_member,
    Appeal: lambda code, owner: make_appeal(code),
    Merit: lambda code, owner: make_merit(code),
}
