"""The scheduler's leader election (a Redis lock with a TTL) and the replica router's single-machine behaviour."""

import time
import uuid

import pytest
import redis

from shanzhi.core import replica
from shanzhi.core.leader import Leadership
from shanzhi.regions.models import Region

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_one_scheduler_leads_and_another_takes_over_when_it_stops():
    name = f"test-{uuid.uuid4().hex}"
    a, b = Leadership(name, ttl=5, url=REDIS_URL), Leadership(name, ttl=5, url=REDIS_URL)
    b.me = a.me + "-other"  # two processes
    assert a.hold() and not b.hold()
    assert a.hold() and not b.hold()  # the leader renews, the other waits
    a.release()
    assert b.hold() and not a.hold()
    b.redis.pexpire(b.key, 1)  # the leader dies: its key expires


    time.sleep(0.05)
    assert a.hold()
    a.release()


def test_without_redis_every_scheduler_runs(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert Leadership("x").hold()


def test_without_a_replica_the_router_reads_the_primary(rf, db):
    calls = []

    @replica.reads_from_replica
    def view(request):
        calls.append(replica.chosen_for_read({}))
        return list(Region.objects.all()[:1])

    request = rf.get("/")
    request.user = None
    view(request)
    assert calls == [None] and not replica.configured()
    assert replica.ReplicaRouter().allow_migrate("default", "cases") is True
    assert replica.ReplicaRouter().allow_migrate("replica", "cases") is False
