"""Demo: a finished 居委会 election in the first demo community, run through the services — roll from the
registry, a non-户籍 voter registered, an objection, nominations, two stations and a 流动票箱, proxies,
double-entered tallies (one mismatch caught and corrected), a tied 委员 seat decided by a runoff, a write-in
(海选) deputy, and the result submitted to and published on 阳光五务."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.disclosure import services as disclosure
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.registry import choices as rc
from shanzhi.registry.models import Person

from . import services
from .models import Election, Voter

SEATS = {"director": 1, "deputy": 1, "member": 2}


def _vote_all(committee, stations, voters):
    for i, v in enumerate(voters):
        services.vote_record(actor=committee, station=stations[i % len(stations)], serial=v.serial)


def _tally(clerks, station, cast, counts, typo=None):
    services.tally_enter(actor=clerks[0], station=station, ballots_cast=cast, invalid=0, counts=counts)
    services.tally_enter(actor=clerks[1], station=station, ballots_cast=cast, invalid=0, counts=typo or counts)
    if typo:  # the mismatch blocks the count until the second clerk checks the sheet and corrects
        services.tally_enter(actor=clerks[1], station=station, ballots_cast=cast, invalid=0, counts=counts)


def build(*, ctx) -> None:
    users = {u.username: u for u in User.objects.filter(is_demo=True)} | ctx.data.get("users", {})
    committee, clerk = users.get("election_committee"), users.get("election_clerk")
    secretary, street = users.get("community_secretary"), users.get("street_manager")
    if not all((committee, clerk, secretary, street)):
        ctx.stdout("  elections: demo users missing, skipped")
        return
    community = (ctx.data.get("communities") or [RoleGrant.objects.filter(user=committee).values_list(
        "region_code", flat=True).first()])[0]
    if Election.objects.filter(region_code=community).exists():
        ctx.stdout("  elections: already built")
        return
    e = services.election_create(actor=committee, community_code=community, title="居民委员会换届选举",
                                 term="第十二届", vote_on=timezone.localdate(), objection_days=0, seats=SEATS)
    services.roll_build(actor=committee, election=e)
    services.election_transition(actor=committee, election=e, action="publish_roll")
    tenant = Person.objects.filter(region_code__startswith=community, status=rc.PersonStatus.LIVING,
                                   birth_date__lte=dt.date(2000, 1, 1)).exclude(
        residence_type=rc.ResidenceType.REGISTERED).first()
    if tenant:
        services.voter_add(actor=committee, election=e, person=tenant, reason="居住满一年，本人申请并经选委会确认")
    voters = list(Voter.objects.filter(election=e, listed=True).order_by("serial"))
    services.voter_remove(actor=committee, voter=voters[-1], reason="已于投票日前迁出本社区", raised_by="居民小组长")
    voters = voters[:-1]
    d, dep, m1, m2, m3, w = (voters[i * 7 + 3] for i in range(6))
    for v, office in ((d, "director"), (dep, "deputy"), (m1, "member"), (m2, "member"), (m3, "member")):
        services.candidate_nominate(actor=committee, election=e, serial=v.serial, office=office,
                                    nominated_by="选民十人以上联名")
    services.election_transition(actor=committee, election=e, action="publish_candidates")
    stations = [services.station_add(actor=committee, election=e, name=name, kind=kind, place=place,
                                     staff=[(None, "王监票", "scrutineer"), (committee, "", "chief"), (clerk, "", "clerk")])
                for name, kind, place in (("第一投票站", "fixed", "社区党群服务中心"), ("第二投票站", "fixed", "小区会所"),
                                          ("流动票箱", "mobile", "行动不便的老人家中"))]
    turnout = voters[: len(voters) * 7 // 10]
    grantors, holders = turnout[-6:], turnout[:2]
    for i, g in enumerate(grantors):
        services.proxy_grant(actor=committee, election=e, grantor_serial=g.serial,
                             holder_serial=holders[i % 2].serial, document=f"委托书{i + 1:03d}")
    for st in stations:
        services.ballots_print(actor=committee, station=st, count=len(voters) // 2 + 50)
    services.election_transition(actor=committee, election=e, action="open_voting")
    _vote_all(committee, stations, turnout[:-6])
    for i, g in enumerate(grantors):
        services.vote_record(actor=committee, station=stations[0], serial=g.serial, proxy_serial=holders[i % 2].serial)
    services.election_transition(actor=committee, election=e, action="close_voting")
    per_station = [sum(1 for i in range(len(turnout) - 6) if i % 3 == k) + (6 if k == 0 else 0) for k in range(3)]
    clerks = (committee, clerk)
    for k, (st, cast) in enumerate(zip(stations, per_station, strict=True)):
        a, b = cast * 80 // 100, cast * 70 // 100  # the director; the deputy written in (海选) beats the nominee
        counts = {"director": {d.serial: a}, "deputy": {w.serial: b, dep.serial: cast - b},
                  "member": {m1.serial: cast * 60 // 100, m2.serial: cast * 45 // 100, m3.serial: cast * 45 // 100}}
        typo = {**counts, "director": {d.serial: a - 10}} if k == 1 else None
        _tally(clerks, st, cast, counts, typo)
    services.election_count(actor=committee, election=e)
    e.refresh_from_db()
    if e.stage == "candidates":  # the tied 委员 seat: 另行选举
        for st in stations:
            services.ballots_print(actor=committee, station=st, count=len(voters) // 2)
        services.election_transition(actor=committee, election=e, action="open_voting")
        second = voters[: len(voters) * 6 // 10]
        _vote_all(committee, stations, second)
        services.election_transition(actor=committee, election=e, action="close_voting")
        for k, st in enumerate(stations):
            cast = sum(1 for i in range(len(second)) if i % 3 == k)
            _tally(clerks, st, cast, {"member": {m2.serial: cast * 55 // 100, m3.serial: cast * 40 // 100}})
        services.election_count(actor=committee, election=e)
        e.refresh_from_db()
    if e.stage == "decided":
        e = services.election_transition(actor=secretary, election=e, action="publish")
        entry = DisclosureEntry.objects.get(pk=e.disclosure_entry_id)
        # the result names the elected: the privacy scan finds them and the reviewer publishes with a reason
        disclosure.entry_transition(actor=street, entry=entry, action="approve", override=True,
                                    reason="选举结果公告依法载明当选人姓名")
    ctx.stdout(f"  elections: {len(voters)} voters, {e.round} rounds, stage {e.stage}")
