from datetime import date

import pytest

from shanzhi.core import indicators
from shanzhi.core.indicators import Indicator


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(indicators, "INDICATORS", {})
    return indicators


def _persons(codes, start, end):
    return {c: len(c) for c in codes if c != "321002004999"}


def test_compute_answers_every_code_asked_and_none_where_undefined(registry):
    registry.register_indicator(Indicator("t.persons", "人数", "人", "登记人数", _persons))
    got = registry.compute("t.persons", codes=["321002004001", "321002004999", "321002004001"],
                           start=date(2026, 1, 1), end=date(2026, 2, 1))
    assert got == {"321002004001": 12, "321002004999": None}


def test_a_key_is_defined_once(registry):
    registry.register_indicator(Indicator("t.persons", "人数", "人", "登记人数", _persons))
    registry.register_indicator(Indicator("t.persons", "人数", "人", "登记人数", _persons))  # the same: no-op
    with pytest.raises(ValueError):
        registry.register_indicator(Indicator("t.persons", "人数", "人", "另一种算法", lambda c, s, e: {}))


def test_unknown_key_and_empty_period_are_refused(registry):
    registry.register_indicator(Indicator("t.persons", "人数", "人", "登记人数", _persons))
    with pytest.raises(LookupError):
        registry.compute("t.none", codes=["32"], start=date(2026, 1, 1), end=date(2026, 2, 1))
    with pytest.raises(ValueError):
        registry.compute("t.persons", codes=["32"], start=date(2026, 2, 1), end=date(2026, 2, 1))
    assert registry.compute("t.persons", codes=[], start=date(2026, 1, 1), end=date(2026, 2, 1)) == {}
