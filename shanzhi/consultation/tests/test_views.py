from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shanzhi.consultation import services as s
from shanzhi.consultation.models import Comment, Meeting
from shanzhi.consultation.operations import MEETING_OPERATIONS, TOPIC_OPERATIONS
from shanzhi.consultation.rules import effective_rules
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user

pytestmark = pytest.mark.django_db


def test_resident_proposes_through_the_page(client, env):
    env.rule("public_space", support_mode="absolute", support_value=2)
    client.force_login(env.residents[0])
    resp = client.get(reverse("consultation:topic_new"))
    assert resp.status_code == 200 and "公共空间改造" in resp.content.decode()
    resp = client.post(reverse("consultation:topic_new"), {
        "community": env.code, "matter_type": "public_space", "title": "增设健身器材", "description": "",
        "source_kind": "resident_online", "buildings": [str(env.building.pk)]})
    assert resp.status_code == 302
    page = client.get(resp["Location"]).content.decode()
    assert "已有 1 人附议，达到 2 人即提交合议" in page


def test_resident_cannot_register_a_committee_topic(client, env):
    client.force_login(env.residents[0])
    resp = client.post(reverse("consultation:topic_new"), {
        "community": env.code, "matter_type": "public_space", "title": "x", "source_kind": "committee"})
    assert resp.status_code == 200  # the choice isn't even offered to residents
    assert "不是可用的选项" in resp.content.decode() or "选择一个有效的选项" in resp.content.decode()


def test_staff_sees_why_a_step_is_blocked(client, env):
    topic = env.to_deliberation(env.topic(support=2))
    client.force_login(env.secretary)
    page = client.get(reverse("consultation:topic", args=[topic.pk])).content.decode()
    assert "群议期不少于10天" in page and 'data-action="to_resolution" disabled' in page


def test_topics_of_other_streets_are_404(client, env, world):
    topic = env.topic(support=5)
    outsider = make_user(Role.RESIDENT, world.other_grid.code)
    client.force_login(outsider)
    assert client.get(reverse("consultation:topic", args=[topic.pk])).status_code == 404
    assert client.post(reverse("consultation:topic_act", args=[topic.pk]), {"op": "support"}).status_code == 404


def test_hidden_comment_is_hidden_from_residents_but_not_staff(client, env):
    topic = env.topic(support=5)
    comment = s.comment_add(actor=env.residents[1], topic=topic, body="卖房广告", stance="neutral")
    client.force_login(env.staff)
    client.post(reverse("consultation:topic_act", args=[topic.pk]), {"op": "hide", "comment": comment.pk,
                                                                      "reason": "广告"})
    client.force_login(env.residents[2])
    assert "卖房广告" not in client.get(reverse("consultation:topic", args=[topic.pk])).content.decode()
    client.force_login(env.staff)
    page = client.get(reverse("consultation:topic", args=[topic.pk])).content.decode()
    assert "卖房广告" in page and "已隐藏" in page


def test_search_page(client, env):
    env.topic(support=5, title="文昌花园老年公寓")
    client.force_login(env.residents[1])
    page = client.get(reverse("consultation:index"), {"q": "老年公寓"}).content.decode()
    assert "文昌花园老年公寓" in page
    assert "文昌花园老年公寓" not in client.get(reverse("consultation:index"), {"q": "健身"}).content.decode()


def test_printable_meeting_documents(client, env):
    topic = env.to_resolution(env.topic(support=2))
    meeting, _reps = env.deciding_meeting(topic, voters=3)
    client.force_login(env.staff)
    for doc, text in (("notice", "居民代表会议"), ("signin", "签名"), ("minutes", "记录人")):
        resp = client.get(reverse("consultation:meeting_print", args=[meeting.pk]), {"doc": doc})
        assert resp.status_code == 200 and text in resp.content.decode() and "@media print" in resp.content.decode()
    resp = client.get(reverse("consultation:meeting_print", args=[meeting.pk]), {"doc": "signin", "format": "pdf"})
    assert resp["Content-Type"] == "application/pdf" and resp.content.startswith(b"%PDF")


def test_rules_page_shows_inheritance(client, env):
    env.rule("property_fee", quorum_percent=80)
    client.force_login(env.staff)
    page = client.get(reverse("consultation:rules")).content.decode()
    assert "本社区" in page and "街道统一" in page


def test_api_lists_topics_in_scope(client, env, world):
    env.topic(support=5, title="API议题")
    client.force_login(env.residents[1])
    data = client.get("/api/consultation/topics").json()
    assert [t["title"] for t in data] == ["API议题"]
    client.force_login(make_user(Role.RESIDENT, world.other_grid.code))
    assert client.get("/api/consultation/topics").json() == []


def test_secretary_overrides_a_street_rule_on_the_page(client, env):
    client.force_login(env.secretary)
    resp = client.post(reverse("consultation:rules"), {
        "community": env.code, "matter_type": "facility", "mandatory": "1", "support_mode": "absolute",
        "support_value": "15", "parties": ["party_org", "residents_committee"],
        "deciding_meeting": "representatives_meeting", "quorum_percent": "60", "majority": "simple",
        "min_deliberation_days": "9", "notice_days": "4"})
    assert resp.status_code == 302
    rule = effective_rules(env.code)["facility"]
    assert rule.region_code == env.code and rule.quorum_percent == 60 and rule.abstentions_count is False
    client.force_login(env.staff)  # community staff may look but not change
    client.post(reverse("consultation:rules"), {"community": env.code, "matter_type": "other", "quorum_percent": "1",
                                                "support_mode": "absolute", "majority": "simple",
                                                "deciding_meeting": "consultation_meeting"})
    assert effective_rules(env.code)["other"].region_code == env.world.street.code


def test_case_escalated_into_a_topic(env):
    topic = s.topic_from_case(actor=env.staff, case_id=4711, community_code=env.code, matter_type="other",
                              title="小区路灯长期不亮")
    assert topic.source_kind == "case" and topic.source_id == "4711"
    assert topic.state == "review"  # no supporters needed for topics the committee brings in


def test_two_evaluations_pages_and_public_results(client, env):
    survey = s.evaluation_create(actor=env.secretary, region_code=env.code, kind="residents_on_committee",
                                 title="年度评议", year=2026, items=["服务", "公开"])
    client.force_login(env.residents[0])
    url = reverse("consultation:evaluation", args=[survey.pk])
    client.post(reverse("consultation:evaluation_act", args=[survey.pk]), {"item0": "5", "item1": "3"})
    assert "您已参加评议" in client.get(url).content.decode()
    client.force_login(env.secretary)
    client.post(reverse("consultation:evaluation_act", args=[survey.pk]), {"op": "publish"})
    client.logout()
    page = client.get("/public/", {"c": env.code, "cat": "evaluations"}).content.decode()
    assert "年度评议" in page and "1 份匿名评分" in page and "4.0" in page


def test_meeting_through_the_pages(client, env):
    topic = env.to_resolution(env.topic(support=2))
    client.force_login(env.staff)
    starts = (timezone.localtime() + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    resp = client.post(reverse("consultation:meeting_new"), {
        "community": env.code, "kind": "representatives_meeting", "title": "三季度居民代表会议", "starts_at": starts,
        "location": "社区议事厅", "topics": [str(topic.pk)]})
    assert resp.status_code == 302
    meeting = Meeting.objects.get(title="三季度居民代表会议")
    page = client.get(resp["Location"]).content.decode()
    assert "按规则须邀请" in page and 'data-testid="notice"' in page
    act = reverse("consultation:meeting_act", args=[meeting.pk])
    for party in [*topic.rule.parties, "resident"]:
        client.post(act, {"op": "invite", "party": party, "name": f"{party}代表", "is_voter": "1"})
    client.post(act, {"op": "notice"})
    meeting.refresh_from_db()
    topic.refresh_from_db()
    assert meeting.state == "noticed" and topic.deciding_meeting == meeting
    first = meeting.participants.first()
    client.post(act, {"op": "check_in", "participant": first.pk})
    first.refresh_from_db()
    assert first.checked_in_at is not None
    client.force_login(env.residents[2])
    client.post(act, {"op": "register"})
    assert meeting.participants.filter(user=env.residents[2], registered=True).exists()


def test_topic_list_queries_do_not_grow(client, env):
    client.force_login(env.residents[1])
    env.topic(support=5, title="议题0")
    client.get(reverse("consultation:index"))  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("consultation:index"))
    for i in range(1, 6):
        env.topic(support=5, title=f"议题{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("consultation:index"))
    assert len(many) == len(few), "\n".join(q["sql"][:120] for q in many.captured_queries)


def test_topic_and_meeting_operations_each_have_a_form_and_a_service():
    assert len(TOPIC_OPERATIONS) + len(MEETING_OPERATIONS) == 23
    for form_class, run in [*TOPIC_OPERATIONS.values(), *MEETING_OPERATIONS.values()]:
        assert callable(run) and hasattr(form_class, "base_fields")


def test_an_operation_with_a_bad_field_says_so_in_chinese_and_writes_nothing(env, client):
    topic = env.topic()
    client.force_login(env.residents[1])
    resp = client.post(reverse("consultation:topic_act", args=[topic.pk]),
                       {"op": "comment", "body": "同意", "stance": "sideways"}, follow=True)
    assert "立场" in resp.content.decode()
    assert not Comment.objects.filter(topic=topic).exists()
    resp = client.post(reverse("consultation:topic_act", args=[topic.pk]), {"op": "explode"}, follow=True)
    assert "未知的操作" in resp.content.decode()


def test_rules_page_shows_why_staff_cannot_change_rules(client, env):
    url = reverse("consultation:rules") + f"?community={env.code}"
    client.force_login(env.staff)
    page = client.get(url).content.decode()
    assert "只有社区书记或街道管理员可以修改议事规则" in page and 'name="matter_type"' not in page
    client.force_login(env.secretary)
    page = client.get(url).content.decode()
    assert "只有社区书记或街道管理员可以修改议事规则" not in page and 'name="matter_type"' in page
