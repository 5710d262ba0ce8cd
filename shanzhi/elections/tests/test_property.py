"""Hypothesis: for random ballots, proxies and stations, the double-entered station tallies always add up to a
direct count of the ballots, and no voter is counted twice (issue 17, Measure)."""

import datetime as dt
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shanzhi.core.errors import ServiceError
from shanzhi.elections import counting
from shanzhi.elections import services as s
from shanzhi.elections.models import Result, VoteCast, Voter

pytestmark = pytest.mark.django_db

N_VOTERS = 10  # the people fixture's adults
plan = st.lists(
    st.tuples(st.sampled_from(["abstain", "vote", "proxy"]),  # what each voter does
              st.integers(0, 2),  # station (of 3)
              st.integers(0, N_VOTERS - 1),  # proxy holder (by index)
              st.integers(-1, N_VOTERS - 1),  # director vote: -1 invalid ballot, else voter index (海选)
              st.booleans()),  # also try to vote again at another station
    min_size=N_VOTERS, max_size=N_VOTERS)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
          deadline=None)
@given(plan=plan)
def test_tallies_agree_with_a_direct_count_and_nobody_votes_twice(plan, world, committee, clerks, people):
    election = s.election_create(actor=committee, community_code=world.community.code, title="性质测试",
                                 term="T", vote_on=dt.date(2026, 12, 20), objection_days=0,
                                 seats={"director": 1, "deputy": 1, "member": 1})
    s.roll_build(actor=committee, election=election)
    s.election_transition(actor=committee, election=election, action="publish_roll")
    s.election_transition(actor=committee, election=election, action="publish_candidates")
    voters = list(Voter.objects.filter(election=election).order_by("serial"))[:N_VOTERS]
    stations = [s.station_add(actor=committee, election=election, name=f"站{i}", kind="fixed" if i else "mobile")
                for i in range(3)]
    for station in stations:
        s.ballots_print(actor=committee, station=station, count=N_VOTERS)
    s.election_transition(actor=committee, election=election, action="open_voting")
    grants = {}
    for i, (what, _st, holder, _vote, _again) in enumerate(plan):
        if what == "proxy":
            try:
                s.proxy_grant(actor=committee, election=election, grantor_serial=voters[i].serial,
                              holder_serial=voters[holder].serial)
                grants[i] = holder
            except ServiceError:
                pass  # self, over the limit of 3, or the holder granted away: refused, the voter may still vote
    boxes = [[] for _ in stations]  # the ballots in each box: the serial voted for director, or None (invalid)
    voted = set()
    for i, (what, station_i, _h, vote, again) in enumerate(plan):
        if what == "abstain" or i in voted:
            continue
        if i in grants:
            s.vote_record(actor=committee, station=stations[station_i], serial=voters[i].serial,
                          proxy_serial=voters[grants[i]].serial)
        else:
            s.vote_record(actor=committee, station=stations[station_i], serial=voters[i].serial)
        voted.add(i)
        boxes[station_i].append(None if vote < 0 else voters[vote].serial)
        if again:
            with pytest.raises(ServiceError):
                s.vote_record(actor=committee, station=stations[(station_i + 1) % 3], serial=voters[i].serial)
    s.election_transition(actor=committee, election=election, action="close_voting")
    c1, c2 = clerks
    for station, box in zip(stations, boxes, strict=True):
        counts = {"director": dict(Counter(b for b in box if b))}
        invalid = sum(1 for b in box if b is None)
        for clerk in (c1, c2):
            s.tally_enter(actor=clerk, station=station, ballots_cast=len(box), invalid=invalid, counts=counts)
    outcome = s.election_count(actor=committee, election=election)

    direct = Counter(b for box in boxes for b in box if b)
    casts = VoteCast.objects.filter(election=election, round=1)
    assert casts.count() == len(voted) == len(set(casts.values_list("voter_id", flat=True)))
    assert sum(len(b) for b in boxes) == len(voted)
    if outcome.quorum:
        stored = {r.voter.serial: r.votes for r in Result.objects.filter(election=election, round=1,
                                                                         office="director")}
        assert stored == dict(direct)
        if outcome.elected.get("director"):
            (serial, votes), = outcome.elected["director"]
            assert votes == direct[serial] and votes * 2 > len(voted)
    assert len(voted) * 2 > N_VOTERS or not outcome.quorum


entries = st.builds(counting.Entry, st.integers(0, 50), st.integers(0, 5),
                    st.dictionaries(st.sampled_from(["director", "member"]),
                                    st.dictionaries(st.sampled_from(["A", "B", "C"]), st.integers(0, 20)), max_size=2))


@given(st.lists(entries, max_size=6))
def test_combine_is_a_plain_sum(es):
    t = counting.combine(es)
    assert t.ballots_cast == sum(e.ballots_cast for e in es)
    for office in ("director", "member"):
        for k in "ABC":
            assert t.votes.get(office, Counter())[k] == sum(e.counts.get(office, {}).get(k, 0) for e in es)


@given(entries)
def test_an_entry_agrees_with_itself_and_zeros_do_not_matter(e):
    padded = counting.Entry(e.ballots_cast, e.invalid, {**e.counts, "deputy": {"Z": 0}})
    assert counting.agree(e, padded)
    assert not counting.agree(e, counting.Entry(e.ballots_cast + 1, e.invalid, e.counts))
