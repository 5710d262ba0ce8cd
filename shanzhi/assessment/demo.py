"""Demo step "assessment" (order 75): the district's community scheme (residents weigh 50%), a bottom-up scheme in
which communities rate their street, and one annual round with a sampled resident survey, third-party scores,
computed indicators and published results — all through the services. Idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from shanzhi.accounts.demo import step_logins
from shanzhi.accounts.models import User
from shanzhi.accounts.services import grant_add_at, user_create
from shanzhi.core.indicators import INDICATORS
from shanzhi.core.roles import Role

from .models import Scheme
from .services import (
    answer_enter,
    assessor_assign,
    round_compute,
    round_create,
    round_publish,
    scheme_save,
    score_enter,
    survey_draw,
)

SCHEME = "年度社区综合考核"
COMMUNITY_ROWS = [
    {"name": "居民满意度（抽样测评）", "weight": "50", "source": "survey", "rule": "满意度 1–5 线性计分"},
    {"name": "民情指数", "weight": "15", "source": "computed", "indicator_key": "cases.index", "best": "100",
     "worst": "60"},
    {"name": "按时办结率", "weight": "10", "source": "computed", "indicator_key": "cases.on_time_rate", "best": "100",
     "worst": "70"},
    {"name": "议事规则达标率", "weight": "5", "source": "computed", "indicator_key": "consultation.rules_met",
     "best": "100", "worst": "50"},
    {"name": "按时公开率", "weight": "5", "source": "computed", "indicator_key": "disclosure.on_time_rate",
     "best": "100", "worst": "60"},
    {"name": "志愿服务时长", "weight": "5", "source": "computed", "indicator_key": "volunteering.hours", "best": "500",
     "worst": "0"},
    {"name": "第三方评估", "weight": "10", "source": "third_party", "rule": "第三方机构按百分制评分"},
]
STREET_ROWS = [
    {"name": "对社区诉求的响应与支持", "weight": "60", "source": "community_rating"},
    {"name": "清单外事项（减负）", "weight": "20", "source": "computed", "indicator_key": "admission.unlisted_items",
     "best": "0", "worst": "10"},
    {"name": "社区拒收事项", "weight": "20", "source": "computed", "indicator_key": "admission.refusals", "best": "0",
     "worst": "5"},
]


def _assessor(manager, district) -> User:
    user = User.objects.filter(username="assessor").first()
    if user is None:
        user = user_create(actor=manager, username="assessor", password=None, display_name="扬州社会评估中心",
                           is_demo=True)
        grant_add_at(actor=manager, user=user, role=Role.THIRD_PARTY_ASSESSOR, region_code=district)
    return user


def _survey(staff, rnd, community, rng, seed):
    survey = survey_draw(actor=staff, round_=rnd, community_code=community, per_grid=6, seed=seed)
    channels = ["door", "phone", "online"]
    for member in survey.members.order_by("pk"):
        if rng.random() < 0.8:
            answer_enter(actor=staff, member=member, satisfaction=rng.choice([3, 4, 4, 5, 5]),
                         channel=rng.choice(channels))


@transaction.atomic
def build(*, ctx) -> None:
    users = ctx.data.get("users", {})
    manager, staff = users.get("district_manager"), users.get("community_staff")
    district, communities = ctx.data.get("district"), ctx.data.get("communities", [])
    missing = [r["indicator_key"] for r in COMMUNITY_ROWS + STREET_ROWS if r.get("indicator_key")
               and r["indicator_key"] not in INDICATORS]
    if not manager or not staff or not communities or missing:
        ctx.stdout("  assessment: skipped (no accounts/regions or indicators)")
        return
    if Scheme.objects.filter(region_code=district, name__endswith=SCHEME).exists():
        step_logins("assessment", ["assessor"])  # rebuilt accounts rewrote the logins file: add it again
        return
    today = timezone.localdate()
    scheme = scheme_save(actor=manager, district_code=district, name=f"{today.year}{SCHEME}", object_kind="community",
                         year=today.year, indicators=COMMUNITY_ROWS)
    scheme_save(actor=manager, district_code=district, name=f"{today.year}年度社区评议街道", object_kind="street",
                direction="bottom_up", year=today.year, indicators=STREET_ROWS)
    rnd = round_create(actor=manager, scheme=scheme, name=f"{today.year}年度社区考核",
                       period_start=date(today.year, 1, 1), period_end=today + timedelta(days=1))
    rng = random.Random(ctx.seed + 75)
    _survey(staff, rnd, communities[0], rng, ctx.seed)
    assessor = _assessor(manager, district)
    targets = list(rnd.targets.filter(region_code__startswith=ctx.data.get("street", district)).order_by("pk"))
    assessor_assign(actor=manager, round_=rnd, assessor=assessor, targets=targets, organisation="扬州社会评估中心")
    third = scheme.indicators.get(source="third_party")
    for t in targets:
        score_enter(actor=assessor, target=t, indicator=third, value=rng.randint(72, 95),
                    evidence="实地查看台账与服务阵地、随机访谈居民")
    round_compute(actor=manager, round_=rnd)
    round_publish(actor=manager, round_=rnd)
    step_logins("assessment", ["assessor"])
    ctx.stdout(f"  assessment: 2 schemes, 1 round over {rnd.targets.count()} communities, published; "
               f"assessor login in demo-logins.json")
