import pytest

from shanzhi.consultation.demo import build
from shanzhi.consultation.models import ConsultationRule, Topic
from shanzhi.core.demo import STEPS, DemoContext
from shanzhi.disclosure.demo import build as build_disclosure
from shanzhi.disclosure.models import DisclosureEntry, LedgerLine
from shanzhi.regions.demo import build as build_regions

pytestmark = pytest.mark.django_db


def test_demo_step_is_idempotent():
    ctx = DemoContext(persons=0, stdout=lambda s: None)
    build_regions(ctx=ctx)
    build(ctx=ctx)
    build_disclosure(ctx=ctx)
    counts = (Topic.objects.count(), ConsultationRule.objects.count(), DisclosureEntry.objects.count(),
              LedgerLine.objects.count())
    assert counts[2] and counts[3]
    build(ctx=ctx)
    build_disclosure(ctx=ctx)
    assert counts == (Topic.objects.count(), ConsultationRule.objects.count(), DisclosureEntry.objects.count(),
                      LedgerLine.objects.count())
    assert set(Topic.objects.values_list("state", flat=True)) >= {"proposed", "review", "deliberation",
                                                                   "implementation", "published"}
    assert Topic.objects.get(title="文盛宾馆改造为社区老年公寓").region_code == "321002004002"


def test_disclosure_and_party_are_demo_steps_after_the_apps_they_follow():
    order = [name for _order, name, _fn in STEPS]
    assert order.index("consultation") < order.index("disclosure")
    assert order.index("participation") < order.index("party")
