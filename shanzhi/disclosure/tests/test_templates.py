"""答复模板 for disclosure texts (issue 22, item 2): the new-entry form offers the community's 公开文本
templates in one tap; the body's placeholders are filled and the template used is recorded on the entry;
another kind's or another community's template is refused."""

import pytest
from django.urls import reverse

from shanzhi.core.roles import Role
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.replies.services import template_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world, make_user):
    return make_user(Role.COMMUNITY_STAFF, world.community.code)


@pytest.fixture
def templates(world):
    return {
        "text": template_create(actor=None, region_code=world.community.code, kind="disclosure", title="财务公开说明",
                                body="{社区}{期限}财务收支情况公开如下，请居民监督。"),
        "case": template_create(actor=None, region_code=world.community.code, kind="case_reply", title="处置答复",
                                body="已处理"),
        "other": template_create(actor=None, region_code=world.other_community.code, kind="disclosure",
                                 title="别的社区", body="x"),
    }


def post(client, world, **extra):
    return client.post(reverse("disclosure:manage"), {
        "community": world.community.code, "category": "finance", "title": "三季度财务公开", "period": "2026年第三季度",
        "body": "{社区}{期限}财务收支情况公开如下，请居民监督。", **extra}, follow=True)


def test_the_form_offers_the_communitys_texts_and_records_the_one_used(client, world, staff, templates):
    client.force_login(staff)
    page = client.get(reverse("disclosure:manage") + f"?community={world.community.code}").content.decode()
    assert f'data-sz-template="{templates["text"].pk}"' in page
    assert f'data-sz-template="{templates["case"].pk}"' not in page
    assert f'data-sz-template="{templates["other"].pk}"' not in page
    assert world.community.name in page  # {社区} filled in the offered text
    post(client, world, template=str(templates["text"].pk))
    entry = DisclosureEntry.objects.get(title="三季度财务公开")
    assert entry.template == templates["text"]
    assert entry.body.startswith(world.community.name) and "2026年第三季度财务收支" in entry.body


@pytest.mark.parametrize("which", ["case", "other"])
def test_a_template_of_another_kind_or_community_is_refused(client, world, staff, templates, which):
    client.force_login(staff)
    resp = post(client, world, template=str(templates[which].pk))
    assert "所选答复模板不可用" in resp.content.decode()
    assert not DisclosureEntry.objects.filter(title="三季度财务公开").exists()


def test_without_a_template_nothing_is_recorded(client, world, staff):
    client.force_login(staff)
    post(client, world)
    assert DisclosureEntry.objects.get(title="三季度财务公开").template is None
