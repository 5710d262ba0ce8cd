import pytest

from shanzhi.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_step_is_idempotent():
    from shanzhi.consultation.demo import build
    from shanzhi.consultation.models import ConsultationRule, Topic
    from shanzhi.disclosure.models import DisclosureEntry, LedgerLine
    from shanzhi.regions.demo import build as build_regions

    ctx = DemoContext(persons=0, stdout=lambda s: None)
    build_regions(ctx=ctx)
    build(ctx=ctx)
    counts = (Topic.objects.count(), ConsultationRule.objects.count(), DisclosureEntry.objects.count(),
              LedgerLine.objects.count())
    build(ctx=ctx)
    assert counts == (Topic.objects.count(), ConsultationRule.objects.count(), DisclosureEntry.objects.count(),
                      LedgerLine.objects.count())
    assert set(Topic.objects.values_list("state", flat=True)) >= {"proposed", "review", "deliberation",
                                                                   "implementation", "published"}
    assert Topic.objects.get(title="文盛宾馆改造为社区老年公寓").region_code == "321002004002"
