"""One way to write: versioned_update (conditional on the version, bumps it, audit row, a conflict that
carries both versions and the stored row), create_audited, and workflow transitions that each write a
history row and an audit row."""

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.models import TransitionHistory
from shanzhi.core.roles import Role
from shanzhi.core.workflow import transition_history
from shanzhi.core.writes import create_audited, versioned_update
from shanzhi.registry import choices as c
from shanzhi.registry import services as registry
from shanzhi.registry.models import Estate, MoveRequest, Need, Person
from shanzhi.registry.testing import move_request_in, need_in, person_in

pytestmark = pytest.mark.django_db


def test_versioned_update_writes_once_and_a_stale_version_conflicts_with_both_values(world, make_user):
    actor = make_user(Role.GRID_WORKER, world.grid.code)
    p = person_in(world.grid.code, name="钱二", id_number="")
    v = p.version
    versioned_update(p, v, actor=actor, current_address="和平路1号")
    assert Person.objects.get(pk=p.pk).version == v + 1 and p.version == v + 1
    stale = Person.objects.get(pk=p.pk)
    stale.version = v  # loaded before the first write
    with pytest.raises(ConflictError) as e:
        versioned_update(stale, v, actor=actor, current_address="和平路2号")
    assert (e.value.expected, e.value.current) == (v, v + 1)
    assert e.value.stored.current_address == "和平路1号"
    fresh = Person.objects.get(pk=p.pk)
    assert fresh.current_address == "和平路1号" and fresh.version == v + 1
    events = AuditEvent.objects.filter(action="registry.person.update", object_id=str(p.pk))
    assert events.count() == 1 and events.get().after == {"current_address": "和平路1号"}


def test_versioned_update_validates_before_writing(world, make_user):
    actor = make_user(Role.GRID_WORKER, world.grid.code)
    p = person_in(world.grid.code, id_number="")
    with pytest.raises(ServiceError):
        versioned_update(p, p.version, actor=actor, residence_type="nonsense")
    assert Person.objects.get(pk=p.pk).residence_type != "nonsense"


def test_create_audited_turns_a_duplicate_into_a_field_error(world, make_user):
    actor = make_user(Role.COMMUNITY_STAFF, world.community.code)
    create_audited(Estate, actor=actor, region_code=world.community.code, name="玺园")
    with pytest.raises(ServiceError) as e:
        create_audited(Estate, actor=actor, region_code=world.community.code, name="玺园",
                       duplicate_message="该社区已有同名小区", duplicate_field="name")
    assert e.value.field == "name"
    assert AuditEvent.objects.filter(action="registry.estate.create").count() == 1


def test_need_status_runs_on_the_table_with_history_audit_and_version(world, make_user):
    actor = make_user(Role.GRID_WORKER, world.grid.code)
    need = need_in(world.grid.code)
    v = need.version
    registry.need_set_status(actor=actor, need=need, status=c.NeedStatus.IN_PROGRESS, version=v)
    with pytest.raises(ConflictError):  # the same stale form again
        registry.need_set_status(actor=actor, need=need, status=c.NeedStatus.MET, version=v)
    fresh = Need.objects.get(pk=need.pk)
    assert fresh.status == c.NeedStatus.IN_PROGRESS and fresh.version == v + 1
    [h] = transition_history(fresh)
    assert (h.from_state, h.to_state, h.actor) == (c.NeedStatus.OPEN, c.NeedStatus.IN_PROGRESS, actor)
    assert AuditEvent.objects.filter(action="registry.need.to_in_progress", object_id=str(need.pk)).count() == 1


def test_move_request_reject_writes_history_and_audit(world, make_user):
    actor = make_user(Role.COMMUNITY_STAFF, world.community.code)
    req = move_request_in(world.grid.code)
    registry.move_request_reject(actor=actor, request=req, reason="材料不全")
    fresh = MoveRequest.objects.get(pk=req.pk)
    assert fresh.state == MoveRequest.State.REJECTED and fresh.decided_by == actor
    assert fresh.decision_note == "材料不全"
    h = TransitionHistory.objects.get(object_type="registry.moverequest", object_id=str(req.pk))
    assert (h.action, h.note) == ("reject", "材料不全")
    assert AuditEvent.objects.filter(action="registry.move_request.reject", object_id=str(req.pk)).count() == 1
