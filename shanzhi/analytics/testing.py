"""Objects for the route×role matrix, and facts and typology for analytics tests (also the browser test)."""

import datetime as dt

from django.utils import timezone

from shanzhi.analytics.models import BalanceStandard, CommunityType, TypeTarget
from shanzhi.cases.deadlines import TZ
from shanzhi.cases.models import Case, CaseRating
from shanzhi.cases.testing import make_case
from shanzhi.registry import choices as rc
from shanzhi.registry.testing import care_tag_in, person_in

from .models import MonthlyReport
from .periods import current_month


def at(day: dt.date, hour=10):
    return dt.datetime.combine(day, dt.time(hour), TZ)


def make_facts(world):
    """Persons, care tags and cases in two grids of one community and one grid of the other street; cases
    with creation, acceptance, completion and ratings spread over this month and last month."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    people = []
    for i in range(12):
        people.append(person_in(world.grid.code, sex=rc.Sex.MALE if i % 2 else rc.Sex.FEMALE,
                                birth_date=dt.date(1950 + 5 * i, 3, 1),
                                residence_type=rc.ResidenceType.FLOATING if i < 3 else rc.ResidenceType.REGISTERED))
    for _ in range(4):
        person_in(world.grid2.code, sex=rc.Sex.MALE, birth_date=dt.date(1990, 1, 1))
    person_in(world.other_grid.code, sex=rc.Sex.FEMALE, birth_date=dt.date(1980, 1, 1))
    person_in(world.grid.code, status=rc.PersonStatus.MOVED_OUT)
    care_tag_in(world.grid.code, person=people[0])
    care_tag_in(world.grid.code, person=people[1], tag=rc.CareTagKind.DISABLED)
    cases = []
    for i, (code, month) in enumerate([(world.grid.code, this_month)] * 5 + [(world.grid2.code, last_month)] * 3
                                      + [(world.other_grid.code, this_month)] * 2):
        case = make_case(code)
        created = at(month + dt.timedelta(days=min(i, 20)))
        fields = {"created_at": created}
        if i % 2 == 0:
            fields.update(accepted_at=created + dt.timedelta(hours=1), completed_at=created + dt.timedelta(hours=5),
                          completed_on_time=i % 4 == 0, outcome="fixed" if i != 4 else "explained",
                          state="verified")
        Case.objects.filter(pk=case.pk).update(**fields)
        if i % 2 == 0:
            CaseRating.objects.create(case=case, score=5 if i < 6 else 2, rated_at=created + dt.timedelta(hours=6))
        cases.append(case)
    return {"this_month": this_month, "last_month": last_month, "people": people, "cases": cases}


def make_typology():
    t = CommunityType.objects.create(key="commercial", name="商品房型", order=1)
    TypeTarget.objects.create(community_type=t, indicator="cases.on_time_rate", target=90)
    CommunityType.objects.create(key="mixed", name="混合型", order=9)
    BalanceStandard.objects.create(key="space", name="每百户服务用房面积", numerator="analytics.facility_area",
                                   denominator="registry.households", per=100, minimum=30, unit="平方米")
    return t


def report_in(code: str, owner=None) -> MonthlyReport:
    month = current_month()
    n = MonthlyReport.objects.filter(region_code__startswith=code[:9]).count()
    month = month.replace(year=month.year - n)
    return MonthlyReport.objects.create(region_code=code[:9], month=month, pdf=b"%PDF-1.4 test", size=13)


MATRIX_FACTORIES = {MonthlyReport: report_in}
