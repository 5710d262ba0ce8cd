"""Test objects for 社区准入, and the route×role matrix factories."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from shanzhi.accounts.models import User

from .choices import DepartmentKind, ListKind, ListState
from .models import AdmissionList, Delivery, Department, ListItem, WorkItem

_n = itertools.count(1)


def make_department(code: str, *, kind=DepartmentKind.STREET_SECTION, members=()) -> Department:
    dept = Department.objects.create(region_code=code, name=f"科室{next(_n)}", kind=kind)
    dept.members.add(*members)
    return dept


def make_list(code: str, kind=ListKind.ASSIST, state=ListState.PUBLISHED, items=(("协助事项", True),)):
    lst = AdmissionList.objects.create(region_code=code, kind=kind, state=state, number=next(_n))
    for i, (name, funded) in enumerate(items, 1):
        ListItem.objects.create(list=lst, seq=i, name=name, funding_required=funded)
    return lst


def _creator():
    return User.objects.create_user(username=f"sender{next(_n)}")


def make_work_item(code: str, *, state="review", communities=()) -> WorkItem:
    dept = make_department(code)
    return WorkItem.objects.create(sender=dept, region_code=code, kind="report", title=f"报表{next(_n)}",
                                   deadline=date.today() + timedelta(days=10), state=state,
                                   communities=list(communities), created_by=_creator())


def make_delivery(code: str, *, listed=False) -> Delivery:
    community = code[:12]
    item = make_work_item(code, state="sent", communities=[community])
    today = date.today()
    return Delivery.objects.create(work_item=item, region_code=community, sender=item.sender, kind=item.kind,
                                   listed=listed, sent_on=today, month=today.replace(day=1), deadline=item.deadline)


MATRIX_FACTORIES = {
    AdmissionList: lambda code, owner: make_list(code, state=ListState.DRAFT),
    WorkItem: lambda code, owner: make_work_item(code),
    Delivery: lambda code, owner: make_delivery(code),
}
