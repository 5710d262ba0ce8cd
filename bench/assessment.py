"""One district's annual assessment (考核) on PostgreSQL: 10 streets × 20 communities × 3 grids, a year of cases,
consultation topics, disclosure entries and volunteering at demo density scaled up, 100 adults per grid, a sampled
resident survey in every community with answers, third-party scores — then `round_compute` over the 200
communities (a scheme of 7 indicators: residents 50%, five computed through core.indicators, one third-party),
timed, with its query count; computed twice to show the same inputs give the same scores. A bottom-up round
(communities rating their 10 streets) is timed too.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_admission .venv/bin/python bench/assessment.py
Prints JSON. --cases N (default 300,000) scales the cases; --runs R repeats the computation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._django import copy_columns, setup  # noqa: E402

STREETS, COMMUNITIES, GRIDS, ADULTS = 10, 20, 3, 100


def regions():
    from shanzhi.regions.choices import Level
    from shanzhi.regions.models import Region

    city, _ = Region.objects.get_or_create(code="3210", defaults={"name": "扬州市", "level": Level.CITY})
    district, _ = Region.objects.get_or_create(code="321002", defaults={"name": "广陵区", "level": Level.DISTRICT,
                                                                        "parent": city})
    communities, grids = [], []
    for s in range(1, STREETS + 1):
        street, _ = Region.objects.get_or_create(code=f"321002{s:03d}", defaults={
            "name": f"街道{s}", "level": Level.STREET, "parent": district})
        for m in range(1, COMMUNITIES + 1):
            com, _ = Region.objects.get_or_create(code=f"{street.code}{m:03d}", defaults={
                "name": f"社区{s}-{m}", "level": Level.COMMUNITY, "parent": street, "population": 6000})
            communities.append(com.code)
            for g in range(1, GRIDS + 1):
                grid, _ = Region.objects.get_or_create(code=f"{com.code}{g:03d}", defaults={
                    "name": f"网格{s}-{m}-{g}", "level": Level.GRID, "parent": com, "population": 2000})
                grids.append(grid.code)
    return communities, grids


def load_cases(n, grids, rng, start, now):
    from django.db import connection

    from shanzhi.cases.models import Case, Category

    if Case.objects.count() >= n:
        return
    Case.objects.all().delete()
    cat, _ = Category.objects.get_or_create(code="bench", defaults={"name": "基准类别"})
    cols = ["number", "region_code", "category_id", "channel", "title", "description", "urgency", "extra", "address",
            "reporter_name", "reporter_phone_enc", "anonymous", "tracking_code", "state", "version", "level",
            "outcome", "outcome_note", "is_repeat", "reopen_count", "step", "due_estimated", "alert_level",
            "created_at", "accepted_at", "accepted_on_time", "completed_at", "completed_on_time", "updated_at",
            "lat", "lng", "external_ref", "import_fingerprint", "publish_consent"]
    cols, rest = copy_columns(Case, cols)  # every other column (similar_tokens …) with its default
    span = (now - start).total_seconds()
    with connection.cursor() as cur, cur.connection.cursor().copy(
            f"COPY cases_case ({', '.join(cols)}) FROM STDIN") as copy:
        for i in range(n):
            created = start + dt.timedelta(seconds=rng.uniform(0, span))
            accepted = created + dt.timedelta(hours=rng.uniform(1, 40))
            done = rng.random() < 0.85
            completed = accepted + dt.timedelta(hours=rng.uniform(5, 200)) if done else None
            copy.write_row([f"A{i:09d}", rng.choice(grids), cat.pk, "patrol", "基准", "基准", "normal", "{}", "", "",
                            "", False, "", "archived" if done else "handling", 1, 0, "fixed" if done else "", "",
                            rng.random() < 0.05, 0, "", False, 0, created, accepted, rng.random() < 0.9,
                            completed, None if completed is None else rng.random() < 0.8, now, None, None, "", "", False,
                            *rest])
    with connection.cursor() as cur:
        cur.execute("ANALYZE cases_case")


def load_participation(communities, grids, rng, start, now):
    from shanzhi.accounts.models import User
    from shanzhi.consultation.models import ConsultationRule, Topic
    from shanzhi.disclosure.models import DisclosureEntry
    from shanzhi.registry.models import Person
    from shanzhi.volunteering.models import Activity, SignUp, Volunteer

    if Person.objects.filter(name__startswith="基准").exists():
        return
    organiser, _ = User.objects.get_or_create(username="bench-organiser")
    rule = ConsultationRule.objects.first() or ConsultationRule.objects.create(matter_type="bench", name="基准事项")
    born = dt.date(1975, 6, 1)
    Person.objects.bulk_create([Person(name=f"基准{g[-6:]}{i}", region_code=g, birth_date=born)
                                for g in grids for i in range(ADULTS)], batch_size=5000)
    Topic.objects.bulk_create([Topic(region_code=c, title="基准议题", rule=rule, state="deliberation",
                                     supporters_needed=10, support_count=rng.randint(5, 20))
                               for c in communities for _ in range(40)], batch_size=5000)
    DisclosureEntry.objects.bulk_create([DisclosureEntry(region_code=c, category="affairs", title="基准公开",
                                                         state="published", published_at=now - dt.timedelta(days=1))
                                         for c in communities for _ in range(50)], batch_size=5000)
    persons = list(Person.objects.filter(name__startswith="基准").order_by("pk").values_list("pk", "region_code"))
    Volunteer.objects.bulk_create([Volunteer(person_id=pk, region_code=code) for pk, code in persons[::10]],
                                  batch_size=5000)
    volunteers: dict[str, list[int]] = {}
    for v, code in Volunteer.objects.values_list("pk", "region_code"):
        volunteers.setdefault(code[:12], []).append(v)
    span = (now - start).total_seconds()
    acts = []
    for c in communities:
        for _ in range(24):
            at = start + dt.timedelta(seconds=rng.uniform(0, span - 86400))
            acts.append(Activity(region_code=c, title="基准活动", place="广场", starts_at=at,
                                 ends_at=at + dt.timedelta(hours=2), slots=20, organiser=organiser))
    Activity.objects.bulk_create(acts, batch_size=5000)
    signups = []
    for a in Activity.objects.filter(title="基准活动").only("pk", "region_code", "ends_at"):
        for v in rng.sample(volunteers[a.region_code], 10):
            signups.append(SignUp(activity_id=a.pk, volunteer_id=v, region_code=a.region_code, state="approved",
                                  checked_in_at=a.starts_at if hasattr(a, "starts_at") else a.ends_at,
                                  checked_out_at=a.ends_at, hours=Decimal("2.0"), points=20))
    SignUp.objects.bulk_create(signups, batch_size=5000)


def prepare_round(manager, communities, rng, start, end):
    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.assessment import services
    from shanzhi.assessment.demo import COMMUNITY_ROWS, STREET_ROWS
    from shanzhi.assessment.models import Answer, Assignment, SampleMember, Score
    from shanzhi.regions.models import Region

    scheme = services.scheme_save(actor=manager, district_code="321002", name="基准年度考核", object_kind="community",
                                  year=start.year, indicators=COMMUNITY_ROWS)
    rnd = services.round_create(actor=manager, scheme=scheme, name="基准年度", period_start=start, period_end=end)
    district_region = Region.objects.get(code="321002")
    staff, _ = User.objects.get_or_create(username="bench-staff")
    RoleGrant.objects.get_or_create(user=staff, role="community_staff", region_code="321002",
                                    defaults={"region": district_region})
    t = time.perf_counter()
    for c in communities:
        services.survey_draw(actor=manager, round_=rnd, community_code=c, per_grid=10, seed=20261130)
    draw_s = time.perf_counter() - t
    members = list(SampleMember.objects.filter(survey__round=rnd).values_list("pk", "survey_id"))
    Answer.objects.bulk_create([Answer(member_id=m, survey_id=s, satisfaction=rng.choice([3, 4, 4, 5, 5]),
                                       channel="door", entered_by=staff)
                                for m, s in members if rng.random() < 0.8], batch_size=5000)
    assessor, _ = User.objects.get_or_create(username="bench-assessor")
    third = scheme.indicators.get(source="third_party")
    targets = list(rnd.targets.all())
    Assignment.objects.bulk_create([Assignment(target=tg, user=assessor) for tg in targets])
    Score.objects.bulk_create([Score(target=tg, indicator=third, value=rng.randint(70, 95), evidence="基准",
                                     entered_by=assessor) for tg in targets])
    street_scheme = services.scheme_save(actor=manager, district_code="321002", name="基准社区评议街道",
                                         object_kind="street", direction="bottom_up", year=start.year,
                                         indicators=STREET_ROWS)
    street_round = services.round_create(actor=manager, scheme=street_scheme, name="基准双向", period_start=start,
                                         period_end=end)
    rating = street_scheme.indicators.get(source="community_rating")
    Score.objects.bulk_create([Score(target=tg, indicator=rating, value=rng.randint(60, 95), rater_code=c,
                                     entered_by=staff)
                               for tg in street_round.targets.all() for c in communities
                               if c.startswith(tg.region_code)])
    return rnd, street_round, draw_s, len(members)


def timed_compute(manager, rnd, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shanzhi.assessment import services
    from shanzhi.assessment.models import Result, Round

    samples, totals, queries = [], [], 0
    for i in range(runs):
        rnd = Round.objects.get(pk=rnd.pk)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            n = services.round_compute(actor=manager, round_=rnd)
            samples.append(time.perf_counter() - t)
        queries = len(ctx.captured_queries)
        totals.append(tuple(Result.objects.filter(round=rnd, current=True).order_by("target_id")
                            .values_list("total", flat=True)))
        assert n > 0
        del i
    return {"objects": n, "seconds_min": round(min(samples), 3), "seconds_median": round(statistics.median(samples), 3),
            "seconds_max": round(max(samples), 3), "queries": queries, "same_scores_every_run": len(set(totals)) == 1,
            "top_total": str(max(totals[0])), "bottom_total": str(min(totals[0]))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=300_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    connection = setup("assessment")
    from django.utils import timezone

    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.assessment.models import Round, Scheme
    from shanzhi.regions.models import Region

    rng = random.Random(1)
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=365), today + dt.timedelta(days=1)
    now = timezone.now()
    t = time.perf_counter()
    communities, grids = regions()
    load_cases(args.cases, grids, rng, now - dt.timedelta(days=365), now)
    load_participation(communities, grids, rng, now - dt.timedelta(days=365), now)
    load_s = time.perf_counter() - t
    manager, _ = User.objects.get_or_create(username="bench-district")
    RoleGrant.objects.get_or_create(user=manager, role="district_manager", region_code="321002",
                                    defaults={"region": Region.objects.get(code="321002")})
    Round.objects.filter(name__startswith="基准").delete()
    Scheme.objects.filter(name__startswith="基准").delete()
    rnd, street_round, draw_s, sampled = prepare_round(manager, communities, rng, start, end)
    from shanzhi.cases.models import Case
    from shanzhi.volunteering.models import SignUp

    out = {"bench": "assessment", "database": connection.vendor, "streets": STREETS,
           "communities": len(communities), "grids": len(grids), "cases": Case.objects.count(),
           "signups": SignUp.objects.count(), "adults": len(grids) * ADULTS, "load_seconds": round(load_s, 1),
           "survey_draw_200_communities_seconds": round(draw_s, 2), "sampled_residents": sampled,
           "community_round": timed_compute(manager, rnd, args.runs),
           "street_round_bottom_up": timed_compute(manager, street_round, args.runs), "goal_seconds": 10}
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
