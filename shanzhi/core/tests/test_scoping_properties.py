"""Prefix scoping at code boundaries: a grant's index range holds exactly the codes under it.

`restrict()` turns a grant's code prefix into `code >= low AND code < high`. The range must not hold a
code of any length that is not under the grant — the trouble sits next to prefixes ending in 9s, where
the raised prefix (3210029 → 3210030) lets a shorter code (321003) slip in between.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shanzhi.core.scoping import minimal_prefixes, prefix_q, prefix_range
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

digits = st.text(alphabet="0123456789", min_size=1, max_size=15)


def in_range(code: str, prefix: str) -> bool:
    low, high = prefix_range(prefix)
    return code >= low and (high is None or code < high)


@given(prefix=digits, code=digits)
@example(prefix="3210029", code="321003")
@example(prefix="321002999", code="321003")
@example(prefix="321002999", code="3210030")
@example(prefix="99", code="991")
@example(prefix="09", code="1")
def test_a_code_is_in_a_grants_range_exactly_when_it_is_under_the_grant(prefix, code):
    assert in_range(code, prefix) == code.startswith(prefix)


@given(prefix=digits, tail=st.text(alphabet="0123456789", max_size=6))
def test_every_code_under_a_grant_is_in_its_range(prefix, tail):
    assert in_range(prefix + tail, prefix)


@given(prefixes=st.lists(digits, max_size=5), code=digits)
def test_minimal_prefixes_cover_the_same_codes(prefixes, code):
    assert any(code.startswith(p) for p in minimal_prefixes(prefixes)) == any(code.startswith(p) for p in prefixes)


BOUNDARY_CODES = ["321002", "3210029", "321002999", "3210029991", "321003", "3210030", "32100300", "3210",
                  "321002998", "321002999001", "32100299", "4", "9", "99", "990"]


@pytest.mark.django_db
@pytest.mark.parametrize("grant", ["3210029", "321002999", "32100299", "321002998", "99", "9"])
def test_the_database_range_agrees_at_the_boundary(grant):
    """The same ranges on the database's own collation (run on SQLite and PostgreSQL)."""
    Region.objects.bulk_create([Region(code=code, name=code, level=Level.GRID) for code in BOUNDARY_CODES])
    found = set(Region.objects.filter(code__in=BOUNDARY_CODES).filter(prefix_q("code", [grant]))
                .values_list("code", flat=True))
    assert found == {code for code in BOUNDARY_CODES if code.startswith(grant)}
