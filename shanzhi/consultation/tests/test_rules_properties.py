"""Property tests for rule enforcement and vote counting."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shanzhi.consultation.rules import count_votes, supporters_needed


@st.composite
def meetings(draw):
    eligible = draw(st.integers(0, 200))
    present = draw(st.integers(0, eligible))
    f = draw(st.integers(0, present))
    a = draw(st.integers(0, present - f))
    ab = draw(st.integers(0, present - f - a))
    return dict(eligible=eligible, present=present, votes_for=f, votes_against=a, abstentions=ab,
                quorum_percent=draw(st.integers(1, 100)), majority=draw(st.sampled_from(["simple", "two_thirds"])),
                abstentions_count=draw(st.booleans()))


@given(meetings())
def test_outcome_matches_the_definition(m):
    o = count_votes(**m)
    quorum = m["eligible"] > 0 and Fraction(m["present"]) >= Fraction(m["eligible"] * m["quorum_percent"], 100)
    base = m["votes_for"] + m["votes_against"] + (m["abstentions"] if m["abstentions_count"] else 0)
    share = Fraction(m["votes_for"], base) if base else Fraction(0)
    majority = share > Fraction(1, 2) if m["majority"] == "simple" else share >= Fraction(2, 3)
    assert o.quorum_met == quorum
    assert o.passed == (quorum and base > 0 and majority)
    assert (o.reason == "") == o.passed


@given(meetings())
def test_counting_abstentions_never_helps_a_proposal(m):
    with_abs = count_votes(**{**m, "abstentions_count": True})
    without = count_votes(**{**m, "abstentions_count": False})
    assert not (with_abs.passed and not without.passed)


@given(meetings())
def test_two_thirds_is_stricter_than_simple_except_at_ties(m):
    strict = count_votes(**{**m, "majority": "two_thirds"})
    simple = count_votes(**{**m, "majority": "simple"})
    assert not (strict.passed and not simple.passed)


@given(meetings(), st.integers(1, 5))
def test_one_more_vote_for_never_hurts(m, extra):
    if m["votes_for"] + m["votes_against"] + m["abstentions"] + extra > m["present"]:
        return
    before = count_votes(**m)
    after = count_votes(**{**m, "votes_for": m["votes_for"] + extra})
    assert not (before.passed and not after.passed)


@given(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100), st.integers(0, 100))
def test_impossible_counts_are_refused(eligible, present, f, a):
    if present <= eligible and f + a <= present:
        return
    with pytest.raises(ValueError):
        count_votes(eligible=eligible, present=present, votes_for=f, votes_against=a, abstentions=0,
                    quorum_percent=50, majority="simple", abstentions_count=True)


def test_edge_cases():
    # exactly half is not a simple majority; exactly two thirds is enough for two-thirds
    assert not count_votes(eligible=4, present=4, votes_for=2, votes_against=2, abstentions=0, quorum_percent=50,
                           majority="simple", abstentions_count=True).passed
    assert count_votes(eligible=3, present=3, votes_for=2, votes_against=1, abstentions=0, quorum_percent=67,
                       majority="two_thirds", abstentions_count=True).passed
    # quorum rounds up: 67% of 10 needs 7 present
    assert not count_votes(eligible=10, present=6, votes_for=6, votes_against=0, abstentions=0, quorum_percent=67,
                           majority="simple", abstentions_count=True).quorum_met
    # all abstain, abstentions not counted: no base, no decision
    o = count_votes(eligible=5, present=5, votes_for=0, votes_against=0, abstentions=5, quorum_percent=50,
                    majority="simple", abstentions_count=False)
    assert not o.passed and o.base == 0


@given(st.integers(0, 10_000), st.decimals(0, 100, places=2))
def test_percent_threshold_is_the_rounded_up_share(eligible, pct):
    need = supporters_needed("percent", pct, eligible)
    assert need >= 1
    assert need == max(1, math.ceil(Fraction(str(pct)) * eligible / 100))
    assert need - 1 < max(1, Fraction(str(pct)) * eligible / 100) or need == 1


@given(st.integers(0, 500))
def test_absolute_threshold(value):
    assert supporters_needed("absolute", value, 10) == max(1, value)
