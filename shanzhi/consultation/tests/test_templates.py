"""答复模板 on topics (issue 22, item 2): the committee's answer picks a template in one tap, its placeholders
filled with the topic's values; the template used is recorded on the step; another kind's or another
community's template is refused."""

import pytest
from django.urls import reverse

from shanzhi.consultation import choices as c
from shanzhi.consultation.models import Topic
from shanzhi.consultation.services import support_online
from shanzhi.replies.services import template_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def tabled(env):
    topic = env.topic(support=2)
    support_online(actor=env.residents[1], topic=topic)
    topic.refresh_from_db()
    assert topic.state == c.Stage.REVIEW
    return topic


@pytest.fixture
def answers(env, world):
    return {
        "answer": template_create(actor=None, region_code=env.code, kind="topic_answer", step="topic_reply",
                                  title="受理答复", body="议题“{标题}”经合议受理，请居民在{社区}参与群议。"),
        "rejection": template_create(actor=None, region_code=env.code, kind="rejection", title="不予采纳",
                                     body="议题“{标题}”不属于居民议事范围。"),
        "other": template_create(actor=None, region_code=world.other_community.code, kind="topic_answer",
                                 title="别的社区", body="x"),
    }


def act(client, topic, **data):
    return client.post(reverse("consultation:topic_act", args=[topic.pk]), {"op": "transition", **data}, follow=True)


def test_the_committee_picks_an_answer_and_the_template_is_recorded(client, env, tabled, answers):
    client.force_login(env.committee)
    page = client.get(reverse("consultation:topic", args=[tabled.pk])).content.decode()
    t = answers["answer"]
    assert f'data-sz-template="{t.pk}"' in page and f"议题“{tabled.title}”经合议受理" in page  # filled in
    assert f'data-sz-template="{answers["other"].pk}"' not in page
    # the text as the picker filled it (edited or not); a placeholder left in it is filled by the service
    act(client, tabled, action="accept", reason="议题“{标题}”经合议受理。", template=str(t.pk))
    tabled.refresh_from_db()
    assert tabled.state == c.Stage.DELIBERATION
    step = tabled.history.get(action="accept")
    assert step.template == t and step.note == f"议题“{tabled.title}”经合议受理。"
    assert tabled.decision_reason == step.note


@pytest.mark.parametrize("which", ["rejection", "other"])
def test_a_template_of_another_kind_or_community_is_refused(client, env, tabled, answers, which):
    client.force_login(env.committee)
    resp = act(client, tabled, action="accept", reason="好", template=str(answers[which].pk))
    assert "所选答复模板不可用" in resp.content.decode()
    assert Topic.objects.get(pk=tabled.pk).state == c.Stage.REVIEW


def test_a_rejection_takes_a_rejection_template(client, env, tabled, answers):
    client.force_login(env.committee)
    act(client, tabled, action="reject", reason="不属于范围", template=str(answers["rejection"].pk))
    tabled.refresh_from_db()
    assert tabled.state == c.Stage.REJECTED and tabled.history.get(action="reject").template == answers["rejection"]


def test_a_forged_template_id_is_refused(client, env, tabled):
    client.force_login(env.committee)
    resp = act(client, tabled, action="accept", reason="好", template="999999")
    assert "所选答复模板不可用" in resp.content.decode()
