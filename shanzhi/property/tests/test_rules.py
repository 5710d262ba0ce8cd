from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shanzhi.property.choices import Threshold
from shanzhi.property.rules import Tally, decide, split


def T(ec, ea, vc, va, fc, fa):
    return Tally(ec, Decimal(ea), vc, Decimal(va), fc, Decimal(fa))


def test_double_majority_needs_both_headcount_and_area():
    assert decide(T(9, 900, 9, 900, 5, 460)).passed
    # more than half the dwellings, but the big flats are against: fails on area
    d = decide(T(9, 900, 9, 900, 5, 400))
    assert not d.passed and d.count_met and not d.area_met and "面积" in d.reason
    # more than half the area, but not of the dwellings
    d = decide(T(9, 900, 9, 900, 4, 600))
    assert not d.passed and not d.count_met and d.area_met


def test_participation_is_two_thirds_of_both_exactly():
    assert decide(T(3, 300, 2, 200, 2, 200)).participation_met  # exactly 2/3
    assert not decide(T(3, 300, 2, 199, 2, 199)).participation_met
    assert not decide(T(300, 300, 199, 250, 199, 250)).participation_met
    assert not decide(T(4, 400, 2, 200, 2, 200)).passed


def test_exactly_half_is_not_more_than_half():
    assert not decide(T(4, 400, 4, 400, 2, 200)).passed


def test_special_matters_need_three_quarters():
    assert not decide(T(4, 400, 4, 400, 2, 350), Threshold.SPECIAL).passed
    assert decide(T(4, 400, 4, 400, 3, 300), Threshold.SPECIAL).passed


def test_inconsistent_tallies_are_refused():
    with pytest.raises(ValueError):
        decide(T(3, 300, 4, 300, 1, 100))


@given(st.integers(0, 10_000_000), st.dictionaries(st.integers(1, 5000), st.integers(0, 20000), min_size=1,
                                                    max_size=60))
def test_shares_sum_exactly_to_the_total(total, weights):
    shares = split(total, weights)
    assert sum(shares.values()) == total and set(shares) == set(weights)
    assert all(v >= 0 for v in shares.values())


def test_shares_follow_the_weights():
    assert split(100, {1: 1, 2: 1, 3: 1}) == {1: 34, 2: 33, 3: 33}
    assert split(1000, {1: Decimal("60"), 2: Decimal("90")}) == {1: 400, 2: 600}
