"""Cases in the duplicate engine: scope of the suggestions, following instead of filing, merging."""

import pytest

from shanzhi.cases import choices as c
from shanzhi.cases.duplicates import KIND
from shanzhi.cases.models import Case, CaseFollower
from shanzhi.cases.services import case_transition
from shanzhi.cases.testing import make_case, make_category
from shanzhi.core.roles import Role
from shanzhi.core.similarity import Query, suggest

pytestmark = pytest.mark.django_db

TEXT = "3号楼楼道路灯不亮了，晚上很黑"


def _similar(client, region_code, text=TEXT, **extra):
    params = {"title": text[:10], "description": text, "region_code": region_code, **extra}
    return client.get("/cases/report/similar/", params).content.decode()


@pytest.fixture
def lamp(world):
    case = make_case(world.grid.code, title="三号楼楼道灯坏了", description="三号楼二单元楼道灯不亮，晚上看不见",
                     address="三号楼二单元")
    Case.objects.filter(pk=case.pk).update(publish_consent=True)  # as a resident's consenting report
    case.refresh_from_db()
    return case


def test_tokens_are_written_with_the_case(lamp):
    assert {"楼道", "不亮"} <= set(Case.objects.get(pk=lamp.pk).similar_tokens.split())


def test_resident_sees_the_similar_case_in_full(client, world, make_user, lamp):
    resident = make_user(Role.RESIDENT, world.grid2.code)  # another grid of the same community
    client.force_login(resident)
    html = _similar(client, world.grid2.code)
    assert 'data-testid="similar-case"' in html and "三号楼楼道灯坏了" in html
    assert "三号楼二单元楼道灯不亮，晚上看不见" in html and "三号楼二单元" in html  # text and address (consent)
    assert lamp.number in html and "玺园社区" in html and 'data-testid="follow-case"' in html
    assert "垃圾" not in _similar(client, world.grid2.code, text="门口垃圾没人清理")  # other words: nothing shown


def test_resident_never_sees_private_categories_other_communities_or_closed(client, world, make_user, lamp):
    private = make_category(code="secret", name="内部事项", is_public=False)
    hidden = make_case(world.grid.code, category=private, title="三号楼楼道灯不亮（内部）")
    elsewhere = make_case(world.other_grid.code, title="三号楼楼道灯不亮（别的社区）")
    resident = make_user(Role.RESIDENT, world.grid.code)
    found = [s.obj.pk for s in suggest(KIND, actor=resident, query=Query(TEXT, region_code=world.grid.code))]
    assert found == [lamp.pk] and hidden.pk not in found and elsewhere.pk not in found
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case_transition(actor=leader, case=lamp, action="reject", data={"reason": "不属实"})
    assert suggest(KIND, actor=resident, query=Query(TEXT, region_code=world.grid.code)) == []
    # staff see the non-public case of their scope, never another street's
    staff = {s.obj.pk for s in suggest(KIND, actor=leader, query=Query(TEXT, region_code=world.grid.code))}
    assert staff == {hidden.pk}
    assert "别的社区" not in _similar(client, world.grid.code)


def test_description_without_consent_stays_hidden_from_residents(client, world, make_user):
    make_case(world.grid.code, title="楼道灯不亮", description="张三家门口的楼道灯坏了")
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    html = _similar(client, world.grid.code, text="楼道灯不亮")
    assert "楼道灯不亮" in html and "张三家门口" not in html and "未同意公开" in html


def test_follow_instead_of_filing(client, world, make_user, lamp):
    resident = make_user(Role.RESIDENT, world.grid.code)
    client.force_login(resident)
    before = Case.objects.count()
    r = client.post(f"/cases/{lamp.pk}/follow/", {"title": "x"})
    assert r.status_code == 302 and r["Location"] == f"/cases/mine/{lamp.pk}/"
    assert Case.objects.count() == before and CaseFollower.objects.filter(case=lamp, user=resident).exists()
    assert client.get(f"/cases/mine/{lamp.pk}/").status_code == 200
    assert lamp.number in client.get("/cases/mine/").content.decode()
    assert client.post(f"/cases/{lamp.pk}/follow/").status_code == 302  # twice: a message, no second row
    assert CaseFollower.objects.filter(case=lamp, user=resident).count() == 1
    assert client.get(f"/cases/{lamp.pk}/follow/").status_code == 405


def test_follow_of_a_private_case_is_404(client, world, make_user):
    hidden = make_case(world.grid.code, category=make_category(code="secret", name="内部", is_public=False))
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    assert client.post(f"/cases/{hidden.pk}/follow/").status_code == 404


def test_merge_moves_followers_and_points_to_the_survivor(client, world, make_user, lamp):
    reporter = make_user(Role.RESIDENT, world.grid.code)
    follower = make_user(Role.RESIDENT, world.grid.code)
    dup = make_case(world.grid.code, actor=reporter, channel=c.Channel.RESIDENT, title="楼道灯不亮")
    CaseFollower.objects.create(case=dup, user=follower)
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case_transition(actor=leader, case=dup, action="merge", data={"original": lamp.number})
    dup.refresh_from_db()
    assert dup.duplicate_of_id == lamp.pk and dup.outcome == c.Outcome.DUPLICATE
    assert {reporter.pk, follower.pk} <= set(lamp.followers.values_list("user_id", flat=True))
    client.force_login(leader)
    assert dup.number not in client.get("/cases/").content.decode()  # lists hide merged
    assert dup.number in client.get(f"/cases/?q={dup.number}").content.decode()  # a search finds it
    page = client.get(f"/cases/{dup.pk}/").content.decode()
    assert 'data-testid="merged-into"' in page and f"/cases/{lamp.pk}/" in page
    client.force_login(reporter)
    page = client.get(f"/cases/mine/{dup.pk}/").content.decode()
    assert f"/cases/mine/{lamp.pk}/" in page and lamp.number in page
    assert client.get(f"/cases/mine/{lamp.pk}/").status_code == 200  # the reporter now follows the survivor
    assert suggest(KIND, actor=reporter, query=Query("楼道灯不亮", region_code=world.grid.code))[0].obj.pk == lamp.pk
