import logging

import pytest

from shanzhi.notifications.channels import Channel, channels
from shanzhi.notifications.models import Notification
from shanzhi.notifications.selectors import unread_count
from shanzhi.notifications.services import notification_mark_read, notify

pytestmark = pytest.mark.django_db
SENT = []


class RecordingChannel(Channel):
    name = "test"

    def send(self, notification):
        SENT.append((notification.recipient_id, notification.title))
        return True


def test_notify_stores_once_per_recipient_and_delivers_after_commit(make_user, settings, django_capture_on_commit_callbacks,
                                                                    caplog):
    settings.SHANZHI_NOTIFY_CHANNELS = ["shanzhi.notifications.channels.LoggingChannel",
                                        "shanzhi.notifications.tests.test_notifications.RecordingChannel"]
    a, b = make_user(), make_user()
    SENT.clear()
    with caplog.at_level(logging.INFO, logger="shanzhi.notify"), \
            django_capture_on_commit_callbacks(execute=True):
        assert notify(recipients=[a, b, a, None], kind="test", title="新消息", body="内容", url="/x/") == 2
    assert Notification.objects.filter(recipient=a).count() == 1
    assert sorted(SENT) == sorted([(a.pk, "新消息"), (b.pk, "新消息")])
    assert "内容" not in caplog.text and "新消息" in caplog.text
    assert [type(c).__name__ for c in channels()] == ["LoggingChannel", "RecordingChannel"]


def test_inbox_unread_badge_and_mark_read(client, make_user):
    user, other = make_user(), make_user()
    notify(recipients=[user], kind="t", title="请评价您反映的问题", url="/cases/mine/1/")
    notify(recipients=[other], kind="t", title="别人的消息")
    assert unread_count(actor=user) == 1
    client.force_login(user)
    page = client.get("/inbox/").content.decode()
    assert "请评价您反映的问题" in page and "别人的消息" not in page
    client.post("/inbox/read/")
    assert unread_count(actor=user) == 0 and unread_count(actor=other) == 1
    assert notification_mark_read(actor=user) == 0
