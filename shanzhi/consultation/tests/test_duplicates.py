"""Topics in the duplicate engine: suggestions while proposing (scope), merging (supporters move once)."""

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.consultation import services as s
from shanzhi.consultation.duplicates import similar_topics
from shanzhi.consultation.models import Follow, Support, Topic
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user

pytestmark = pytest.mark.django_db


def _propose(env, actor, title, description="", support=10):
    env.rule("public_space", support_mode="absolute", support_value=support)
    return s.topic_create(actor=actor, community_code=env.code, matter_type="public_space", title=title,
                          description=description, building_ids=[env.building.pk])


def test_proposer_sees_the_similar_topic_in_full(client, env):
    existing = _propose(env, env.residents[0], "1栋门前绿地改建停车位", "楼下停车难，想把门前绿地改成停车位")
    _propose(env, env.residents[1], "广场舞噪音扰民", "晚上九点后音乐太响")
    client.force_login(env.residents[2])
    html = client.get("/consultation/new/similar/", {"community": env.code, "title": "门前绿地改成停车位",
                                                      "description": "停车太难了"}).content.decode()
    assert 'data-testid="similar-topic"' in html and existing.title in html
    assert "楼下停车难，想把门前绿地改成停车位" in html and 'data-testid="support-topic"' in html
    assert "广场舞" not in html
    # the support button posts to the topic's own action: the resident supports instead of proposing
    before = Topic.objects.count()
    client.post(f"/consultation/topics/{existing.pk}/act/", {"op": "support", "title": "门前绿地改成停车位"})
    assert Topic.objects.count() == before
    assert Support.objects.filter(topic=existing, person=env.persons[2]).exists()


def test_no_suggestions_outside_the_actor_communities_or_of_merged_topics(client, env, world):
    existing = _propose(env, env.residents[0], "1栋门前绿地改建停车位")
    outsider = make_user(Role.RESIDENT, world.other_grid.code)
    client.force_login(outsider)
    html = client.get("/consultation/new/similar/", {"community": env.code, "title": "绿地改停车位"}).content.decode()
    assert existing.title not in html
    assert similar_topics(actor=outsider, community_code=env.code, text="绿地改停车位") == []
    survivor = _propose(env, env.residents[1], "门前绿地改停车位的提议")
    s.topic_transition(actor=env.committee, topic=existing, action="merge", reason="同一件事", target=survivor)
    found = [x.obj.pk for x in similar_topics(actor=env.residents[2], community_code=env.code, text="绿地改停车位")]
    assert found == [survivor.pk]


def test_merge_moves_supporters_once_and_keeps_history(client, env):
    a = _propose(env, env.residents[0], "1栋门前绿地改停车位")
    b = _propose(env, env.residents[5], "门前绿地改建停车位")
    for i in (1, 2):
        s.support_online(actor=env.residents[i], topic=a)
    for i in (1, 6):  # residents[1] supports both
        s.support_online(actor=env.residents[i], topic=b)
    s.follow_set(actor=env.residents[7], topic=a, mode="immediate")
    assert (a.refresh_from_db(), a.support_count) == (None, 3) and Topic.objects.get(pk=b.pk).support_count == 3
    a = s.topic_transition(actor=env.committee, topic=a, action="merge", reason="同一件事", target=b)
    b.refresh_from_db()
    supporters = set(Support.objects.filter(topic=b).values_list("person_id", flat=True))
    assert supporters == {env.persons[i].pk for i in (0, 1, 2, 5, 6)}  # residents[1] counted once
    assert b.support_count == 5 and a.support_count == 0 and a.merged_into_id == b.pk and a.state == "merged"
    assert Follow.objects.filter(topic=b, user=env.residents[7]).exists()
    assert list(a.history.values_list("action", flat=True)) == ["propose", "merge"]  # the merged one's history stays
    assert "absorb" in b.history.values_list("action", flat=True)
    assert AuditEvent.objects.filter(action="consultation.topic_merge", object_id=str(a.pk)).exists()
    client.force_login(env.staff)
    assert f"/consultation/topics/{b.pk}/" in client.get(f"/consultation/topics/{a.pk}/").content.decode()
    listing = client.get("/consultation/").content.decode()
    assert f"/consultation/topics/{b.pk}/" in listing and f"/consultation/topics/{a.pk}/" not in listing
    with pytest.raises(ServiceError):  # nothing merges into a merged topic
        c = _propose(env, env.residents[8], "门前绿地停车")
        s.topic_transition(actor=env.committee, topic=c, action="merge", reason="重复", target=a)


def test_merge_targets_offer_the_most_similar_first(client, env):
    a = _propose(env, env.residents[0], "1栋门前绿地改停车位")
    _propose(env, env.residents[1], "广场舞噪音扰民")
    b = _propose(env, env.residents[2], "门前绿地改建停车位")
    client.force_login(env.committee)  # 合议 (and its merge) is the governance committee's
    page = client.get(f"/consultation/topics/{a.pk}/").content.decode()
    options = page.split('name="target"')[1].split("</select>")[0]
    assert options.index(f'value="{b.pk}"') < options.index("广场舞")
