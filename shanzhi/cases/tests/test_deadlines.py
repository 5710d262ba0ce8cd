import datetime as dt
from decimal import Decimal

import pytest

from shanzhi.cases import choices as c
from shanzhi.cases.deadlines import TZ, add_working_time, deadline_for, step_days, working_time_between
from shanzhi.cases.models import DeadlineRule
from shanzhi.cases.testing import make_category

# working days read the local holiday overrides (HolidayOverride) besides the national table
pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def test_national_day_2026_is_skipped():
    # Wed 30 Sep 10:00 + 2 working days: 14 h on the 30th, 1–7 Oct off, all of 8 Oct, 10 h of 9 Oct
    due, estimated = add_working_time(at(2026, 9, 30, 10), 2)
    assert due == at(2026, 10, 9, 10) and not estimated


def test_national_day_make_up_saturday_counts():
    # Fri 9 Oct 12:00 + 1 working day ends Sat 10 Oct 12:00 (a make-up workday), not Monday
    assert add_working_time(at(2026, 10, 9, 12), 1)[0] == at(2026, 10, 10, 12)


def test_mid_autumn_friday_off_and_make_up_sunday():
    # Sat 19 Sep 2026 is off, Sun 20 Sep is a make-up workday
    assert add_working_time(at(2026, 9, 19, 12), 1)[0] == at(2026, 9, 21, 0)
    # Thu 24 Sep 18:00 + 1 day: Fri 25 Sep (Mid-Autumn) and the weekend are off → Mon 28 Sep 18:00
    assert add_working_time(at(2026, 9, 24, 18), 1)[0] == at(2026, 9, 28, 18)


def test_spring_festival_2026():
    # Fri 13 Feb 09:00 + 2 days: 15 h Friday, Sat 14 Feb make-up workday 24 h, 15–23 Feb off → 24 Feb 09:00
    assert add_working_time(at(2026, 2, 13, 9), 2)[0] == at(2026, 2, 24, 9)
    # starting inside the holiday, the clock waits for the first workday
    assert add_working_time(at(2026, 2, 17, 9), Decimal("0.5"))[0] == at(2026, 2, 24, 12)


def test_beyond_known_years_falls_back_to_weekends_and_says_so():
    due, estimated = add_working_time(at(2031, 10, 2, 10), 1)  # Thursday; no holiday table for 2031
    assert estimated and due == at(2031, 10, 3, 10)
    d = deadline_for(at(2031, 10, 3, 10), Decimal(1))  # Friday → Monday
    assert d.estimated and d.due_at == at(2031, 10, 6, 10)


def test_yellow_at_80_percent_and_elapsed_working_time():
    d = deadline_for(at(2026, 11, 23, 0), Decimal(5))  # Monday
    assert d.due_at == at(2026, 11, 28, 0)
    assert d.yellow_at == at(2026, 11, 27, 0)
    # the holiday doesn't count as elapsed time
    assert working_time_between(at(2026, 9, 30, 12), at(2026, 10, 8, 12)) == dt.timedelta(hours=24)


@pytest.mark.django_db
def test_step_days_precedence():
    cat = make_category(handle_days=Decimal(4))
    assert step_days(cat, c.Step.HANDLE) == 4
    DeadlineRule.objects.create(handler_type=c.HandlerType.UTILITY, step=c.Step.HANDLE, days=Decimal(10))
    assert step_days(cat, c.Step.HANDLE, c.HandlerType.UTILITY) == 10
    assert step_days(cat, c.Step.HANDLE, c.HandlerType.PROPERTY_COMPANY) == 4
    DeadlineRule.objects.create(category=cat, step=c.Step.HANDLE, days=Decimal(3))
    assert step_days(cat, c.Step.HANDLE, c.HandlerType.PROPERTY_COMPANY) == 3
    DeadlineRule.objects.create(category=cat, handler_type=c.HandlerType.UTILITY, step=c.Step.HANDLE, days=Decimal(7))
    assert step_days(cat, c.Step.HANDLE, c.HandlerType.UTILITY) == 7
