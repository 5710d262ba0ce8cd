"""The new-topic form: staff start from a staff source, a too-large amount is a form error that keeps the
typed form, and a topic that needs no supporters says so instead of "附议门槛：0 人"."""

import re

import pytest
from django.urls import reverse

from shanzhi.consultation.models import Topic

pytestmark = pytest.mark.django_db


def _selected(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, flags=re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected', select)


def test_staff_form_defaults_to_a_committee_proposal_and_saves_as_is(client, env):
    env.rule("public_space")
    client.force_login(env.staff)
    html = client.get(reverse("consultation:topic_new")).content.decode()
    assert _selected(html, "source_kind") == ["committee"]
    resp = client.post(reverse("consultation:topic_new"), {
        "community": env.code, "matter_type": "public_space", "title": "楼道照明改造", "source_kind": "committee"})
    assert resp.status_code == 302 and Topic.objects.get(title="楼道照明改造").source_kind == "committee"


def test_residents_still_default_to_online_proposals(client, env):
    client.force_login(env.residents[0])
    assert _selected(client.get(reverse("consultation:topic_new")).content.decode(), "source_kind") == [
        "resident_online"]


def test_a_23_digit_amount_is_a_form_error_and_the_form_keeps_its_input(client, env):
    env.rule("public_space")
    client.force_login(env.staff)
    resp = client.post(reverse("consultation:topic_new"), {
        "community": env.code, "matter_type": "public_space", "title": "健身器材更新", "source_kind": "committee",
        "description": "更新小区健身器材", "amount": "1" * 23, "buildings": [str(env.building.pk)]})
    html = resp.content.decode()
    assert resp.status_code == 200 and not Topic.objects.exists()
    assert "12 个数字" in html  # Django's own Chinese message for max_digits
    assert 'value="健身器材更新"' in html and "更新小区健身器材" in html
    assert _selected(html, "buildings") == [str(env.building.pk)]


def test_rule_box_says_no_support_needed_instead_of_zero(client, env):
    env.rule("public_space")
    client.force_login(env.staff)
    client.post(reverse("consultation:topic_new"), {
        "community": env.code, "matter_type": "public_space", "title": "楼道照明改造", "source_kind": "committee"})
    topic = Topic.objects.get(title="楼道照明改造")
    assert topic.supporters_needed == 0
    html = client.get(reverse("consultation:topic", args=[topic.pk])).content.decode()
    assert "附议门槛：0" not in html and "无需附议" in html
    with_support = env.topic(support=1)
    html = client.get(reverse("consultation:topic", args=[with_support.pk])).content.decode()
    assert f"附议门槛：{with_support.supporters_needed} 人" in html
