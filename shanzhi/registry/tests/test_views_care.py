"""Care tags, needs and merging duplicates through the pages: scope (404), change rights, version conflicts,
and the merge flow with its refusals."""

import datetime

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.registry import choices as c
from shanzhi.registry.models import CareTag, Need, Person
from shanzhi.registry.testing import care_tag_in, need_in, person_in, special_in

pytestmark = pytest.mark.django_db
ID = "32100219800517091X"  # synthetic, valid check digit
PHONE = "17012345678"


@pytest.fixture
def worker(client, world, make_user):
    user = make_user(Role.GRID_WORKER, world.grid.code)
    client.force_login(user)
    return user


@pytest.fixture
def person(world):
    return person_in(world.grid.code, id_number=ID, phone=PHONE, birth_date=datetime.date(1980, 5, 17))


def _messages(resp) -> list[str]:
    return [str(m) for m in resp.context["messages"]] if resp.context else []


def test_care_card_lists_tags_and_needs_with_forms_for_editors(client, worker, person, world):
    care_tag_in(world.grid.code, person=person)
    need_in(world.grid.code, person=person)
    html = client.get(f"/registry/persons/{person.pk}/").content.decode()
    assert 'data-testid="care-card"' in html and "独居老人" in html and "养老" in html and "待响应" in html
    assert 'data-testid="care-tag-add"' in html and 'data-testid="need-status-form"' in html
    assert f"/registry/persons/{person.pk}/merge/" in html


def test_viewer_without_change_rights_sees_list_but_no_forms_and_cannot_post(client, world, make_user, person):
    tag = care_tag_in(world.grid.code, person=person)
    need = need_in(world.grid.code, person=person)
    verified_login(client, make_user(Role.STREET_MANAGER, world.street.code))  # views, may not change
    html = client.get(f"/registry/persons/{person.pk}/").content.decode()
    assert "独居老人" in html and "养老" in html
    assert 'data-testid="care-tag-add"' not in html and 'data-testid="need-status-form"' not in html
    assert "/merge/" not in html
    assert client.post(f"/registry/persons/{person.pk}/care-tags/add/",
                       {"tag": c.CareTagKind.VETERAN}).status_code == 403
    assert client.post(f"/registry/care-tags/{tag.pk}/remove/").status_code == 403
    assert client.post(f"/registry/needs/{need.pk}/status/", {"status": "met", "version": 1}).status_code == 403
    assert client.get(f"/registry/persons/{person.pk}/merge/").status_code == 403
    assert CareTag.objects.filter(pk=tag.pk).exists() and Need.objects.get(pk=need.pk).status == c.NeedStatus.OPEN


def test_add_and_remove_care_tag(client, worker, person):
    resp = client.post(f"/registry/persons/{person.pk}/care-tags/add/",
                       {"tag": c.CareTagKind.VETERAN, "note": "参战老兵"}, follow=True)
    assert "已添加关爱标签：退役军人" in _messages(resp)
    tag = CareTag.objects.get(person=person)
    assert (tag.tag, tag.note) == (c.CareTagKind.VETERAN, "参战老兵")
    assert AuditEvent.objects.filter(action="registry.care_tag.add").count() == 1
    resp = client.post(f"/registry/persons/{person.pk}/care-tags/add/", {"tag": c.CareTagKind.VETERAN}, follow=True)
    assert "已有关爱标签：退役军人" in _messages(resp) and CareTag.objects.filter(person=person).count() == 1
    resp = client.post(f"/registry/persons/{person.pk}/care-tags/add/", {"tag": "nonsense"}, follow=True)
    assert "未知的关爱类别" in _messages(resp)
    resp = client.post(f"/registry/care-tags/{tag.pk}/remove/", follow=True)
    assert "已移除关爱标签：退役军人" in _messages(resp) and not CareTag.objects.filter(person=person).exists()
    assert resp.redirect_chain[-1][0].startswith(f"/registry/persons/{person.pk}/")


def test_out_of_scope_posts_are_404(client, worker, world):
    other = person_in(world.other_grid.code)
    tag = care_tag_in(world.other_grid.code, person=other)
    need = need_in(world.other_grid.code, person=other)
    assert client.post(f"/registry/persons/{other.pk}/care-tags/add/",
                       {"tag": c.CareTagKind.VETERAN}).status_code == 404
    assert client.post(f"/registry/care-tags/{tag.pk}/remove/").status_code == 404
    assert client.post(f"/registry/needs/{need.pk}/status/", {"status": "met", "version": 1}).status_code == 404
    assert client.get(f"/registry/persons/{other.pk}/merge/").status_code == 404
    assert CareTag.objects.filter(person=other).count() == 1 and Need.objects.get(pk=need.pk).status == "open"


def test_need_status_change_and_stale_version_conflict(client, worker, person, world):
    need = need_in(world.grid.code, person=person)
    resp = client.post(f"/registry/needs/{need.pk}/status/", {"status": c.NeedStatus.IN_PROGRESS, "version": 1},
                       follow=True)
    assert "需求状态已改为：办理中" in _messages(resp)
    need.refresh_from_db()
    assert (need.status, need.version) == (c.NeedStatus.IN_PROGRESS, 2)
    # a form loaded before that change still carries version 1: refused, nothing overwritten
    resp = client.post(f"/registry/needs/{need.pk}/status/", {"status": c.NeedStatus.CLOSED, "version": 1},
                       follow=True)
    assert "记录已被他人修改，请刷新后重试。" in _messages(resp)
    need.refresh_from_db()
    assert (need.status, need.version) == (c.NeedStatus.IN_PROGRESS, 2)
    resp = client.post(f"/registry/needs/{need.pk}/status/", {"status": "bogus", "version": 2}, follow=True)
    assert "未知的状态" in _messages(resp)


def test_special_population_stays_hidden_from_roles_outside_special_roles(client, worker, person, world):
    special_in(world.grid.code, person=person)
    html = client.get(f"/registry/persons/{person.pk}/").content.decode()
    assert "社区矫正" not in html and "测试帮教方案" not in html


def test_needs_list_is_scoped_filterable_and_links_to_person(client, worker, world, person):
    mine = need_in(world.grid.code, person=person)
    met = Need.objects.create(region_code=world.grid.code, person=person, category=c.NeedCategory.MEDICAL,
                              status=c.NeedStatus.MET, description="配药上门")
    other = person_in(world.other_grid.code, name="李四")
    Need.objects.create(region_code=world.other_grid.code, person=other, category=c.NeedCategory.MEDICAL,
                        description="外网格需求")
    resp = client.get("/registry/needs/")
    html = resp.content.decode()
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    assert "外网格需求" not in html and "配药上门" in html and f"/registry/persons/{person.pk}/" in html
    assert html.count('data-testid="need-card"') == 2
    html = client.get("/registry/needs/", {"status": "met"}).content.decode()
    assert html.count('data-testid="need-card"') == 1 and "配药上门" in html
    html = client.get("/registry/needs/", {"category": c.NeedCategory.ELDERLY_CARE}).content.decode()
    assert html.count('data-testid="need-card"') == 1 and "配药上门" not in html
    assert mine.pk != met.pk
    # from a region's page: only that region's needs
    assert "/registry/needs/?region=" in client.get(f"/registry/regions/{world.grid.code}/").content.decode()
    html = client.get("/registry/needs/", {"region": world.grid.code}).content.decode()
    assert html.count('data-testid="need-card"') == 2
    html = client.get("/registry/needs/", {"region": world.grid2.code}).content.decode()
    assert html.count('data-testid="need-card"') == 0


def test_merge_happy_path(client, worker, person, world):
    dup = person_in(world.grid.code, name="张三丰", phone="", birth_date=datetime.date(1980, 5, 17),
                    ethnicity="汉族")
    care_tag_in(world.grid.code, person=dup, tag=c.CareTagKind.VETERAN)
    url = f"/registry/persons/{person.pk}/merge/"
    html = client.get(url).content.decode()
    assert f'name="duplicate" value="{dup.pk}"' in html  # offered as a likely duplicate
    html = client.post(url, {"q": "zsf"}).content.decode()
    assert 'data-testid="merge-candidates"' in html and f'value="{dup.pk}"' in html
    html = client.post(url, {"duplicate": dup.pk}).content.decode()
    assert 'data-testid="merge-compare"' in html and "321002***********X" in html and ID not in html
    assert PHONE not in html and "170********" in html
    resp = client.post(url, {"duplicate": dup.pk, "reason": "同一人重复登记", "confirm": "1"}, follow=True)
    assert resp.redirect_chain[-1][0] == f"/registry/persons/{person.pk}/"
    assert f"已将重复登记 #{dup.pk} 合并到 张三丰" in _messages(resp)
    assert not Person.objects.filter(pk=dup.pk).exists()
    person.refresh_from_db()
    assert person.ethnicity == "汉族"
    assert list(person.care_tags.values_list("tag", flat=True)) == [c.CareTagKind.VETERAN]
    assert AuditEvent.objects.get(action="registry.person.merge").reason == "同一人重复登记"


def test_merge_refusals(client, worker, person, world):
    url = f"/registry/persons/{person.pk}/merge/"
    dup = person_in(world.grid.code, name="张三丰")
    outside = person_in(world.other_grid.code, name="张三丰")
    # the search lists only persons the actor may change, never the person itself
    html = client.post(url, {"q": "张三丰"}).content.decode()
    assert f'value="{dup.pk}"' in html and f'value="{outside.pk}"' not in html
    assert f'name="duplicate" value="{person.pk}"' not in html
    resp = client.post(url, {"duplicate": person.pk, "reason": "同一人重复登记", "confirm": "1"})
    assert "不能与自己合并" in resp.content.decode()
    resp = client.post(url, {"duplicate": outside.pk, "reason": "同一人重复登记", "confirm": "1"})
    assert "所选人员不存在或不在您的管辖范围内" in resp.content.decode()
    resp = client.post(url, {"duplicate": dup.pk, "reason": "", "confirm": "1"})
    assert resp.status_code == 200 and "请填写合并理由" in resp.content.decode()
    resp = client.post(url, {"duplicate": "abc", "confirm": "1"})
    assert "所选人员不存在或不在您的管辖范围内" in resp.content.decode()
    assert Person.objects.filter(pk__in=[person.pk, dup.pk, outside.pk]).count() == 3
    assert not AuditEvent.objects.filter(action="registry.person.merge").exists()


def test_merge_refuses_different_id_numbers(client, worker, person, world):
    dup = person_in(world.grid.code, id_number="110101199003074516")
    resp = client.post(f"/registry/persons/{person.pk}/merge/",
                       {"duplicate": dup.pk, "reason": "同一人重复登记", "confirm": "1"})
    assert "两人的证件号码不同，不能合并" in resp.content.decode()
    assert Person.objects.filter(pk=dup.pk).exists()
