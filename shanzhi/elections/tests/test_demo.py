"""The demo steps of 帮教 and 社区直选: records at each risk level seen only by their roles; a finished election
with a runoff and a write-in winner, published on 阳光五务; both idempotent."""

import pytest

from shanzhi.accounts.demo import build as accounts
from shanzhi.accounts.models import User
from shanzhi.core.demo import DemoContext
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.elections.demo import build as elections
from shanzhi.elections.models import Election, Result
from shanzhi.regions.demo import build as regions
from shanzhi.registry.demo import build as registry
from shanzhi.support.demo import build as support
from shanzhi.support.models import Record

pytestmark = pytest.mark.django_db


def test_demo_steps(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    ctx = DemoContext(persons=1500, stdout=lambda s: None)
    for step in (regions, accounts, registry, support, elections):
        step(ctx=ctx)
    risks = set(Record.objects.exclude(state="closed").values_list("risk", flat=True))
    assert risks == {"high", "medium", "low"} and Record.objects.filter(state="closed").exists()
    users = {u.username: u for u in User.objects.all()}
    assert Record.objects.restrict(users["safety_officer"], "view").count() == Record.objects.count()
    assert Record.objects.restrict(users["grid_worker"], "view").count() == Record.objects.count()  # responsible
    for outsider in ("community_staff", "street_manager", "department_viewer", "resident", "other_staff"):
        assert not Record.objects.restrict(users[outsider], "view").exists(), outsider
    e = Election.objects.get()
    assert e.stage == "published" and e.round == 2
    assert Result.objects.filter(election=e, elected=True, write_in=True).exists()
    assert Result.objects.filter(election=e, round=2, elected=True).exists()
    assert DisclosureEntry.objects.get(pk=e.disclosure_entry_id).state == "published"
    counts = (Record.objects.count(), Election.objects.count(), Result.objects.count())
    support(ctx=ctx)
    elections(ctx=ctx)
    assert (Record.objects.count(), Election.objects.count(), Result.objects.count()) == counts
