"""Every write of 社区直选. Audited end to end: each step writes an audit row on the election."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.writes import clean_or_refuse, versioned_update
from shanzhi.disclosure import services as disclosure
from shanzhi.registry import choices as rc

from . import choices as c
from . import counting, selectors
from .models import (
    VOTING_AGE,
    BallotBatch,
    Candidate,
    Election,
    Elector,
    Note,
    Proxy,
    Result,
    RollCorrection,
    Seat,
    Station,
    StationStaff,
    Tally,
    VoteCast,
    Voter,
)
from .permissions import RUN
from .workflow import SYSTEM_ACTIONS, WORKFLOW

S = c.Stage


def _run(actor, election: Election) -> Election:
    """The actor runs this election (committee of its community); re-read inside the transaction."""
    require(actor, RUN.action, election)
    fresh = Election.objects.restrict(actor, "run").select_for_update().filter(pk=election.pk).first()
    if fresh is None:
        raise NotAllowed(_("您不能操作此选举"))
    return fresh


def _stage(election: Election, *stages: str) -> None:
    if election.stage not in stages:
        raise ServiceError(_("选举当前阶段为“%(s)s”，不能进行此操作") % {"s": election.get_stage_display()})


def _note(election: Election, text: str) -> None:
    Note.objects.create(election=election, region_code=election.region_code, text=text[:1000])


def cards_printed(*, actor, election: Election, page: int) -> None:
    """Printing 选民证 is audited (which page of the roll)."""
    audit_log(actor=actor, action="elections.cards.print", obj=election, after={"page": page})


# --- set-up ----------------------------------------------------------------------------------------------

@transaction.atomic
def election_create(*, actor, community_code: str, title: str, term: str, vote_on: dt.date, seats: dict,
                    objection_days: int = 5, write_ins: bool = True) -> Election:
    require(actor, RUN.action, community_code)
    if len(community_code) != 12:
        raise ServiceError(_("选举须设在社区"), field="community")
    seats = {k: int(v) for k, v in seats.items() if int(v or 0) > 0}
    if set(seats) - set(c.Office.values):
        raise ServiceError(_("未知职务"), field="seats")
    if seats.get(c.Office.DIRECTOR, 0) != 1:
        raise ServiceError(_("主任名额须为1名"), field="seats")
    if sum(seats.values()) < 3 or sum(seats.values()) > 9:
        raise ServiceError(_("居民委员会由主任、副主任和委员共5至9人组成；本次名额合计须在3至9名之间"), field="seats")
    election = Election(region_code=community_code, title=title.strip(), term=term.strip(), vote_on=vote_on,
                        objection_days=objection_days, write_ins=write_ins, created_by=actor)
    clean_or_refuse(election)
    election.save(force_insert=True)
    Seat.objects.bulk_create([Seat(election=election, office=o, count=n) for o, n in seats.items()])
    audit_log(actor=actor, action="elections.election.create", obj=election, after={"seats": seats})
    return election


def _serial(election: Election, n: int) -> str:
    return f"X{election.pk:04d}{n:06d}"


def _next_serial_number(election: Election) -> int:
    last = Voter.objects.filter(election=election).aggregate(m=Max("serial"))["m"]
    return int(last[-6:]) + 1 if last else 1


@transaction.atomic
def roll_build(*, actor, election: Election, batch_size: int = 2000) -> int:
    """The roll from the registry: living adults (on the voting day) with 户籍 in the community. Re-running
    adds only those missing. Returns the number added."""
    election = _run(actor, election)
    _stage(election, S.SETUP)
    born_by = election.vote_on.replace(year=election.vote_on.year - VOTING_AGE) if not (
        election.vote_on.month == 2 and election.vote_on.day == 29) else dt.date(election.vote_on.year - VOTING_AGE, 2, 28)
    have = set(Voter.objects.filter(election=election).values_list("person_id", flat=True))
    persons = (Elector.objects.restrict(actor, "view").filter(
        region_code__startswith=election.region_code, status=rc.PersonStatus.LIVING,
        residence_type=rc.ResidenceType.REGISTERED, birth_date__lte=born_by).order_by("pk").values_list("pk", flat=True))
    n = _next_serial_number(election)
    rows = []
    for pk in persons.iterator(chunk_size=batch_size):
        if pk in have:
            continue
        rows.append(Voter(election=election, region_code=election.region_code, person_id=pk, serial=_serial(election, n)))
        n += 1
    Voter.objects.bulk_create(rows, batch_size=batch_size)
    audit_log(actor=actor, action="elections.roll.build", obj=election, after={"added": len(rows)})
    return len(rows)


@transaction.atomic
def voter_add(*, actor, election: Election, person, reason: str, raised_by: str = "",
              kind: str = c.VoterKind.REGISTERED) -> Voter:
    """A non-户籍 resident who registered to vote, or a correction adding someone left out (with reason)."""
    election = _run(actor, election)
    _stage(election, S.SETUP, S.ROLL)
    if not Elector.objects.restrict(actor, "view").filter(pk=person.pk).exists():
        raise ServiceError(_("此人不是本社区居民"), field="person")
    if person.birth_date and person.birth_date > election.vote_on.replace(year=election.vote_on.year - VOTING_AGE):
        raise ServiceError(_("投票日未满十八周岁，不能登记为选民"), field="person")
    if not (reason or "").strip():
        raise ServiceError(_("请填写登记或补登的理由"), field="reason")
    voter = Voter.objects.filter(election=election, person=person).first()
    if voter and voter.listed:
        raise ServiceError(_("此人已在选民名单中"), field="person")
    if voter:
        Voter.objects.filter(pk=voter.pk).update(listed=True)
    else:
        voter = Voter.objects.create(election=election, region_code=election.region_code, person=person, kind=kind,
                                     serial=_serial(election, _next_serial_number(election)))
    RollCorrection.objects.create(election=election, region_code=election.region_code, voter=voter,
                                  kind=c.CorrectionKind.ADD, reason=reason.strip()[:300], raised_by=raised_by[:50],
                                  decided_by=actor)
    audit_log(actor=actor, action="elections.roll.add", obj=election, reason=reason, after={"voter": voter.serial})
    return voter


@transaction.atomic
def voter_remove(*, actor, voter: Voter, reason: str, raised_by: str = "") -> None:
    election = _run(actor, voter.election)
    _stage(election, S.SETUP, S.ROLL)
    if not (reason or "").strip():
        raise ServiceError(_("请填写除名理由"), field="reason")
    Voter.objects.filter(pk=voter.pk).update(listed=False)
    RollCorrection.objects.create(election=election, region_code=election.region_code, voter=voter,
                                  kind=c.CorrectionKind.REMOVE, reason=reason.strip()[:300],
                                  raised_by=raised_by[:50], decided_by=actor)
    audit_log(actor=actor, action="elections.roll.remove", obj=election, reason=reason, after={"voter": voter.serial})


@transaction.atomic
def candidate_nominate(*, actor, election: Election, serial: str, office: str, nominated_by: str = "") -> Candidate:
    election = _run(actor, election)
    _stage(election, S.SETUP, S.ROLL)
    voter = selectors.voter_by_serial(election, serial)
    if voter is None:
        raise ServiceError(_("选民证号 %(s)s 不在选民名单中") % {"s": serial}, field="serial")
    if office not in c.Office.values:
        raise ServiceError(_("请选择职务"), field="office")
    try:
        with transaction.atomic():
            cand = Candidate.objects.create(election=election, region_code=election.region_code, voter=voter,
                                            office=office, round=election.round, source=c.CandidateSource.NOMINATED,
                                            nominated_by=nominated_by[:100])
    except IntegrityError:
        raise ServiceError(_("此人已是该职务的候选人"), field="serial") from None
    audit_log(actor=actor, action="elections.candidate.nominate", obj=election,
              after={"voter": voter.serial, "office": office})
    return cand


# --- stations, proxies, ballots --------------------------------------------------------------------------

@transaction.atomic
def station_add(*, actor, election: Election, name: str, kind: str, place: str = "", staff=()) -> Station:
    """A polling station or a 流动票箱, with its staff: (user or None, name, role) triples."""
    election = _run(actor, election)
    _stage(election, S.SETUP, S.ROLL, S.CANDIDATES)
    code = (election.stations.aggregate(m=Max("code"))["m"] or 0) + 1
    station = Station(election=election, region_code=election.region_code, name=name.strip(), kind=kind,
                      place=place.strip(), code=code)
    clean_or_refuse(station, exclude=["election"])
    station.save(force_insert=True)
    for user, staff_name, role in staff:
        StationStaff.objects.create(station=station, user=user, name=(staff_name or str(user))[:50], role=role)
    audit_log(actor=actor, action="elections.station.add", obj=election, after={"station": code, "kind": kind})
    return station


@transaction.atomic
def proxy_grant(*, actor, election: Election, grantor_serial: str, holder_serial: str, document: str = "") -> Proxy:
    """委托投票: at most `proxy_limit` (3) grantors per holder; a voter grants once per round."""
    election = _run(actor, election)
    _stage(election, S.ROLL, S.CANDIDATES, S.VOTING)
    grantor, holder = selectors.voter_by_serial(election, grantor_serial), selectors.voter_by_serial(election, holder_serial)
    if grantor is None or holder is None:
        raise ServiceError(_("委托人和受托人都须是名单上的选民"), field="grantor")
    if grantor.pk == holder.pk:
        raise ServiceError(_("不能委托自己"), field="holder")
    Voter.objects.select_for_update().filter(pk=holder.pk).first()  # serialise grants to one holder
    if Proxy.objects.filter(election=election, round=election.round, holder=holder).count() >= election.proxy_limit:
        raise ServiceError(_("每位受托人最多接受%(n)d人委托") % {"n": election.proxy_limit}, field="holder")
    if Proxy.objects.filter(election=election, round=election.round, grantor=holder).exists():
        raise ServiceError(_("受托人本人已委托他人，不能再受托"), field="holder")
    if Proxy.objects.filter(election=election, round=election.round, holder=grantor).exists():
        raise ServiceError(_("委托人已接受他人委托，须亲自投票"), field="grantor")
    if VoteCast.objects.filter(election=election, round=election.round, voter=grantor).exists():
        raise ServiceError(_("委托人已经投票"), field="grantor")
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(election=election, region_code=election.region_code, grantor=grantor,
                                         holder=holder, round=election.round, document=document[:60])
    except IntegrityError:
        raise ServiceError(_("委托人已委托他人"), field="grantor") from None
    audit_log(actor=actor, action="elections.proxy.grant", obj=election,
              after={"grantor": grantor.serial, "holder": holder.serial})
    return proxy


@transaction.atomic
def ballots_print(*, actor, station: Station, count: int) -> BallotBatch:
    election = _run(actor, station.election)
    _stage(election, S.CANDIDATES, S.VOTING)
    if not 1 <= int(count) <= 50000:
        raise ServiceError(_("选票张数须在1至50000之间"), field="count")
    last = BallotBatch.objects.filter(election=election, round=election.round).order_by("-first").first()
    first = last.first + last.count if last else 1
    batch = BallotBatch.objects.create(election=election, region_code=election.region_code, station=station,
                                       round=election.round, first=first, count=int(count), printed_by=actor)
    audit_log(actor=actor, action="elections.ballots.print", obj=election,
              after={"station": station.code, "round": election.round, "first": first, "count": int(count)})
    return batch


# --- voting ----------------------------------------------------------------------------------------------

@transaction.atomic
def vote_record(*, actor, station: Station, serial: str, proxy_serial: str = "") -> VoteCast:
    """The 选民证 scanned (or the voter marked) at a station: they vote, once, anywhere. With `proxy_serial`
    the holder of a registered proxy votes for the grantor."""
    election = _run(actor, station.election)
    _stage(election, S.VOTING)
    voter = selectors.voter_by_serial(election, serial)
    if voter is None:
        raise ServiceError(_("选民证号 %(s)s 不在选民名单中") % {"s": serial}, field="serial")
    by = None
    if proxy_serial:
        by = selectors.voter_by_serial(election, proxy_serial)
        if by is None or not Proxy.objects.filter(election=election, round=election.round, grantor=voter,
                                                  holder=by).exists():
            raise ServiceError(_("没有登记的委托，不能代为投票"), field="proxy_serial")
    elif Proxy.objects.filter(election=election, round=election.round, grantor=voter).exists():
        raise ServiceError(_("此选民已委托他人投票"), field="serial")
    try:
        with transaction.atomic():
            cast = VoteCast.objects.create(election=election, region_code=election.region_code, round=election.round,
                                           voter=voter, station=station, by_proxy=by, recorded_by=actor)
    except IntegrityError:
        where = VoteCast.objects.filter(election=election, round=election.round, voter=voter).select_related(
            "station").first()
        raise ServiceError(_("选民证号 %(s)s 已在“%(st)s”投过票，不能重复投票") % {
            "s": voter.serial, "st": where.station.name if where else "?"}, field="serial") from None
    audit_log(actor=actor, action="elections.vote.record", obj=election,
              after={"station": station.code, "round": election.round, "proxy": bool(by)})
    return cast


# --- counting --------------------------------------------------------------------------------------------

def _check_counts(election: Election, counts: dict, valid_ballots: int) -> dict:
    seats = dict(election.seats.values_list("office", "count"))
    listed = set(Voter.objects.filter(election=election, listed=True,
                                      serial__in=[s for v in counts.values() for s in v]).values_list("serial", flat=True))
    candidates = set(Candidate.objects.filter(election=election, round=election.round)
                     .values_list("office", "voter__serial"))
    clean = {}
    for office, votes in counts.items():
        if office not in seats:
            raise ServiceError(_("本次选举没有“%(o)s”职务") % {"o": office}, field="counts")
        row = {}
        for serial, n in votes.items():
            serial = serial.strip().upper()
            if int(n) < 0:
                raise ServiceError(_("票数不能为负"), field="counts")
            if serial not in listed:
                raise ServiceError(_("选民证号 %(s)s 不在选民名单中，被选举人须是本社区选民") % {"s": serial}, field="counts")
            restricted = election.round > 1 or not election.write_ins
            if restricted and (office, serial) not in candidates:
                raise ServiceError(_("%(s)s 不是本轮候选人") % {"s": serial}, field="counts")
            row[serial] = row.get(serial, 0) + int(n)
        if sum(row.values()) > valid_ballots * seats[office]:
            raise ServiceError(_("“%(o)s”的得票合计超过有效票数乘以名额") % {"o": c.Office(office).label}, field="counts")
        clean[office] = row
    return clean


@transaction.atomic
def tally_enter(*, actor, station: Station, ballots_cast: int, invalid: int, counts: dict) -> Tally:
    """One clerk's independent entry of the station's count. A clerk may correct their own entry; a third
    clerk is refused. Whether the two agree is read by `station_tally_state`."""
    election = _run(actor, station.election)
    _stage(election, S.COUNTING)
    if invalid > ballots_cast:
        raise ServiceError(_("无效票不能多于收回选票"), field="invalid")
    clean = _check_counts(election, counts, ballots_cast - invalid)
    mine = Tally.objects.filter(station=station, round=election.round, clerk=actor).first()
    if mine:
        versioned_update(mine, mine.version, actor=actor, action="elections.tally.correct", validate=False,
                         ballots_cast=ballots_cast, invalid=invalid, counts=clean)
        return mine
    taken = set(Tally.objects.filter(station=station, round=election.round).values_list("entry", flat=True))
    free = [n for n in (1, 2) if n not in taken]
    if not free:
        raise ServiceError(_("本站已有两名计票员录入，请由原录入人更正"))
    tally = Tally.objects.create(election=election, region_code=election.region_code, station=station,
                                 round=election.round, entry=free[0], clerk=actor, ballots_cast=ballots_cast,
                                 invalid=invalid, counts=clean)
    audit_log(actor=actor, action="elections.tally.enter", obj=election,
              after={"station": station.code, "entry": free[0], "ballots_cast": ballots_cast, "invalid": invalid})
    return tally


@transaction.atomic
def election_count(*, actor, election: Election) -> counting.Outcome:
    """Totals of the agreed station tallies, the validity checks and the result — or a runoff, or void."""
    election = _run(actor, election)
    _stage(election, S.COUNTING)
    states = {st.name: selectors.station_tally_state(st, election.round) for st in election.stations.all()}
    blocked = [n for n, s in states.items() if s != "agreed"]
    if blocked:
        raise ServiceError(_("以下投票站的两份计票录入尚未一致：%(s)s") % {"s": "、".join(blocked)})
    entries = [selectors.tally_entry(t) for t in Tally.objects.filter(election=election, round=election.round, entry=1)]
    totals = counting.combine(entries)
    seats = _open_seats(election)
    participants = VoteCast.objects.filter(election=election, round=election.round).count()
    registered = Voter.objects.filter(election=election, listed=True).count()
    outcome = counting.decide(totals, seats=seats, registered=registered, participants=participants,
                              runoff_round=election.round > 1)
    _store_results(election, totals, outcome)
    _note(election, _("第%(r)d轮：选民%(reg)d人，参加投票%(p)d人，收回选票%(b)d张，无效%(i)d张。") % {
        "r": election.round, "reg": registered, "p": participants, "b": totals.ballots_cast, "i": totals.invalid})
    audit_log(actor=actor, action="elections.count", obj=election,
              after={"round": election.round, "registered": registered, "participants": participants,
                     "ballots_cast": totals.ballots_cast, "invalid": totals.invalid, "problems": outcome.problems})
    _conclude(actor, election, outcome)
    return outcome


def _open_seats(election: Election) -> dict:
    seats = dict(election.seats.values_list("office", "count"))
    taken: dict[str, int] = {}
    for office in Result.objects.filter(election=election, elected=True).values_list("office", flat=True):
        taken[office] = taken.get(office, 0) + 1
    return {o: n - taken.get(o, 0) for o, n in seats.items() if n - taken.get(o, 0) > 0}


def _store_results(election: Election, totals: counting.Totals, outcome: counting.Outcome) -> None:
    voters = {v.serial: v for v in Voter.objects.filter(
        election=election, serial__in=[s for votes in totals.votes.values() for s in votes])}
    nominated = set(Candidate.objects.filter(election=election, round=election.round).values_list("office",
                                                                                                  "voter__serial"))
    won = {(o, s) for o, rows in outcome.elected.items() for s, _v in rows}
    Result.objects.bulk_create([
        Result(election=election, region_code=election.region_code, round=election.round, office=office,
               voter=voters[serial], votes=n, elected=(office, serial) in won,
               write_in=(office, serial) not in nominated)
        for office, votes in totals.votes.items() for serial, n in votes.items() if n])


def _conclude(actor, election: Election, outcome: counting.Outcome) -> None:
    if not (outcome.quorum and outcome.valid):
        _note(election, _("选举无效：%(p)s") % {"p": "、".join(_problem(p) for p in outcome.problems)})
        WORKFLOW.apply(obj=election, actor=actor, action="void")
        return
    # one 另行选举 only: a seat still unfilled after it stays vacant (noted)
    runoff = {o: serials for o, serials in outcome.runoff.items() if serials} if election.round == 1 else {}
    if election.round > 1 and outcome.unfilled:
        _note(election, _("另行选举后仍缺额：%(o)s") % {
            "o": "、".join(f"{c.Office(o).label}{n}名" for o, n in outcome.unfilled.items())})
    if not runoff:
        WORKFLOW.apply(obj=election, actor=actor, action="decide")
        return
    fresh = WORKFLOW.apply(obj=election, actor=actor, action="runoff")
    for office, serials in runoff.items():
        for serial in serials:
            Candidate.objects.create(election=election, region_code=election.region_code, round=fresh.round,
                                     office=office, voter=Voter.objects.get(election=election, serial=serial),
                                     source=c.CandidateSource.RUNOFF)
    _note(election, _("未选足名额，另行选举：%(o)s") % {
        "o": "、".join(f"{c.Office(o).label}{outcome.unfilled[o]}名" for o in runoff)})


def _problem(code: str) -> str:
    return {"no_quorum": _("参加投票的选民未超过半数"),
            "ballots_exceed_voters": _("收回选票多于投票人数")}.get(code, code)


def election_transition(*, actor, election: Election, action: str) -> Election:
    if action in SYSTEM_ACTIONS:
        raise ServiceError(_("此操作由计票自动完成"))
    if action == "publish":
        return election_publish(actor=actor, election=election)
    with transaction.atomic():
        election = _run(actor, election)
        return WORKFLOW.apply(obj=election, actor=actor, action=action)


@transaction.atomic
def election_publish(*, actor, election: Election) -> Election:
    """Submit the result to 阳光五务 (disclosure's review publishes it). One way: elections → disclosure."""
    if not Election.objects.restrict(actor, "publish").filter(pk=election.pk).exists():
        raise NotAllowed(_("只有社区工作人员或社区书记可以提交公示"))
    body = result_text(election)
    entry = disclosure.entry_create(actor=actor, community_code=election.region_code, category="residents",
                                    title=(_("%(t)s选举结果公告") % {"t": str(election)})[:120], body=body,
                                    period=str(election.vote_on.year))
    disclosure.entry_transition(actor=actor, entry=entry, action="submit")
    election = WORKFLOW.apply(obj=election, actor=actor, action="publish",
                              extra_updates={"disclosure_entry_id": entry.pk})
    return election


def result_text(election: Election) -> str:
    """The announcement: elected names per office with votes, the rounds' figures; no ID numbers."""
    lines = [str(election), _("投票日：%(d)s") % {"d": election.vote_on.isoformat()}]
    for note in election.notes.all():
        lines.append(note.text)
    for r in Result.objects.filter(election=election, elected=True).select_related("voter__person").order_by(
            "office", "round", "-votes"):
        mark = _("（另选他人）") if r.write_in else ""
        lines.append(_("%(o)s：%(n)s%(m)s，第%(r)d轮得%(v)d票") % {
            "o": c.Office(r.office).label, "n": r.voter.person.name, "m": mark, "r": r.round, "v": r.votes})
    return "\n".join(lines)
