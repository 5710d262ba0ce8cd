"""SMS / WeChat / e-mail delivery leaves the request: notify() only queues a task per channel, and the task
retries a failing channel with backoff, a bounded number of times, then records the failure."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks import default_task_backend

from shanzhi.cases.testing import make_category
from shanzhi.core.roles import Role
from shanzhi.notifications.channels import Channel
from shanzhi.notifications.models import Delivery
from shanzhi.notifications.services import notify, notify_many
from shanzhi.notifications.tasks import backoff, deliver_task

pytestmark = pytest.mark.django_db
CALLS = []
FLAKY = "shanzhi.notifications.tests.test_delivery.FlakyGateway"
DOWN = "shanzhi.notifications.tests.test_delivery.DownGateway"


class DownGateway(Channel):
    name = "down"

    def send(self, notification):
        CALLS.append(notification.pk)
        raise TimeoutError("gateway timed out for 13912345678")


class FlakyGateway(Channel):
    """Fails twice, then sends."""

    name = "flaky"

    def send(self, notification):
        CALLS.append(notification.pk)
        if len(CALLS) < 3:
            raise ConnectionError("try later")
        return True


@pytest.fixture
def dummy_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


class RecordingGateway(Channel):
    name = "sms"

    def send(self, notification):
        CALLS.append(notification.pk)
        return True


def test_a_request_that_notifies_only_enqueues(client, world, make_user, settings, dummy_backend,
                                               django_capture_on_commit_callbacks):
    """A resident's report notifies the grid's staff: the request stores and queues, the worker sends."""
    settings.SHANZHI_NOTIFY_CHANNELS = ["shanzhi.notifications.tests.test_delivery.RecordingGateway", DOWN]
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/cases/report/", {"category": make_category().pk, "region_code": world.grid.code,
                                           "title": "匿名反映", "description": "有人占道"})
    assert r.status_code == 200
    assert CALLS == []  # nothing was sent in the request
    queued = Delivery.objects.filter(notification__recipient=leader)
    assert queued.count() == 2 and {d.state for d in queued} == {Delivery.State.PENDING}
    assert [r.task.name for r in dummy_backend.results] == ["deliver_many_task"]  # one job for the fan-out
    for result in list(dummy_backend.results):  # what the worker does
        result.task.call(*result.args, **result.kwargs)
    sms = queued.get(channel__endswith="RecordingGateway")
    assert sms.state == Delivery.State.SENT and sms.notification_id in CALLS


def test_a_failing_channel_retries_with_backoff_then_sends(make_user, settings, dummy_backend):
    settings.SHANZHI_NOTIFY_CHANNELS = [FLAKY]
    CALLS.clear()
    notify(recipients=[make_user()], kind="t", title="新消息")
    delivery = Delivery.objects.get()
    before = timezone.now()
    assert deliver_task.call(delivery.pk) == Delivery.State.PENDING
    retry = dummy_backend.results[-1]
    assert retry.args == [delivery.pk] or list(retry.args) == [delivery.pk]
    assert retry.task.run_after >= before + backoff(1) - dt.timedelta(seconds=1)
    assert backoff(2) == 2 * backoff(1)  # the wait doubles
    assert deliver_task.call(delivery.pk) == Delivery.State.PENDING
    assert deliver_task.call(delivery.pk) == Delivery.State.SENT
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and len(CALLS) == 3


def test_a_channel_that_keeps_failing_is_recorded_as_failed(make_user, settings, caplog,
                                                            django_capture_on_commit_callbacks):
    """The in-process test backend runs each retry at once; the attempts stop at the limit."""
    settings.SHANZHI_NOTIFY_CHANNELS = [DOWN]
    settings.SHANZHI_NOTIFY_MAX_ATTEMPTS = 4
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[make_user()], kind="t", title="新消息")
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == 4 and len(CALLS) == 4
    assert delivery.last_error == "TimeoutError"
    assert "13912345678" not in caplog.text + delivery.last_error  # the gateway's text is never kept


def test_a_batch_fan_out_queues_one_task_and_each_delivery_is_sent(make_user, settings, dummy_backend,
                                                                   django_capture_on_commit_callbacks):
    settings.SHANZHI_NOTIFY_CHANNELS = ["shanzhi.notifications.tests.test_delivery.RecordingGateway", DOWN]
    a, b, obj = make_user(), make_user(), make_user()
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify_many([{"recipients": [a, b], "kind": "case.dispatch", "title": f"新派遣民情：{n}", "obj": obj}
                     for n in range(3)])
    assert CALLS == [] and [r.task.name for r in dummy_backend.results] == ["deliver_many_task"]
    result = dummy_backend.results[0]
    result.task.call(*result.args, **result.kwargs)  # what the worker does
    queued = Delivery.objects.filter(notification__recipient__in=[a, b])
    assert queued.filter(channel__endswith="RecordingGateway", state=Delivery.State.SENT).count() == 6
    assert queued.filter(channel=DOWN, state=Delivery.State.PENDING, attempts=1).count() == 6  # retried alone
    assert {r.task.name for r in dummy_backend.results[1:]} == {"deliver_task"}
