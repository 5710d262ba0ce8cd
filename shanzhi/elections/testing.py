"""Test data for elections: one election (with a station) in the community of a grid, for the route×role
matrix. Built with the ORM (fixtures, not user writes)."""

from __future__ import annotations

import datetime as dt

from .models import Election, Seat, Station


def election_in(code: str, owner=None, **fields) -> Election:
    election = Election.objects.create(region_code=code[:12], title="测试选举", term="第一届",
                                       vote_on=dt.date(2026, 12, 20), **fields)
    Seat.objects.bulk_create([Seat(election=election, office=o, count=n)
                              for o, n in (("director", 1), ("deputy", 1), ("member", 3))])
    return election


def station_in(code: str, owner=None) -> Station:
    election = election_in(code)
    return Station.objects.create(election=election, region_code=election.region_code, name="第一投票站", code=1)


MATRIX_FACTORIES = {Election: election_in, Station: station_in}
