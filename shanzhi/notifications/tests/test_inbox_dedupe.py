"""The worker's inbox: no duplicate alerts, no alerts about one's own actions (issue 19, fast flows)."""

import pytest

from shanzhi.notifications.models import Notification
from shanzhi.notifications.services import notification_mark_read, notify, notify_many

pytestmark = pytest.mark.django_db


def _titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_the_same_unread_alert_is_not_stored_twice(make_user):
    worker, other = make_user(), make_user()
    obj = make_user()  # any row serves as the object the alert is about
    args = {"kind": "case.assign", "title": "请处置：楼道堆物", "url": "/cases/1/", "obj": obj}
    assert notify(recipients=[worker], **args) == 1
    assert notify(recipients=[worker, other], **args) == 1  # only the colleague who has not got it yet
    assert notify(recipients=[worker, other], **args) == 0
    assert _titles(worker) == ["请处置：楼道堆物"] and _titles(other) == ["请处置：楼道堆物"]


def test_a_read_alert_may_come_again_and_a_different_one_always_does(make_user):
    worker, obj = make_user(), make_user()
    args = {"kind": "case.reopen", "url": "/cases/1/", "obj": obj}
    notify(recipients=[worker], title="居民不满意，请重新处置：楼道堆物", **args)
    notify(recipients=[worker], title="核查未通过，请继续处置：楼道堆物", **args)   # another message
    notify(recipients=[worker], title="居民不满意，请重新处置：楼道堆物", kind="case.reopen", url="/cases/2/",
           obj=make_user())                                                          # about another object
    assert Notification.objects.filter(recipient=worker).count() == 3
    notification_mark_read(actor=worker)
    assert notify(recipients=[worker], title="居民不满意，请重新处置：楼道堆物", **args) == 1  # happened again


def test_the_actor_is_not_told_of_their_own_action_but_of_a_security_notice(make_user):
    worker, leader = make_user(), make_user()
    assert notify(recipients=[worker, leader], kind="case.new", title="新民情待受理：井盖缺失", actor=worker) == 1
    assert _titles(worker) == [] and _titles(leader) == ["新民情待受理：井盖缺失"]
    assert notify(recipients=[worker], kind="account.security", title="新的验证器", actor=worker, security=True) == 1


def test_dedupe_key_still_means_once_ever(make_user):
    worker = make_user()
    assert notify(recipients=[worker], kind="case.supervise", title="黄牌", dedupe_key="k:1") == 1
    notification_mark_read(actor=worker)
    assert notify(recipients=[worker], kind="case.supervise", title="黄牌", dedupe_key="k:1") == 0


def test_notify_many_follows_the_same_rules_in_one_go(make_user, django_assert_max_num_queries):
    worker, other, actor = make_user(), make_user(), make_user()
    a, b = make_user(), make_user()  # the objects the alerts are about
    notify(recipients=[worker], kind="case.dispatch", title="新派遣民情：甲", obj=a)  # already has it, unread
    messages = [{"recipients": [worker, other, actor, None], "kind": "case.dispatch", "title": "新派遣民情：甲",
                 "url": "/cases/1/", "obj": a, "actor": actor},
                {"recipients": [worker, worker], "kind": "case.dispatch", "title": "新派遣民情：乙", "url": "/cases/2/",
                 "obj": b, "actor": actor},
                {"recipients": [other], "kind": "case.dispatch", "title": "新派遣民情：乙", "url": "/cases/2/",
                 "obj": b, "actor": actor}]
    with django_assert_max_num_queries(4):  # who has what, the messages, their deliveries (+ task rows at commit)
        assert notify_many(messages) == 3
    assert sorted(_titles(worker)) == ["新派遣民情：乙", "新派遣民情：甲"]
    assert sorted(_titles(other)) == ["新派遣民情：乙", "新派遣民情：甲"]
    assert _titles(actor) == []
