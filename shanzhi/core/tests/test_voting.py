"""The one vote counter: exact fractions, by heads or by a weight."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shanzhi.core import voting

HALF = voting.Rule(Fraction(1, 2), voting.SIMPLE, strict=True)
TWO_THIRDS = voting.Rule(Fraction(2, 3), voting.TWO_THIRDS, strict=False)


def test_more_than_half_is_strict_and_at_least_two_thirds_is_not():
    assert not voting.count(eligible=4, present=4, votes_for=2, base=4, rule=HALF).majority_met
    assert voting.count(eligible=4, present=4, votes_for=3, base=4, rule=HALF).passed
    assert voting.count(eligible=3, present=3, votes_for=2, base=3, rule=TWO_THIRDS).passed


def test_a_weight_is_counted_exactly():
    # 200.01 of 300.00 m² is more than two thirds; 199.99 is not — no float decides it.
    rule = voting.Rule(Fraction(2, 3), voting.SIMPLE, strict=True)
    assert voting.count(eligible=Decimal("300.00"), present=Decimal("200.01"), votes_for=Decimal("100.01"),
                        base=Decimal("200.01"), rule=rule).passed
    v = voting.count(eligible=Decimal("300.00"), present=Decimal("199.99"), votes_for=Decimal("199.99"),
                     base=Decimal("199.99"), rule=rule)
    assert not v.quorum_met and v.majority_met


def test_quorum_in_heads_rounds_up():
    v = voting.count(eligible=10, present=6, votes_for=6, base=6, rule=voting.Rule(Fraction(67, 100), voting.SIMPLE, True))
    assert v.quorum_needed_heads == 7 and not v.quorum_met


@pytest.mark.parametrize("kw", [
    {"eligible": 3, "present": 4, "votes_for": 1, "base": 1},
    {"eligible": 5, "present": 3, "votes_for": 1, "base": 4},
    {"eligible": 5, "present": 5, "votes_for": 3, "base": 2},
    {"eligible": 5, "present": -1, "votes_for": 0, "base": 0},
])
def test_an_impossible_tally_is_refused(kw):
    with pytest.raises(ValueError):
        voting.count(rule=HALF, **kw)


@given(e=st.integers(0, 500), data=st.data())
def test_no_base_and_no_eligible_never_pass(e, data):
    p = data.draw(st.integers(0, e))
    b = data.draw(st.integers(0, p))
    f = data.draw(st.integers(0, b))
    v = voting.count(eligible=e, present=p, votes_for=f, base=b, rule=HALF)
    if b == 0 or e == 0:
        assert not v.passed
    # one more vote for never turns a pass into a fail
    if f < b:
        assert voting.count(eligible=e, present=p, votes_for=f + 1, base=b, rule=HALF).passed >= v.passed
