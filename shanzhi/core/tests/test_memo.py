import pytest

from shanzhi.accounts.models import RoleGrant
from shanzhi.cases.services import staff_at
from shanzhi.cases.workflow import ACCEPT_ROLES
from shanzhi.core import memo
from shanzhi.core.roles import Role
from shanzhi.regions.geo import grid_code_at


def test_memo_keeps_a_value_for_its_ttl_then_reloads(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    cache, loads = memo.Memo("test.ttl", ttl=60), []

    def load():
        loads.append(1)
        return len(loads)

    assert cache.get("k", load) == 1
    clock[0] += 59
    assert cache.get("k", load) == 1
    clock[0] += 2
    assert cache.get("k", load) == 2
    cache.clear()
    assert cache.get("k", load) == 3


@pytest.mark.django_db
def test_recipients_follow_grant_changes_at_once(world, make_user):
    """The per-process list of who holds a role on a grid is dropped when a grant is saved or deleted, so a
    new case never goes to someone whose grant was just revoked, nor misses someone just granted."""
    first = make_user(Role.GRID_WORKER, world.grid.code)
    assert staff_at(world.grid.code, ACCEPT_ROLES) == [first]
    second = make_user(Role.GRID_LEADER, world.grid.code)
    assert {u.pk for u in staff_at(world.grid.code, ACCEPT_ROLES)} == {first.pk, second.pk}
    RoleGrant.objects.filter(user=first).delete()
    assert staff_at(world.grid.code, ACCEPT_ROLES) == [second]
    second.is_active = False
    second.save()
    assert staff_at(world.grid.code, ACCEPT_ROLES) == []


@pytest.mark.django_db
def test_point_to_grid_follows_boundary_changes(world):
    """Open311 places a point by the grids' outlines kept per process; a redrawn boundary counts at once."""
    square = {"type": "Polygon", "coordinates": [[[119.0, 32.0], [119.1, 32.0], [119.1, 32.1], [119.0, 32.1],
                                                  [119.0, 32.0]]]}
    world.grid.boundary = square
    world.grid.save()
    assert grid_code_at(32.05, 119.05) == world.grid.code
    assert grid_code_at(33.05, 119.05) is None
    world.grid.boundary = None
    world.grid.save()
    assert grid_code_at(32.05, 119.05) is None
