"""Factories for project tests and the route×role matrix: a programme, an open call, an application, a project
with milestones, reviews and evaluations assigned to the matrix's user."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.organisations.models import OrgMember
from shanzhi.organisations.testing import make_org

from . import money
from .choices import AppState
from .models import Application, Call, Evaluation, Milestone, Programme, Project, ReviewAssignment

_n = itertools.count(1)


def make_programme(code: str, *, budget_fen: int = 100_000_00, kind: str = "purchase", owner=None) -> Programme:
    owner = owner or make_user()
    programme = Programme.objects.create(region_code=code[:9], name=f"资金项目{next(_n)}", kind=kind, year=2026,
                                         budget_fen=budget_fen, owner=owner)
    money.appropriate(actor=owner, programme=programme)
    return programme


def make_call(code: str, **kw) -> Call:
    programme = kw.pop("programme", None) or make_programme(code)
    today = date.today()
    return Call.objects.create(region_code=programme.region_code, programme=programme, title=f"征集{next(_n)}",
                               opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=30),
                               max_amount_fen=kw.pop("max_amount_fen", 50_000_00), form=[], **kw)


def _member(org, user):
    if user is not None and user.grants.filter(role=Role.SOCIAL_ORG_STAFF).exists():
        OrgMember.objects.get_or_create(organisation=org, user=user,
                                        defaults={"name": user.username, "region_code": org.region_code})


def make_application(code: str, owner=None, *, state: str = AppState.SUBMITTED, call=None,
                     amount_fen: int = 20_000_00) -> Application:
    call = call or make_call(code)
    org = make_org(code)
    _member(org, owner)
    return Application.objects.create(
        call=call, organisation=org, region_code=code[:12], title=f"项目{next(_n)}", objectives="目标",
        activities="活动", budget_lines=[{"item": "物料", "amount_fen": amount_fen}], amount_fen=amount_fen,
        target_beneficiaries=30, state=state, submitted_by=owner or make_user())


def make_project(code: str, owner=None, *, amount_fen: int = 20_000_00, instalments=(10_000_00, 10_000_00)
                 ) -> Project:
    app = make_application(code, owner, state=AppState.APPROVED, amount_fen=amount_fen)
    programme = app.call.programme
    project = Project.objects.create(application=app, programme=programme, organisation=app.organisation,
                                     region_code=app.region_code, title=app.title, kind=programme.kind,
                                     contract_no=f"HT-{next(_n):06d}", amount_fen=amount_fen,
                                     starts_on=date.today(), ends_on=date.today() + timedelta(days=180),
                                     signed_by=app.submitted_by, state="delivering")
    money.commit(actor=app.submitted_by, project=project)
    for seq, amount in enumerate(instalments, start=1):
        Milestone.objects.create(project=project, region_code=project.region_code, seq=seq, title=f"第{seq}期",
                                 deliverable="服务记录", due_on=date.today(), instalment_fen=amount)
    return project


def _review(code, owner):
    app = make_application(code, state=AppState.REVIEWING)
    return ReviewAssignment.objects.create(application=app, reviewer=owner or make_user(), region_code=app.region_code)


def _evaluation(code, owner):
    project = make_project(code)
    return Evaluation.objects.create(project=project, kind="midterm", assessor=owner or make_user(),
                                     region_code=project.region_code)


MATRIX_FACTORIES = {
    Programme: lambda code, owner: make_programme(code),
    Call: lambda code, owner: make_call(code),
    Application: make_application,
    Project: make_project,
    ReviewAssignment: _review,
    Evaluation: _evaluation,
}
