"""Volunteering API (mounted at /api/volunteering/): the caller's own points and service, the
activities and rankings in the caller's scope. Reads go through the same selectors as the pages."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema

from shanzhi.core.params import Month, RegionCode, Year

from . import selectors

router = Router(tags=["志愿服务"])


class MeOut(Schema):
    volunteer: bool
    verified: bool
    points: int
    hours: float
    activities: int


class ActivityOut(Schema):
    id: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    slots: int
    approved: int
    points_per_hour: int
    region_code: str


class RankOut(Schema):
    name: str
    hours: float
    points: int
    activities: int


def _actor(request):
    """The signed-in user (session) or the user a token stands for."""
    auth = getattr(request, "auth", None)
    return auth if hasattr(auth, "pk") else request.user


@router.get("/me", response=MeOut, summary="我的志愿服务与积分")
def me(request):
    actor = _actor(request)
    volunteer = selectors.my_volunteer(actor=actor)
    served = [s for s in selectors.my_signups(actor=actor) if s.checked_out_at]
    return {"volunteer": volunteer is not None, "verified": bool(volunteer and volunteer.verified),
            "points": selectors.my_points(actor=actor), "hours": float(sum(s.hours for s in served)),
            "activities": len(served)}


@router.get("/activities", response=list[ActivityOut], summary="范围内的志愿活动（最多200条）")
def activities(request, state: str = ""):
    return list(selectors.activity_list(actor=_actor(request), state=state)[:200])


@router.get("/rankings", response=list[RankOut], summary="服务时长排行（月度或年度，按社区）")
def rankings(request, year: Year | None = None, month: Month | None = None, region: RegionCode = ""):
    year = year or timezone.localtime().year
    rows = selectors.ranking(actor=_actor(request), year=year, month=month, region_code=region)
    return [{"name": r["volunteer__person__name"], "hours": float(r["hours"]), "points": r["points"] or 0,
             "activities": r["activities"]} for r in rows]
