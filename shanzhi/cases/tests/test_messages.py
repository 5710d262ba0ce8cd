"""Messages that make sense: one alert per case and step, nobody told of their own action, and a repeat
complaint only when the same problem comes from the same place or person."""

import datetime as dt

import pytest

from shanzhi.accounts.demo import build as accounts
from shanzhi.cases import choices as c
from shanzhi.cases.demo import build as cases
from shanzhi.cases.models import Case
from shanzhi.cases.services import case_create, case_transition, check_deadlines
from shanzhi.cases.testing import make_body, make_body_staff, make_case, make_category
from shanzhi.core.demo import DemoContext
from shanzhi.core.roles import Role
from shanzhi.notifications.models import Notification
from shanzhi.notifications.services import notify
from shanzhi.regions.demo import build as regions

pytestmark = pytest.mark.django_db


def go(case, actor, action, **data):
    return case_transition(actor=actor, case=case, action=action, data=data)


def red_cards(user):
    return Notification.objects.filter(recipient=user, kind="case.supervise", title__startswith="【红牌督办】")


def test_one_red_card_per_case_and_step_even_after_escalation(world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    make_user(Role.STREET_MANAGER, world.street.code)
    body = make_body()
    staff = make_body_staff(body)
    case = go(make_case(world.grid.code, actor=worker), leader, "accept")
    case = go(case, leader, "dispatch", body=body.pk)
    check_deadlines(now=case.due_at + dt.timedelta(minutes=1))  # red, escalated to the street: a new deadline
    case.refresh_from_db()
    assert case.step == c.Step.HANDLE and case.alert_level == 0
    check_deadlines(now=case.due_at + dt.timedelta(minutes=1))  # red again for the same step
    assert red_cards(staff).count() == 1
    # a reopened case is a new round of the step: its red card is news
    Case.objects.filter(pk=case.pk).update(reopen_count=1, alert_level=0)
    case.refresh_from_db()
    check_deadlines(now=case.due_at + dt.timedelta(minutes=1))
    assert red_cards(staff).count() == 2


def test_notify_keeps_one_message_per_key(make_user):
    user = make_user()
    assert notify(recipients=[user], kind="t", title="a", dedupe_key="k1") == 1
    assert notify(recipients=[user], kind="t", title="a", dedupe_key="k1") == 0
    assert notify(recipients=[user], kind="t", title="a", dedupe_key="k2") == 1
    # without a key, the same alert is not stored again while the first is unread (no duplicate alerts)
    assert notify(recipients=[user], kind="t", title="b") == 1
    assert notify(recipients=[user], kind="t", title="b") == 0


def test_nobody_is_told_of_their_own_action(world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case = make_case(world.grid.code, actor=worker)  # a patrol case: the worker is its reporter
    assert not Notification.objects.filter(recipient=worker, kind="case.new").exists()
    assert Notification.objects.filter(recipient=leader, kind="case.new").exists()
    case = go(case, worker, "accept")
    case = go(case, worker, "assign", assignee=worker.pk)
    assert not Notification.objects.filter(recipient=worker, kind="case.assign").exists()
    case = go(case, worker, "start")
    case = go(case, worker, "complete", outcome=c.Outcome.FIXED, note="已修好")
    case = go(case, worker, "verify")
    go(case, worker, "feedback", note="已修好")
    assert not Notification.objects.filter(recipient=worker, kind="case.feedback").exists()


def test_security_notices_reach_the_actor_too(make_user):
    user = make_user()
    assert notify(recipients=[user], kind="t", title="a", actor=user) == 0
    assert notify(recipients=[user], kind="t", title="a", actor=user, security=True) == 1


def _report(world, actor, category, **kw):
    return case_create(actor=actor, category=category, channel=kw.pop("channel", c.Channel.PATROL), title="井盖破损",
                       description="井盖破损", region_code=kw.pop("region_code", world.grid.code), **kw)


def test_repeat_complaint_means_same_problem_same_place_or_person(world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    resident = make_user(Role.RESIDENT, world.grid.code)
    cat, other_cat = make_category(), make_category(code="noise", name="噪声", is_public=True)
    first = _report(world, worker, cat, lat=32.365, lng=119.445, address="玺园3栋东门")
    assert not first.is_repeat
    # the same worker files another problem of the category elsewhere in the grid: not a repeat
    assert not _report(world, worker, cat, lat=32.369, lng=119.441).is_repeat
    assert not _report(world, worker, cat).is_repeat  # no place given at all
    # same category within 30 m in the same grid, or at the same address: a repeat
    assert _report(world, worker, cat, lat=32.3652, lng=119.4451).is_repeat
    assert _report(world, worker, cat, address="玺园3栋东门").is_repeat
    # the same place but another category: not the same problem
    assert not _report(world, worker, other_cat, address="玺园3栋东门").is_repeat
    # the same resident twice in the category: a repeat; after 30 days: not
    old = case_create(actor=resident, category=other_cat, channel=c.Channel.RESIDENT, title="噪声", description="夜间施工",
                      region_code=world.grid.code, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=40))
    assert not old.is_repeat
    again = case_create(actor=resident, category=other_cat, channel=c.Channel.RESIDENT, title="噪声",
                        description="夜间施工", region_code=world.grid.code)
    assert not again.is_repeat
    assert case_create(actor=resident, category=other_cat, channel=c.Channel.RESIDENT, title="噪声",
                       description="又在施工", region_code=world.grid.code).is_repeat


def test_new_cases_in_the_demo_are_not_repeats_by_default():
    """In the demo every new patrol case was tagged 30日内重复投诉, because the grid worker had filed one of the
    category in the grid before. A new problem elsewhere is not a repeat; the seeded cases are mostly not."""
    ctx = DemoContext(persons=0, stdout=lambda s: None)
    regions(ctx=ctx)
    accounts(ctx=ctx)
    cases(ctx=ctx)
    total, repeats = Case.objects.count(), Case.objects.filter(is_repeat=True).count()
    print(f"demo cases: {total}, repeats: {repeats}")
    assert total > 100 and repeats / total < 0.25
    worker, grid = ctx.data["users"]["grid_worker"], ctx.data["grids"][0]
    categories = {case.category for case in Case.objects.filter(region_code=grid, channel=c.Channel.PATROL)}
    assert len(categories) > 2
    new = [case_create(actor=worker, category=cat, channel=c.Channel.PATROL, title="新问题", description="新问题",
                       region_code=grid) for cat in categories]
    assert [case.is_repeat for case in new] == [False] * len(new)
