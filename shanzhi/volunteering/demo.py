"""Demo step "participation" (order 60): skills, teams, volunteers, activities with sign-ups and points,
store items and donations for 曲江; the party organisation is the next step (shanzhi.party.demo). Idempotent."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award
from shanzhi.registry.models import Person

from .choices import SignUpState
from .models import Activity, Donation, SignUp, Skill, StoreItem, Volunteer, VolunteerTeam
from .store import store_item_create

SKILLS = ["助老陪护", "医疗急救", "文明劝导", "环境清洁", "法律咨询", "心理疏导", "文艺表演", "电器维修", "儿童辅导"]
TEAMS = ["红马甲志愿服务队", "银发助老服务队", "青春环保服务队"]
ACTIVITIES = [  # title, place, days from today, start hour, hours, slots, points/hour
    ("运河沿线环境清洁", "运河广场", -20, 9, 3, 20, 10),
    ("独居老人上门探访", "玺园社区党群服务中心", -12, 14, 2, 10, 15),
    ("文明交通劝导", "曲江路口", -5, 7, 2, 12, 10),
    ("社区义诊", "玺园社区卫生服务站", 0, 8, 10, 8, 12),
    ("周末儿童课业辅导", "玺园社区书屋", 3, 9, 3, 10, 10),
    ("垃圾分类宣传", "文昌花园小区", 6, 15, 2, 15, 10),
]
ITEMS = [("大米5斤", 80, 30, 2), ("食用油1升", 60, 40, 2), ("洗衣液", 40, 50, 3), ("毛巾", 15, 100, 0),
         ("牙膏", 12, 100, 0), ("雨伞", 50, 20, 1)]
DONORS = [("扬州供电公司", "大米5斤", 30, "1200.00"), ("苏果超市曲江店", "洗衣液", 50, "750.00"),
          ("曲江银行网点", "雨伞", 20, "600.00")]


def _at(days: int, hour: int):
    return timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)


@transaction.atomic
def build(*, ctx) -> None:
    users = ctx.data.get("users", {})
    staff = users.get("community_staff")
    resident = users.get("resident")
    communities = ctx.data.get("communities") or []
    if not staff or not communities:
        ctx.stdout("  participation: skipped (no accounts/regions)")
        return
    community = communities[0]
    grids = [g for g in ctx.data.get("grids", []) if g.startswith(community)] or [community]
    now = timezone.now()
    rng = random.Random(ctx.seed + 60)  # its own generator, so re-runs draw the same choices
    skills = [Skill.objects.get_or_create(name=n)[0] for n in SKILLS]
    teams = [VolunteerTeam.objects.get_or_create(region_code=community, name=n)[0] for n in TEAMS]
    persons = list(Person.objects.filter(region_code__startswith=community, birth_date__isnull=False,
                                         status="living").order_by("pk")[:60])
    resident_person = Person.objects.filter(user=resident).first() if resident else None
    if resident_person and resident_person not in persons:
        persons.append(resident_person)
    volunteers = []
    for i, person in enumerate(persons):
        v, created = Volunteer.objects.get_or_create(
            person=person, defaults={"region_code": person.region_code, "verified_by": staff,
                                     "verified_at": now - timedelta(days=30)})
        picked = rng.sample(skills, 2)
        if created:
            v.skills.set(picked)
            teams[i % len(teams)].members.add(v)
        volunteers.append(v)
    for n, (title, place, days, hour, hours, slots, pph) in enumerate(ACTIVITIES):
        starts = _at(days, hour)
        team = teams[n % len(teams)]
        activity, _ = Activity.objects.get_or_create(
            region_code=grids[0], title=title,
            defaults={"place": place, "starts_at": starts, "ends_at": starts + timedelta(hours=hours), "slots": slots,
                      "points_per_hour": pph, "organiser": staff, "team": team,
                      "description": f"{title}，欢迎报名。"})
        if activity.ends_at > now:
            continue
        for v in rng.sample(volunteers, min(len(volunteers), slots)):
            if v.person_id == getattr(resident_person, "pk", None):
                continue
            served = hours - rng.choice([0, 0, 0.5, 1])
            signup, created = SignUp.objects.get_or_create(
                activity=activity, volunteer=v,
                defaults={"region_code": activity.region_code, "team": team, "state": SignUpState.APPROVED,
                          "checked_in_at": activity.starts_at, "hours": served,
                          "checked_out_at": activity.starts_at + timedelta(hours=served),
                          "points": int(served * activity.points_per_hour)})
            if created and signup.points:
                t = points_award(actor=staff, ledger=Ledger.VOLUNTEER, person=v.person, amount=signup.points,
                                 idempotency_key=f"activity:{activity.pk}:volunteer:{v.pk}",
                                 memo=f"志愿服务：{activity.title}")
                SignUp.objects.filter(pk=signup.pk).update(transfer=t)
    donations = {}
    for donor, item, qty, value in DONORS:
        donations[item], _ = Donation.objects.get_or_create(
            region_code=community, donor_name=donor, description=item,
            defaults={"quantity": qty, "value": value, "received_on": timezone.localdate() - timedelta(days=15),
                      "created_by": staff})
    for name, price, stock, limit in ITEMS:  # through the store's service, as the 系统配置 pages list them
        if not StoreItem.objects.filter(region_code=community, name=name).exists():
            store_item_create(actor=staff, region_code=community, name=name, points_price=price, stock=stock,
                              per_person_limit=limit, donation=donations.get(name))
    # last year's service, carried over: the demo resident and the first volunteers have points to spend
    for person in ([resident_person] if resident_person else []) + [v.person for v in volunteers[:20]]:
        points_award(actor=staff, ledger=Ledger.VOLUNTEER, person=person, amount=rng.choice([120, 160, 200]),
                     idempotency_key=f"demo:carried-over:{person.pk}", memo="上年度志愿服务积分结转")
    ctx.stdout(f"  participation: {len(volunteers)} volunteers, {Activity.objects.count()} activities, "
               f"{SignUp.objects.count()} sign-ups")
