"""Every read of volunteering and the store, always with the actor."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from shanzhi.core.scoping import prefix_q
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.selectors import balance_of
from shanzhi.registry.models import Person

from .choices import ActivityState, OrderState, RequestState, SignUpState
from .models import Activity, Donation, LateCheckRequest, Order, SignUp, StoreItem, Volunteer, VolunteerTeam


def person_of(actor):
    """The registry person linked to a resident's account, or None."""
    if not getattr(actor, "is_authenticated", False):
        return None
    return Person.objects.filter(user=actor).first()


def my_volunteer(*, actor) -> Volunteer | None:
    return Volunteer.objects.restrict(actor, "own").select_related("person").first()


def my_points(*, actor) -> int:
    person = person_of(actor)
    return balance_of(person=person, ledger=Ledger.VOLUNTEER) if person else 0


def my_signups(*, actor):
    return (SignUp.objects.restrict(actor, "own").select_related("activity").order_by("-activity__starts_at"))


def my_orders(*, actor):
    return Order.objects.restrict(actor, "own").select_related("item")


def open_activities(*, actor):
    """Activities of the resident's community still open for sign-up."""
    return (Activity.objects.restrict(actor, "join").filter(state=ActivityState.OPEN, ends_at__gt=timezone.now())
            .annotate(taken=Count("signups", filter=Q(signups__state=SignUpState.APPROVED)))
            .order_by("starts_at"))


def store_items(*, actor, action: str = "join"):
    return StoreItem.objects.restrict(actor, action).filter(active=True) if action == "join" else \
        StoreItem.objects.restrict(actor, action)


def activity_list(*, actor, state: str = ""):
    qs = (Activity.objects.restrict(actor, "view").select_related("team", "organiser")
          .annotate(pending=Count("signups", filter=Q(signups__state=SignUpState.PENDING)),
                    approved=Count("signups", filter=Q(signups__state=SignUpState.APPROVED))))
    return qs.filter(state=state) if state else qs


def activity_signups(*, actor, activity: Activity):
    return (SignUp.objects.restrict(actor, "view").filter(activity=activity)
            .select_related("volunteer__person").order_by("state", "created_at"))


def volunteer_list(*, actor, pending_only: bool = False):
    qs = Volunteer.objects.restrict(actor, "view").select_related("person").prefetch_related("skills")
    return qs.filter(verified_at__isnull=True) if pending_only else qs.order_by("-registered_at")


def team_list(*, actor):
    return VolunteerTeam.objects.restrict(actor, "view").annotate(n=Count("members")).order_by("region_code", "name")


def late_requests(*, actor):
    return (LateCheckRequest.objects.restrict(actor, "view").filter(state=RequestState.PENDING)
            .select_related("signup__activity", "signup__volunteer__person"))


def open_orders(*, actor):
    return Order.objects.restrict(actor, "view").filter(state=OrderState.FROZEN).select_related("item", "person")


def public_donations(*, region_code: str = ""):
    """社会捐赠 disclosure: public rows only."""
    qs = Donation.objects.filter(public=True)
    return qs.filter(prefix_q("region_code", [region_code])) if region_code else qs


def period_bounds(year: int, month: int | None):
    tz = timezone.get_current_timezone()
    if month:
        start = datetime(year, month, 1, tzinfo=tz)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    else:
        start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    return start, end


def ranking(*, actor, year: int, month: int | None = None, region_code: str = "", team=None, limit: int = 20):
    """Monthly or yearly ranking by service hours: one aggregate query on sign-ups, answered from the
    covering (region_code | team, checked_out_at, volunteer, hours, points) index; then the names of the
    top rows."""
    start, end = period_bounds(year, month)
    qs = SignUp.objects.restrict(actor, "view").filter(checked_out_at__gte=start, checked_out_at__lt=end,
                                                       hours__gt=0)
    if region_code:
        qs = qs.filter(prefix_q("region_code", [region_code]))
    if team is not None:
        qs = qs.filter(team=team)
    rows = list(qs.values("volunteer_id").annotate(hours=Sum("hours"), points=Sum("points"),
                                                  activities=Count("volunteer_id"))
                .order_by("-hours", "-points", "volunteer_id")[:limit])
    names = dict(Volunteer.objects.filter(pk__in=[r["volunteer_id"] for r in rows])
                 .values_list("pk", "person__name"))
    for r in rows:
        r["volunteer__person__name"] = names.get(r["volunteer_id"], "")
    return rows


def hours_export_rows(*, actor, year: int, month: int | None = None):
    start, end = period_bounds(year, month)
    qs = (SignUp.objects.restrict(actor, "view").filter(checked_out_at__gte=start, checked_out_at__lt=end)
          .select_related("activity", "volunteer__person").order_by("checked_out_at"))
    for s in qs.iterator(chunk_size=2000):
        yield [s.volunteer.person.name, s.activity.title, timezone.localtime(s.checked_in_at).strftime("%Y-%m-%d %H:%M")
               if s.checked_in_at else "", timezone.localtime(s.checked_out_at).strftime("%Y-%m-%d %H:%M"),
               float(s.hours), s.points, s.region_code]
