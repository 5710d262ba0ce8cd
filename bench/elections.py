"""The voter roll of a 20,000-resident community (issue 17: ≤ 5 s on PostgreSQL): N persons loaded into one
community, then `elections.services.roll_build` (adults with 户籍, serials, one audit row) timed, against the
raw database doing the same selection as one INSERT … SELECT in the same run (the ratio). Also times the
check-in of 1,000 voters at a station (`vote_record`, the one-vote-per-voter constraint).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_care_bench .venv/bin/python bench/elections.py --persons 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

from _django import setup, world_and_actor
from registry_import import synthetic_rows

COMMUNITY = "321002004001"
GRIDS = [f"{COMMUNITY}001", f"{COMMUNITY}002"]


def load(n: int) -> float:
    from django.db import connection, transaction

    from shanzhi.core import pii
    from shanzhi.elections import models as m
    from shanzhi.registry.importing import _fast_insert
    from shanzhi.registry.models import Person

    for model in (m.VoteCast, m.Tally, m.Result, m.Candidate, m.Proxy, m.RollCorrection, m.Voter, m.Election):
        model.objects.all().delete()  # a rerun starts clean (votes protect voters, voters protect persons)
    Person.objects.all().delete()
    t0 = time.perf_counter()
    kinds = {"户籍人口": "registered", "流动人口": "floating"}
    rows = []
    for i, (name, number, sex, birth, eth, _phone, kind, addr) in enumerate(synthetic_rows(n)):
        rows.append({"region_code": GRIDS[i % 2], "name": name, "name_pinyin": "", "name_initials": "",
                     "id_number_enc": pii.encrypt(number), "id_number_hash": pii.blind_index(number, purpose="id_number"),
                     "sex": "male" if sex == "男" else "female", "birth_date": dt.date.fromisoformat(birth), "ethnicity": eth,
                     "residence_type": kinds[kind], "current_address": addr})
    with transaction.atomic():
        _fast_insert(Person, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE registry_person")
    return time.perf_counter() - t0


def raw_roll_seconds(election) -> float:
    """The same selection and insert as one SQL statement, rolled back (the database's own speed)."""
    from django.db import connection, transaction

    born_by = election.vote_on.replace(year=election.vote_on.year - 18)
    sql = ("INSERT INTO elections_voter (region_code, election_id, person_id, serial, kind, listed) "
           "SELECT %s, %s, id, 'R' || id, 'hukou', TRUE FROM registry_person WHERE region_code >= %s "
           "AND region_code < %s AND status = 'living' AND residence_type = 'registered' AND birth_date <= %s")
    t0 = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql, [election.region_code, election.pk, COMMUNITY, "321002004002", born_by])
            n = cur.rowcount
        transaction.set_rollback(True)
    return time.perf_counter() - t0, n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--votes", type=int, default=1000)
    args = parser.parse_args()
    connection = setup("bench-elections")
    from shanzhi.elections import services
    from shanzhi.elections.models import Voter

    committee = world_and_actor("election_committee", COMMUNITY)
    load_s = load(args.persons)
    election = services.election_create(actor=committee, community_code=COMMUNITY, title="基准", term="第一届",
                                         vote_on=dt.date(2026, 12, 20), objection_days=0,
                                         seats={"director": 1, "deputy": 1, "member": 3})
    raw_s, raw_n = raw_roll_seconds(election)
    t0 = time.perf_counter()
    added = services.roll_build(actor=committee, election=election)
    roll_s = time.perf_counter() - t0
    assert added == raw_n, (added, raw_n)
    services.election_transition(actor=committee, election=election, action="publish_roll")
    services.election_transition(actor=committee, election=election, action="publish_candidates")
    station = services.station_add(actor=committee, election=election, name="一站", kind="fixed")
    services.ballots_print(actor=committee, station=station, count=args.votes)
    services.election_transition(actor=committee, election=election, action="open_voting")
    serials = list(Voter.objects.filter(election=election).values_list("serial", flat=True)[: args.votes])
    t0 = time.perf_counter()
    for s in serials:
        services.vote_record(actor=committee, station=station, serial=s)
    vote_s = time.perf_counter() - t0
    print(json.dumps({
        "benchmark": "elections_roll", "database": connection.vendor, "persons": args.persons,
        "voters": added, "load_s": round(load_s, 2), "roll_build_s": round(roll_s, 3),
        "raw_insert_select_s": round(raw_s, 3), "ratio_to_raw": round(roll_s / raw_s, 1) if raw_s else None,
        "goal_s": 5.0, "within_goal": roll_s <= 5.0,
        "vote_record": {"n": len(serials), "total_s": round(vote_s, 2),
                        "per_vote_ms": round(vote_s * 1000 / max(len(serials), 1), 2)},
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
