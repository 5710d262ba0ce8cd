"""Public feeds without a reviewer in the loop mask what the privacy scan finds: the Open311 description and
the consultation titles on the 阳光五务 page (core.privacy.public_text)."""

import pytest
from django.utils import timezone

from shanzhi.cases.models import Case
from shanzhi.cases.testing import make_case, make_category
from shanzhi.consultation.models import Topic
from shanzhi.consultation.testing import topic_in
from shanzhi.registry.testing import person_in

pytestmark = pytest.mark.django_db


def test_open311_description_is_masked(client, world):
    person_in(world.grid.code, name="孙悟空")
    case = make_case(world.grid.code, category=make_category(code="road-pub", is_public=True),
                     description="孙悟空家门口井盖坏了，联系13812345678")
    Case.objects.filter(pk=case.pk).update(publish_consent=True, accepted_at=timezone.now())
    data = client.get(f"/open311/v2/requests/{case.pk}.json").json()
    text = data[0]["description"]
    assert "13812345678" not in text and "138********" in text
    assert "孙悟空" not in text and "孙**" in text
    assert Case.objects.get(pk=case.pk).description.endswith("13812345678")  # the record keeps its text


def test_consultation_titles_on_the_public_page_are_masked(client, world):
    topic = topic_in(world.grid.code)
    Topic.objects.filter(pk=topic.pk).update(title="请电话0514-87654321协商停车", state="deliberation")
    page = client.get(f"/public/?c={world.community.code}&cat=consultation").content.decode()
    assert "0514-87654321" not in page and "请电话051" in page
