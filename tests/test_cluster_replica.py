"""Reads on the real streaming replica (issue 20): the cases dashboard reads there, a user who just wrote reads
the primary (read-your-writes), and a lagging or stopped replica makes reads fall back to the primary.

They run against the replica that `scripts/cluster` makes with pg_basebackup: `scripts/cluster test` starts the
primary (:5433) and the replica (:5434), runs these tests, and stops both again. Elsewhere they are skipped.
"""

import os
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shanzhi.core import replica
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user, make_world, verified_login
from shanzhi.regions.models import Region

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif("replica" not in settings.DATABASES,
                       reason="needs the streaming replica: run `scripts/cluster test` (SHANZHI_REPLICA_URL unset)"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _sql(alias, sql):
    with connections[alias].cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0] if cur.description else None


def _caught_up(timeout=10.0):
    """Wait until the replica has replayed everything the primary wrote so far."""
    target = _sql("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _sql("replica", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


@pytest.fixture(autouse=True)
def _fresh_health():
    replica.reset_health()
    yield
    if _sql("replica", "SELECT pg_is_wal_replay_paused()"):
        _sql("replica", "SELECT pg_wal_replay_resume()")
    replica.reset_health()


@pytest.fixture
def staff(client):
    world = make_world()
    user = make_user(Role.STREET_MANAGER, world.street.code)
    verified_login(client, user)
    _caught_up()
    return user


def _queries(client, url):
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as standby:
        response = client.get(url)
    return response, len(primary), [q["sql"] for q in standby]


def test_the_replica_is_a_real_standby():
    assert _sql("replica", "SELECT pg_is_in_recovery()") is True
    assert _sql("default", "SELECT pg_is_in_recovery()") is False
    assert connections["replica"].settings_dict["PORT"] != connections["default"].settings_dict["PORT"]


def test_dashboard_reads_on_the_replica_other_pages_on_the_primary(client, staff):
    response, _, standby = _queries(client, reverse("cases:dashboard"))
    assert response.status_code == 200
    assert any("cases_" in sql or "analytics_" in sql for sql in standby), standby
    response, _, standby = _queries(client, reverse("cases:list"))
    assert response.status_code == 200
    assert standby == [] or all(replica.LAG_SQL in sql for sql in standby)


def test_a_user_who_just_wrote_reads_the_primary(client, staff, settings):
    settings.SHANZHI_REPLICA_MAX_LAG = 3600  # a paused replica still counts as usable here
    _sql("replica", "SELECT pg_wal_replay_pause()")
    region = Region.objects.create(code="321002004009", name="新写社区", level="community",
                                   parent=Region.objects.get(code="321002004"))
    # another reader is sent to the (paused, so stale) replica and does not see the new row …
    with replica.replica_reads(make_user()):
        assert not Region.objects.filter(pk=region.pk).exists()
    # … the writer, marked by their POST, reads the primary and does
    client.post(reverse("cases:dashboard"))  # any unsafe request marks the user (this one is answered 405)
    assert replica.wrote_recently(staff)
    with replica.replica_reads(staff):
        assert Region.objects.filter(pk=region.pk).exists()
    response, _, standby = _queries(client, reverse("cases:dashboard"))
    assert response.status_code == 200 and standby == []


def test_a_lagging_replica_sends_reads_to_the_primary(client, staff, settings):
    settings.SHANZHI_REPLICA_MAX_LAG = 0.5
    _sql("replica", "SELECT pg_wal_replay_pause()")
    region = Region.objects.create(code="321002004008", name="滞后社区", level="community",
                                   parent=Region.objects.get(code="321002004"))
    time.sleep(1.2)
    assert replica.replica_lag() > 0.5
    with replica.replica_reads():
        assert Region.objects.filter(pk=region.pk).exists()  # read on the primary: the replica has not got it
    response, _, standby = _queries(client, reverse("cases:dashboard"))
    assert response.status_code == 200
    assert all(replica.LAG_SQL in sql for sql in standby)  # only the lag check went to the replica
    _sql("replica", "SELECT pg_wal_replay_resume()")
    _caught_up()
    replica.reset_health()
    with replica.replica_reads():
        assert Region.objects.filter(pk=region.pk).exists()
    assert replica.replica_usable()


@pytest.mark.skipif(not os.environ.get("CLUSTER_SCRIPT"), reason="stopping the replica needs scripts/cluster test")
def test_a_stopped_replica_sends_reads_to_the_primary(client, staff):
    script = os.environ["CLUSTER_SCRIPT"]
    connections["replica"].close()
    subprocess.run(["bash", script, "stop-replica"], check=True, timeout=60)
    try:
        # (no query capture on the replica here: capturing would open a connection to it)
        with CaptureQueriesContext(connections["default"]) as primary:
            response = client.get(reverse("cases:dashboard"))
        assert response.status_code == 200
        assert any("cases_" in q["sql"] or "analytics_" in q["sql"] for q in primary.captured_queries)
        assert not replica.replica_usable()
        with replica.replica_reads():
            assert replica.chosen_for_read({}) is None
    finally:
        subprocess.run(["bash", script, "start-replica"], check=True, timeout=60)
    connections["replica"].close()
    replica.reset_health()
    _caught_up(timeout=30)
    assert replica.replica_usable()
