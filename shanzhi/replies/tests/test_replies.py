import pytest
from django.urls import reverse

from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.replies.models import ResponseTemplate
from shanzhi.replies.render import render, unknown_placeholders
from shanzhi.replies.selectors import template_list, template_usable, templates_for
from shanzhi.replies.services import template_create, template_update

pytestmark = pytest.mark.django_db


def test_render_fills_only_the_fixed_placeholders():
    body = "您反映的{编号}已于{期限}前交{承办单位}办理。{未知} {{ request.user }} {% debug %} {编号.__class__}"
    out = render(body, {"编号": "2026A", "期限": "12月1日", "承办单位": "城管科", "未知": "x"})
    assert out.startswith("您反映的2026A已于12月1日前交城管科办理。")
    # names outside the set, template syntax and attribute lookups stay literal text
    assert "{未知}" in out and "{{ request.user }}" in out and "{% debug %}" in out and "{编号.__class__}" in out
    assert render("{期限}", {}) == "{期限}"  # no value: left for the sender to fill in
    assert unknown_placeholders("{编号}{未知}{期限}") == ["未知"]


def test_create_checks_placeholders_scope_and_audits(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    with pytest.raises(ServiceError) as e:
        template_create(actor=staff, region_code=world.community.code, kind="feedback", title="x", body="{电话}")
    assert "{电话}" in e.value.user_message
    with pytest.raises(NotAllowed):  # another street's community
        template_create(actor=staff, region_code=world.other_community.code, kind="feedback", title="x", body="好")
    with pytest.raises(NotAllowed):  # only the installation writes system defaults
        template_create(actor=staff, region_code="", kind="feedback", title="x", body="好")
    t = template_create(actor=staff, region_code=world.community.code, kind="feedback", title="已修复",
                        body="{编号}已处理")
    assert AuditEvent.objects.filter(action="replies.template_create").exists()
    t = template_update(actor=staff, template=t, title="已修复（改）")
    assert t.version == 2
    default = template_create(actor=None, region_code="", kind="feedback", title="默认", body="谢谢")
    with pytest.raises(NotAllowed):
        template_update(actor=staff, template=default, title="改")


def test_templates_offered_by_region_step_and_category(world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    outsider = make_user(Role.GRID_WORKER, world.other_grid.code)
    default = template_create(actor=None, region_code="", kind="case_reply", title="默认", body="a")
    mine = template_create(actor=None, region_code=world.community.code, kind="case_reply", step="complete",
                           category_code="road", title="社区道路", body="b")
    template_create(actor=None, region_code=world.other_community.code, kind="case_reply", title="别的社区", body="c")
    template_create(actor=None, region_code=world.community.code, kind="case_reply", step="dispatch", title="派遣",
                    body="d")
    template_create(actor=None, region_code=world.community.code, kind="case_reply", category_code="light",
                    title="路灯", body="e")
    got = list(templates_for(actor=worker, kind="case_reply", step="complete", region_code=world.grid.code,
                             category_codes=["road"]))
    assert got == [mine, default]  # most specific first; other community, other step, other category left out
    assert not templates_for(actor=outsider, kind="case_reply", step="complete", region_code=world.grid.code)
    assert template_usable(actor=worker, pk=mine.pk, region_code=world.grid.code) == mine
    assert template_usable(actor=worker, pk=mine.pk, region_code=world.other_grid.code) is None
    assert template_usable(actor=worker, pk="1 or 1=1", region_code=world.grid.code) is None


def test_page_lists_own_and_defaults_and_saves(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    template_create(actor=None, region_code="", kind="feedback", title="系统默认一", body="x")
    template_create(actor=None, region_code=world.other_community.code, kind="feedback", title="别人的", body="x")
    client.force_login(staff)
    page = client.get(reverse("replies:list")).content.decode()
    assert "系统默认一" in page and "别人的" not in page
    resp = client.post(reverse("replies:list"), {"region_code": world.community.code, "kind": "rejection",
                                                 "step": "reject", "title": "不属实", "body": "经核实{编号}不属实",
                                                 "active": "on"})
    assert resp.status_code == 302
    t = ResponseTemplate.objects.get(title="不属实")
    assert t.region_code == world.community.code and t.created_by == staff
    resp = client.post(reverse("replies:list"), {"region_code": world.other_community.code, "kind": "rejection",
                                                 "title": "越权", "body": "x", "active": "on"})
    assert resp.status_code == 200 and not ResponseTemplate.objects.filter(title="越权").exists()
    other = ResponseTemplate.objects.get(title="别人的")
    resp = client.post(reverse("replies:list"), {"pk": other.pk, "region_code": world.community.code,
                                                 "kind": "feedback", "title": "改别人的", "body": "x"})
    # a foreign template's id is not found: the post creates nothing of the other community's and edits nothing
    other.refresh_from_db()
    assert other.title == "别人的"
    assert template_list(actor=staff).filter(pk=other.pk).count() == 0
