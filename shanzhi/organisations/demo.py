"""Demo step "organisations" (order 80): social organisations of 曲江 at different grades and incubation stages,
with staff, 社工 and a demo account for each role that works with them. Built through the services; idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.core.roles import Role
from shanzhi.regions.models import Region

from . import services
from .models import Organisation

ORGS = [  # name, kind, uscc, grade scores, incubation stage, service area
    ("曲江为老服务中心", "service_inst", "91110108551385082Q", (24, 33, 19, 18), "", "为老服务"),
    ("扬州阳光社会工作服务社", "service_inst", "91320100MA1MXXCL62", (22, 29, 16, 15), "graduated", "青少年、家庭"),
    ("玺园邻里互助会", "community", "", None, "incubating", "邻里互助"),
    ("广陵公益基金会", "foundation", "53321000509215270E", (20, 25, 15, 14), "", "资助"),
]


def demo_user(username: str, name: str, role: str, code: str) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": name, "is_demo": True})
    RoleGrant.objects.get_or_create(user=user, role=role, region_code=code,
                                    defaults={"region": Region.objects.get(code=code)})
    return user


@transaction.atomic
def build(*, ctx) -> None:
    users = ctx.data.get("users", {})
    manager = users.get("street_manager")
    if not manager or not ctx.data.get("street"):
        ctx.stdout("  organisations: skipped (no accounts/regions)")
        return
    street, district = ctx.data["street"], ctx.data["district"]
    assessor = demo_user("assessor", "第三方评估·孙评估师", Role.THIRD_PARTY_ASSESSOR, district)
    org_staff = demo_user("org_staff", "为老中心·钱社工", Role.SOCIAL_ORG_STAFF, street)
    ctx.data["assessor"], ctx.data["org_staff"] = assessor, org_staff
    orgs = []
    for i, (name, kind, uscc, scores, stage, area) in enumerate(ORGS):
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            org = services.organisation_register(actor=manager, region_code=street, name=name, kind=kind, uscc=uscc,
                                                 legal_rep="负责人", service_area=area,
                                                 registered_on=date(2018 + i, 3, 1))
            services.member_add(actor=manager, organisation=org, name="持证社工" + str(i + 1), position="项目主管",
                                qualification="social_worker", certificate_no=f"SW2020{i:04d}",
                                certificate_expiry=date.today() + timedelta(days=30 + 200 * i),
                                user=org_staff if i == 0 else None)
            if stage:
                services.incubation_record(actor=manager, organisation=org, stage="entered", mentor="王导师",
                                           started_on=date(2024, 3, 1))
                services.incubation_record(actor=manager, organisation=org, stage=stage, mentor="王导师",
                                           started_on=date(2025, 3, 1))
            services.inspection_record(actor=manager, organisation=org, year=2025, result="pass")
            if scores:
                keys = ["governance", "work", "finance", "reputation"]
                services.grade_assess(actor=assessor, organisation=org, scores=dict(zip(keys, scores, strict=True)),
                                      comment="年度等级评估")
        orgs.append(org)
    ctx.data["organisations"] = orgs
    ctx.stdout(f"  organisations: {len(orgs)} organisations")
