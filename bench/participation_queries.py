"""Bench: balance and ranking queries with 1,000,000 ledger entries.

Seeds (once per database; the 500,000 rows of each big table with one INSERT … SELECT over
generate_series on PostgreSQL) 5,000 volunteers in 10 communities, 2,000 activities over the year,
500,000 completed sign-ups and one award transfer per sign-up — 500,000 transfers, 1,000,000 entries —
then times, over random persons / communities / teams / months:
  - balance: the cached balance (`balance_of`) vs the raw database sum of the account's entries;
  - ranking: `selectors.ranking` (one aggregate query) monthly and yearly per community and per team,
    vs the same SQL run raw on the cursor.
Prints JSON with p50/p95 in milliseconds and the ratios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shanzhi_bench python bench/participation_queries.py
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

SIGNUPS = int(os.environ.get("BENCH_SIGNUPS", 500_000))  # one transfer each: 2 entries
PERSONS, ACTIVITIES, COMMUNITIES, TEAMS = 5000, 2000, 10, 10
YEAR = 2025
BATCH = 10_000
RUNS = int(os.environ.get("BENCH_RUNS", 200))


def seed() -> None:
    from shanzhi.accounts.models import User
    from shanzhi.core.testing import make_world
    from shanzhi.ledger.choices import ISSUER, Ledger
    from shanzhi.ledger.models import Account
    from shanzhi.regions.models import Region
    from shanzhi.registry.models import Person
    from shanzhi.volunteering.models import Activity, Volunteer, VolunteerTeam

    world = make_world()
    grids = []
    for c in range(COMMUNITIES):
        code = f"321002004{c + 101:03d}"
        community, _ = Region.objects.get_or_create(code=code, defaults={"name": f"压测社区{c}", "level": "community",
                                                                         "parent": world.street})
        for g in range(2):
            grid, _ = Region.objects.get_or_create(code=f"{code}{g + 1:03d}",
                                                   defaults={"name": f"压测网格{c}-{g}", "level": "grid",
                                                             "parent": community})
            grids.append(grid.code)
    organiser = User.objects.create_user(username=f"bench-org-{time.time_ns()}")
    persons = Person.objects.bulk_create([Person(name=f"志愿者{i}", region_code=grids[i % len(grids)])
                                          for i in range(PERSONS)], batch_size=BATCH)
    volunteers = Volunteer.objects.bulk_create([Volunteer(person=p, region_code=p.region_code) for p in persons],
                                               batch_size=BATCH)
    teams = [VolunteerTeam.objects.create(region_code=grids[t * 2][:12], name=f"压测队{t}") for t in range(TEAMS)]
    tz = timezone.get_current_timezone()
    activities = Activity.objects.bulk_create([
        Activity(region_code=grids[a % len(grids)], title=f"活动{a}", place="广场", organiser=organiser, slots=300,
                 team=teams[a % TEAMS], points_per_hour=10,
                 starts_at=(s := datetime(YEAR, 1, 1, 8, tzinfo=tz) + timedelta(days=a * 365 // ACTIVITIES)),
                 ends_at=s + timedelta(hours=4)) for a in range(ACTIVITIES)], batch_size=BATCH)
    issuer = Account.objects.create(ledger=Ledger.VOLUNTEER, key=ISSUER, owner_kind="system", name="积分发放",
                                    allow_negative=True)
    accounts = Account.objects.bulk_create([Account(ledger=Ledger.VOLUNTEER, owner_kind="person", person=p,
                                                    name=p.name, region_code=p.region_code) for p in persons],
                                           batch_size=BATCH)
    act = [a.pk for a in activities]
    vol = [v.pk for v in volunteers]
    acc = [a.pk for a in accounts]
    # sign-up i: activity i % A, volunteer (a*13 + i // A) % P (unique per activity), 1–4 hours
    pick = f"""SELECT i, i %% {ACTIVITIES} AS ai, ((i %% {ACTIVITIES}) * 13 + i / {ACTIVITIES}) %% {PERSONS} AS v,
                      1 + (i * 7919) %% 4 AS h FROM generate_series(0::bigint, {SIGNUPS} - 1) i"""
    with transaction.atomic(), connection.cursor() as c:
        c.execute(f"""
            INSERT INTO volunteering_signup (region_code, activity_id, volunteer_id, team_id, state, note,
                checked_in_at, checked_out_at, hours, points, created_at, version)
            SELECT a.region_code, a.id, (%s::bigint[])[1 + g.v], a.team_id, 'approved', '', a.starts_at,
                   a.starts_at + make_interval(hours => g.h::int), g.h, g.h * 10, now(), 1
            FROM ({pick}) g JOIN volunteering_activity a ON a.id = (%s::bigint[])[1 + g.ai]""", [vol, act])
        c.execute(f"""
            INSERT INTO ledger_transfer (region_code, ledger, kind, idempotency_key, amount, source_id, target_id,
                memo, created_at)
            SELECT t.region_code, 'volunteer', 'award',
                   'activity:' || (%s::bigint[])[1 + g.ai] || ':volunteer:' || (%s::bigint[])[1 + g.v],
                   g.h * 10, %s, t.id, '', now()
            FROM ({pick}) g JOIN ledger_account t ON t.id = (%s::bigint[])[1 + g.v]""", [act, vol, issuer.pk, acc])
        c.execute("""
            INSERT INTO ledger_entry (region_code, transfer_id, account_id, ledger, kind, amount, created_at)
            SELECT '', id, source_id, ledger, kind, -amount, created_at FROM ledger_transfer
            WHERE source_id = %s AND kind = 'award'
            UNION ALL
            SELECT region_code, id, target_id, ledger, kind, amount, created_at FROM ledger_transfer
            WHERE source_id = %s AND kind = 'award'""", [issuer.pk, issuer.pk])
        c.execute("""
            UPDATE ledger_account a SET balance = s.total
            FROM (SELECT account_id, SUM(amount) AS total FROM ledger_entry GROUP BY account_id) s
            WHERE a.id = s.account_id""")
        c.execute("ANALYZE")


def timed(fn, n: int) -> dict:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {"runs": n, "p50_ms": round(statistics.median(samples), 3),
            "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 3)}


def main() -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit("participation_queries seeds with PostgreSQL's generate_series: set DATABASE_URL")
    call_command("migrate", verbosity=0)
    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.ledger.choices import Ledger
    from shanzhi.ledger.models import Account, Entry
    from shanzhi.ledger.selectors import balance_of
    from shanzhi.regions.models import Region
    from shanzhi.registry.models import Person
    from shanzhi.volunteering import selectors
    from shanzhi.volunteering.models import SignUp, VolunteerTeam

    rng = random.Random(7)
    seeded_at = time.perf_counter()
    if Entry.objects.count() < SIGNUPS * 2:
        seed()
    seed_seconds = round(time.perf_counter() - seeded_at, 1)
    with connection.cursor() as c:  # a fresh visibility map, so index-only scans are possible
        c.execute("VACUUM ANALYZE volunteering_signup")
    entries = Entry.objects.count()
    actor, _ = User.objects.get_or_create(username="bench-street-manager")
    street = Region.objects.get(code="321002004")
    RoleGrant.objects.get_or_create(user=actor, role="street_manager", region_code=street.code,
                                    defaults={"region": street})
    persons = list(Person.objects.filter(points_accounts__isnull=False).values_list("pk", flat=True)[:PERSONS])
    people = {p.pk: p for p in Person.objects.filter(pk__in=persons)}
    accounts = list(Account.objects.filter(person__isnull=False).values_list("pk", flat=True))
    communities = list(Region.objects.filter(code__startswith="321002004", level="community",
                                             code__gte="321002004101").values_list("code", flat=True))
    teams = list(VolunteerTeam.objects.filter(name__startswith="压测队"))
    year = SignUp.objects.order_by("-checked_out_at").values_list("checked_out_at", flat=True).first().year

    def balance():
        balance_of(person=people[rng.choice(persons)], ledger=Ledger.VOLUNTEER)

    def raw_sum():
        Entry.objects.filter(account_id=rng.choice(accounts)).aggregate(s=Sum("amount"))

    def rank_month_community():
        selectors.ranking(actor=actor, year=year, month=rng.randint(1, 12), region_code=rng.choice(communities))

    def rank_year_community():
        selectors.ranking(actor=actor, year=year, region_code=rng.choice(communities))

    def rank_month_team():
        selectors.ranking(actor=actor, year=year, month=rng.randint(1, 12), team=rng.choice(teams))

    # the same aggregate as raw SQL, to show the ORM adds little
    qs = SignUp.objects.restrict(actor, "view")
    sample_sql = None

    def rank_month_community_raw():
        nonlocal sample_sql
        from shanzhi.volunteering.selectors import period_bounds

        start, end = period_bounds(year, rng.randint(1, 12))
        code = rng.choice(communities)
        q = (qs.filter(checked_out_at__gte=start, checked_out_at__lt=end, hours__gt=0, region_code__gte=code,
                       region_code__lt=str(int(code) + 1))
             .values("volunteer_id").annotate(hours=Sum("hours"), points=Sum("points"),
                                                  activities=Count("volunteer_id"))
             .order_by("-hours")[:20])
        sql, params = q.query.sql_with_params()
        sample_sql = sql
        with connection.cursor() as c:
            c.execute(sql, params)
            c.fetchall()

    balance()
    rank_month_community()  # warm caches
    results = {
        "balance_cached": timed(balance, RUNS * 5),
        "balance_raw_entry_sum": timed(raw_sum, RUNS * 5),
        "ranking_month_community": timed(rank_month_community, RUNS),
        "ranking_year_community": timed(rank_year_community, RUNS),
        "ranking_month_team": timed(rank_month_team, RUNS),
        "ranking_month_community_raw_sql": timed(rank_month_community_raw, RUNS),
    }
    plan = ""
    if connection.vendor == "postgresql" and sample_sql:
        from shanzhi.volunteering.selectors import period_bounds

        start, end = period_bounds(year, 6)
        q = (qs.filter(checked_out_at__gte=start, checked_out_at__lt=end, hours__gt=0,
                       region_code__gte=communities[0], region_code__lt=str(int(communities[0]) + 1))
             .values("volunteer_id").annotate(hours=Sum("hours")).order_by("-hours")[:20])
        plan = q.explain().splitlines()[:6]
    goal = 50.0
    return {
        "bench": "participation_queries", "database": connection.vendor, "ledger_entries": entries,
        "signups": SignUp.objects.count(), "seed_seconds": seed_seconds, "results": results,
        "ratio_balance_raw_over_cached": round(results["balance_raw_entry_sum"]["p95_ms"]
                                               / results["balance_cached"]["p95_ms"], 2),
        "ratio_ranking_orm_over_raw_sql": round(results["ranking_month_community"]["p95_ms"]
                                                / results["ranking_month_community_raw_sql"]["p95_ms"], 2),
        "goal_p95_ms": goal,
        "meets_goal": {k: v["p95_ms"] <= goal for k, v in results.items()},
        "ranking_plan": plan,
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=1))
