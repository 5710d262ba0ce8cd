"""The demo step: open cases carry a location inside their own grid, so the dashboard map shows them."""

import pytest

from shanzhi.accounts.demo import build as accounts
from shanzhi.cases import choices as c
from shanzhi.cases.demo import build as cases
from shanzhi.cases.models import Case
from shanzhi.core.demo import DemoContext
from shanzhi.regions.demo import build as regions
from shanzhi.regions.geo import contains
from shanzhi.regions.models import Region

pytestmark = pytest.mark.django_db


def test_demo_cases_lie_inside_their_grid(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo logins go to a temporary folder, never to the project's var/
    ctx = DemoContext(persons=0, stdout=lambda s: None)
    regions(ctx=ctx)
    accounts(ctx=ctx)
    cases(ctx=ctx)
    boundaries = dict(Region.objects.filter(code__in=ctx.data["grids"]).values_list("code", "boundary"))
    open_cases = list(Case.objects.filter(state__in=c.OPEN_STATES).values_list("region_code", "lat", "lng"))
    assert len(open_cases) > 30
    outside = [(code, lat, lng) for code, lat, lng in open_cases if not contains(boundaries[code], lat, lng)]
    assert outside == []
