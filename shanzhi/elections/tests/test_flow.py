"""An election from roll to published result, through the services."""

import pytest
from django.db import IntegrityError, transaction

from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import ServiceError
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.elections import services as s
from shanzhi.elections.models import Candidate, Result, RollCorrection, VoteCast, Voter
from shanzhi.elections.selectors import station_tally_state, voter_by_serial

pytestmark = pytest.mark.django_db


def _ready(election, committee, people):
    s.roll_build(actor=committee, election=election)
    s.election_transition(actor=committee, election=election, action="publish_roll")
    return {v.person.name: v.serial for v in Voter.objects.filter(election=election).select_related("person")}


def test_roll_from_the_registry(election, committee, people):
    assert s.roll_build(actor=committee, election=election) == 10
    assert s.roll_build(actor=committee, election=election) == 0  # idempotent
    names = set(Voter.objects.filter(election=election).values_list("person__name", flat=True))
    assert "少年" not in names and "租户" not in names and "外社区" not in names
    s.election_transition(actor=committee, election=election, action="publish_roll")
    v = s.voter_add(actor=committee, election=election, person=people["tenant"], reason="居住满一年，本人申请登记")
    assert v.kind == "registered"
    with pytest.raises(ServiceError):
        s.voter_add(actor=committee, election=election, person=people["minor"], reason="误登")
    with pytest.raises(ServiceError):
        s.voter_add(actor=committee, election=election, person=people["outsider"], reason="外社区")
    s.voter_remove(actor=committee, voter=Voter.objects.get(election=election, person=people["adults"][0]),
                   reason="已迁出", raised_by="居民甲")
    assert RollCorrection.objects.filter(election=election).count() == 2
    assert Voter.objects.filter(election=election, listed=True).count() == 10


def test_double_voting_across_stations_is_refused_and_proxy_limit(election, committee, people):
    serials = _ready(election, committee, people)
    s.candidate_nominate(actor=committee, election=election, serial=serials["选民1"], office="director")
    s.election_transition(actor=committee, election=election, action="publish_candidates")
    a = s.station_add(actor=committee, election=election, name="第一投票站", kind="fixed")
    b = s.station_add(actor=committee, election=election, name="流动票箱", kind="mobile")
    s.ballots_print(actor=committee, station=a, count=20)
    s.election_transition(actor=committee, election=election, action="open_voting")
    s.vote_record(actor=committee, station=a, serial=serials["选民2"])
    with pytest.raises(ServiceError, match="已在“第一投票站”投过票"):
        s.vote_record(actor=committee, station=b, serial=serials["选民2"])
    holder = serials["选民3"]
    for n in (4, 5, 6):
        s.proxy_grant(actor=committee, election=election, grantor_serial=serials[f"选民{n}"], holder_serial=holder)
    with pytest.raises(ServiceError, match="最多接受3人"):
        s.proxy_grant(actor=committee, election=election, grantor_serial=serials["选民7"], holder_serial=holder)
    with pytest.raises(ServiceError):  # a grantor cannot vote in person
        s.vote_record(actor=committee, station=a, serial=serials["选民4"])
    s.vote_record(actor=committee, station=b, serial=serials["选民4"], proxy_serial=holder)
    with pytest.raises(ServiceError):
        s.vote_record(actor=committee, station=b, serial=serials["选民8"], proxy_serial=holder)
    assert VoteCast.objects.filter(election=election).count() == 2


def test_full_election_with_mismatch_write_in_and_runoff(election, committee, clerks, people, world, make_user):
    serials = _ready(election, committee, people)
    for name, office in (("选民1", "director"), ("选民2", "deputy"), ("选民3", "member"), ("选民4", "member")):
        s.candidate_nominate(actor=committee, election=election, serial=serials[name], office=office)
    s.election_transition(actor=committee, election=election, action="publish_candidates")
    st1 = s.station_add(actor=committee, election=election, name="第一投票站", kind="fixed")
    st2 = s.station_add(actor=committee, election=election, name="流动票箱", kind="mobile")
    s.ballots_print(actor=committee, station=st1, count=10)
    s.ballots_print(actor=committee, station=st2, count=5)
    s.election_transition(actor=committee, election=election, action="open_voting")
    order = [f"选民{i}" for i in range(1, 10)]
    for i, name in enumerate(order):
        s.vote_record(actor=committee, station=st1 if i < 6 else st2, serial=serials[name])
    s.election_transition(actor=committee, election=election, action="close_voting")
    c1, c2 = clerks
    # station 1: 6 ballots; director 选民1 5; deputy write-in 选民9 4; member split 3/3
    t1 = {"director": {serials["选民1"]: 5}, "deputy": {serials["选民9"]: 4, serials["选民2"]: 2},
          "member": {serials["选民3"]: 3, serials["选民4"]: 3}}
    t2 = {"director": {serials["选民1"]: 3}, "deputy": {serials["选民9"]: 2}, "member": {serials["选民3"]: 1,
                                                                                      serials["选民4"]: 1}}
    s.tally_enter(actor=c1, station=st1, ballots_cast=6, invalid=0, counts=t1)
    s.tally_enter(actor=c2, station=st1, ballots_cast=6, invalid=0,
                  counts={**t1, "director": {serials["选民1"]: 4}})  # a typo
    assert station_tally_state(st1, 1) == "mismatch"
    s.tally_enter(actor=c1, station=st2, ballots_cast=3, invalid=0, counts=t2)
    s.tally_enter(actor=c2, station=st2, ballots_cast=3, invalid=0, counts=t2)
    with pytest.raises(ServiceError, match="第一投票站"):
        s.election_count(actor=committee, election=election)
    with pytest.raises(ServiceError):  # a third clerk
        s.tally_enter(actor=committee, station=st1, ballots_cast=6, invalid=0, counts=t1)
    s.tally_enter(actor=c2, station=st1, ballots_cast=6, invalid=0, counts=t1)  # corrected
    assert station_tally_state(st1, 1) == "agreed"
    outcome = s.election_count(actor=committee, election=election)
    # 9 voted of 10: quorum; director 8 > 4.5 elected; deputy write-in 选民9 6 > 4.5; member 4/4 tie → runoff
    assert outcome.quorum and outcome.elected["director"] == [(serials["选民1"], 8)]
    assert outcome.elected["deputy"] == [(serials["选民9"], 6)]
    assert outcome.unfilled == {"member": 1}
    election.refresh_from_db()
    assert election.stage == "candidates" and election.round == 2
    assert Result.objects.get(election=election, voter__serial=serials["选民9"]).write_in
    assert set(Candidate.objects.filter(election=election, round=2).values_list("voter__serial", flat=True)) == {
        serials["选民3"], serials["选民4"]}
    # the runoff
    s.ballots_print(actor=committee, station=st1, count=10)
    s.election_transition(actor=committee, election=election, action="open_voting")
    for name in order[:7]:
        s.vote_record(actor=committee, station=st1, serial=serials[name])
    s.election_transition(actor=committee, election=election, action="close_voting")
    runoff = {"member": {serials["选民3"]: 5, serials["选民4"]: 2}}
    with pytest.raises(ServiceError):  # only the runoff's candidates
        s.tally_enter(actor=c1, station=st1, ballots_cast=7, invalid=0, counts={"member": {serials["选民5"]: 1}})
    s.tally_enter(actor=c1, station=st1, ballots_cast=7, invalid=0, counts=runoff)
    s.tally_enter(actor=c2, station=st1, ballots_cast=7, invalid=0, counts=runoff)
    s.tally_enter(actor=c1, station=st2, ballots_cast=0, invalid=0, counts={})
    s.tally_enter(actor=c2, station=st2, ballots_cast=0, invalid=0, counts={})
    s.election_count(actor=committee, election=election)
    election.refresh_from_db()
    assert election.stage == "decided"
    assert Result.objects.filter(election=election, elected=True).count() == 3
    # publish on 阳光五务: submitted by community staff, approved by a second person
    secretary = make_user("community_secretary", world.community.code)
    with pytest.raises(ServiceError):
        s.election_transition(actor=committee, election=election, action="publish")
    s.election_transition(actor=secretary, election=election, action="publish")
    election.refresh_from_db()
    entry = DisclosureEntry.objects.get(pk=election.disclosure_entry_id)
    assert entry.state == "submitted" and "选民9" in entry.body and "另选他人" in entry.body
    assert voter_by_serial(election, serials["选民1"])


def test_no_quorum_voids(election, committee, clerks, people):
    serials = _ready(election, committee, people)
    s.election_transition(actor=committee, election=election, action="publish_candidates")
    st = s.station_add(actor=committee, election=election, name="站", kind="fixed")
    s.ballots_print(actor=committee, station=st, count=5)
    s.election_transition(actor=committee, election=election, action="open_voting")
    for name in ("选民1", "选民2"):
        s.vote_record(actor=committee, station=st, serial=serials[name])
    s.election_transition(actor=committee, election=election, action="close_voting")
    counts = {"director": {serials["选民1"]: 2}}
    for clerk in clerks:
        s.tally_enter(actor=clerk, station=st, ballots_cast=2, invalid=0, counts=counts)
    outcome = s.election_count(actor=committee, election=election)
    election.refresh_from_db()
    assert not outcome.quorum and election.stage == "void"


def test_outsiders_cannot_run_it(election, world, make_user):
    for user in (make_user("election_committee", world.other_community.code),
                 make_user("community_staff", world.community.code)):
        with pytest.raises(ServiceError):
            s.roll_build(actor=user, election=election)


def test_the_database_refuses_a_second_vote_of_one_voter(election, committee, people):
    """Not only the service: the unique constraint holds across stations even for a raw insert."""
    _ready(election, committee, people)
    a = s.station_add(actor=committee, election=election, name="甲站", kind="fixed")
    b = s.station_add(actor=committee, election=election, name="乙站", kind="mobile")
    voter = Voter.objects.filter(election=election).first()
    VoteCast.objects.create(election=election, region_code=election.region_code, round=1, voter=voter, station=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteCast.objects.create(election=election, region_code=election.region_code, round=1, voter=voter, station=b)


def test_every_step_is_audited(election, committee, clerks, people):
    serials = _ready(election, committee, people)
    s.candidate_nominate(actor=committee, election=election, serial=serials["选民1"], office="director")
    s.election_transition(actor=committee, election=election, action="publish_candidates")
    st = s.station_add(actor=committee, election=election, name="站", kind="fixed")
    s.ballots_print(actor=committee, station=st, count=10)
    s.election_transition(actor=committee, election=election, action="open_voting")
    for i in range(1, 8):
        s.vote_record(actor=committee, station=st, serial=serials[f"选民{i}"])
    s.election_transition(actor=committee, election=election, action="close_voting")
    for clerk in clerks:
        s.tally_enter(actor=clerk, station=st, ballots_cast=7, invalid=0, counts={"director": {serials["选民1"]: 7}})
    s.election_count(actor=committee, election=election)
    actions = set(AuditEvent.objects.filter(object_type="elections.election", object_id=str(election.pk))
                  .values_list("action", flat=True))
    assert {"elections.election.create", "elections.roll.build", "elections.election.publish_roll",
            "elections.candidate.nominate", "elections.station.add", "elections.ballots.print",
            "elections.vote.record", "elections.tally.enter", "elections.count"} <= actions
