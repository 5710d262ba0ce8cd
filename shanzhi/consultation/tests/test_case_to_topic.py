"""转为协商议题: community staff escalate a case into a consultation topic; both pages link to each other."""

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.cases.services import case_recategorise
from shanzhi.cases.testing import make_case, make_category
from shanzhi.consultation.models import Topic
from shanzhi.consultation.services import case_to_topic, rules_seed_defaults
from shanzhi.core.permissions import PermissionDenied
from shanzhi.core.roles import Role

pytestmark = pytest.mark.django_db


def test_case_to_topic(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    rules_seed_defaults(actor=make_user(Role.COMMUNITY_SECRETARY, world.community.code), region_code=world.street.code)
    case = make_case(world.grid.code, title="小区停车位不足")
    url = f"/cases/{case.pk}/"

    client.force_login(worker)  # a grid worker sees the case but may not escalate it
    assert 'data-testid="to-topic"' not in client.get(url).content.decode()
    client.post(f"/consultation/from-case/{case.pk}/", {"matter_type": "public_space", "title": "x"})
    assert not Topic.objects.exists()

    client.force_login(staff)
    assert 'data-testid="to-topic"' in client.get(url).content.decode()
    r = client.post(f"/consultation/from-case/{case.pk}/", {"matter_type": "public_space", "title": "增设停车位"})
    topic = Topic.objects.get()
    assert r.status_code == 302 and r.url == f"/consultation/topics/{topic.pk}/"
    assert (topic.source_kind, topic.source_id, topic.region_code) == ("case", str(case.pk), world.community.code)
    assert case.history.filter(action="to_topic", note="增设停车位").exists()
    assert AuditEvent.objects.filter(action="case.to_topic", object_id=str(case.pk)).exists()

    page = client.get(url).content.decode()
    assert 'data-testid="case-topic"' in page and f"/consultation/topics/{topic.pk}/" in page
    assert 'data-testid="to-topic"' not in page
    assert f'href="/cases/{case.pk}/" data-testid="source-case"' in client.get(r.url).content.decode()

    client.post(f"/consultation/from-case/{case.pk}/", {"matter_type": "public_space", "title": "再转一次"})  # only once
    assert Topic.objects.count() == 1


def test_services_refuse_with_the_rules_reason(world, make_user):
    """case_to_topic and case_recategorise check their actor through permission rules (core.permissions)."""
    case = make_case(world.grid.code, title="小区停车位不足")
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    with pytest.raises(PermissionDenied, match="只有社区工作人员或社区书记可以转为协商议题"):
        case_to_topic(actor=worker, case=case, matter_type="public_space", title="x")
    outsider = make_user(Role.GRID_LEADER, world.other_grid.code)
    with pytest.raises(PermissionDenied, match="您没有在此区域调整类别的角色"):
        case_recategorise(actor=outsider, case=case, category=make_category(code="water", name="供水问题"),
                          reason="实为供水问题")
