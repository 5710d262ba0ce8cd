"""Matrix factories for party pages."""

import datetime
import itertools

from shanzhi.registry.models import Person

from .models import PartyMember, PartyOrg, ServiceRecord

_n = itertools.count(1)


def _org(code, owner):
    return PartyOrg.objects.create(name=f"第{next(_n)}党支部", level="branch", region_code=code)


def _member(code, owner):
    person = Person.objects.create(name=f"党员{next(_n)}", region_code=code)
    return PartyMember.objects.create(person=person, org=_org(code, owner), region_code=code)


def _record(code, owner):
    return ServiceRecord.objects.create(member=_member(code, owner), description="走访", points=2,
                                        happened_on=datetime.date(2026, 11, 1), region_code=code)


MATRIX_FACTORIES = {PartyOrg: _org, PartyMember: _member, ServiceRecord: _record}
