import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from shanzhi.core.errors import ServiceError
from shanzhi.registry.choices import Sex
from shanzhi.registry.validators import (
    check_id_agrees,
    normalise,
    normalise_phone,
    normalise_uscc,
    parse_id_number,
    parse_id_numbers,
    upgrade_15,
)

regions = st.sampled_from(["321002", "110101", "440305", "360426", "990000"])
births = st.dates(min_value=datetime.date(1901, 1, 1), max_value=datetime.date(2025, 12, 31))
orders = st.integers(min_value=0, max_value=999)


def build(region, birth, order):
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def to_fullwidth(text):
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@given(regions, births, orders)
def test_valid_numbers_parse_with_birth_and_sex(region, birth, order):
    number = build(region, birth, order)
    info = parse_id_number(number)
    assert info.number == number and info.birth_date == birth
    assert info.sex == (Sex.MALE if order % 2 else Sex.FEMALE)
    if region == "990000":  # unknown region (or one that did not exist yet): a warning, not an error
        assert info.warnings


@given(regions, births, orders)
def test_fullwidth_spaces_and_lowercase_are_normalised(region, birth, order):
    number = build(region, birth, order)
    typed = to_fullwidth(number[:9]) + " " + number[9:].lower()
    assert parse_id_number(typed).number == number


@given(regions, births, orders, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_fails_the_check(region, birth, order, pos, delta):
    number = build(region, birth, order)
    digits = list(number)
    digits[pos] = str((int(digits[pos]) + delta) % 10)
    with pytest.raises(ServiceError):
        parse_id_number("".join(digits))


@given(regions, st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1999, 12, 31)), orders)
def test_15_digit_numbers_are_upgraded(region, birth, order):
    legacy = f"{region}{birth:%y%m%d}{order:03d}"
    assert parse_id_number(legacy).number == build(region, birth, order) == upgrade_15(legacy)


def test_agreement_with_birth_date_and_sex():
    info = parse_id_number(build("321002", datetime.date(1980, 5, 17), 11))
    check_id_agrees(info, birth_date=datetime.date(1980, 5, 17), sex=Sex.MALE)
    with pytest.raises(ServiceError):
        check_id_agrees(info, birth_date=datetime.date(1980, 5, 18), sex=None)
    with pytest.raises(ServiceError):
        check_id_agrees(info, birth_date=None, sex=Sex.FEMALE)


@pytest.mark.parametrize("bad", ["", "123", "32100219800517001", "3210021980051700X1", "321002198013170011",
                                 build("321002", datetime.date(2999, 1, 1), 1)])
def test_bad_numbers_are_refused(bad):
    with pytest.raises(ServiceError):
        parse_id_number(bad)


@pytest.mark.parametrize("raw,expected", [
    ("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("１３８１２３４５６７８", "13812345678"),
    ("0514-87654321", "051487654321"), ("010 12345678", "01012345678"), ("87654321", "87654321"), ("", ""),
])
def test_phones(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("bad", ["12345678901", "1381234567", "abc", "0514-1234"])
def test_bad_phones(bad):
    with pytest.raises(ServiceError):
        normalise_phone(bad)


def test_uscc():
    assert normalise_uscc(" 91320191ma1mdlh86y ") == "91320191MA1MDLH86Y"
    with pytest.raises(ServiceError):
        normalise_uscc("91320191MA1MDLH86C")


@given(st.text(alphabet="0123456789Xx -", max_size=30))
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


def _outcome(parse, value, today=None):
    try:
        info = parse(value, today=today)
    except ServiceError as e:
        return ("error", e.field, e.user_message)
    return (info.number, info.birth_date, info.sex, info.warnings)


def test_parse_id_numbers_checks_each_value_as_parse_id_number_does():
    """The import's bulk check: the same numbers, birth dates, sexes and warnings, and the same errors (field and
    Chinese message) for every kind of bad number, whatever the order and repetitions of the values."""
    good = build("321002", datetime.date(1995, 5, 17), 1)
    bad_digit = good[:17] + ("0" if good[17] != "0" else "1")
    no_day = "32100219800230001"
    values = [good, good.lower(), to_fullwidth(good), good[:6] + good[8:17], "", "12345", "32100219800517ABCD",
              bad_digit, no_day + ric.calc_check_digit(no_day + "0"), build("321002", datetime.date(1850, 1, 1), 3),
              build("990000", datetime.date(1990, 1, 1), 5), build("321002", datetime.date(2030, 1, 1), 2), good]
    today = datetime.date(2026, 12, 1)
    bulk = parse_id_numbers(values, today=today)
    assert len(bulk) == len(values)
    for value, got in zip(values, bulk, strict=True):
        one = _outcome(parse_id_number, value, today)
        if isinstance(got, ServiceError):
            assert ("error", got.field, got.user_message) == one
        else:
            assert (got.number, got.birth_date, got.sex, got.warnings) == one
    errors = [got for got in bulk if isinstance(got, ServiceError)]
    assert len(errors) == 7 and {e.field for e in errors} == {"id_number"}
    assert "校验位" in bulk[7].user_message and "出生日期无效" in bulk[8].user_message
    assert bulk[10].warnings and not bulk[0].warnings


@given(st.lists(st.tuples(regions, births, orders), max_size=30))
def test_parse_id_numbers_equals_parse_id_number_on_valid_numbers(parts):
    values = [build(*p) for p in parts]
    bulk = [(i.number, i.birth_date, i.sex, i.warnings) for i in parse_id_numbers(values)]
    assert bulk == [_outcome(parse_id_number, v) for v in values]
