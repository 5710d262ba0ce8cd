"""Reads of 代办参与, each taking the actor."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.utils import timezone

from shanzhi.cases.selectors import cases_to_rate_for
from shanzhi.consultation.choices import Stage
from shanzhi.consultation.models import Survey, Topic
from shanzhi.volunteering.choices import ActivityState
from shanzhi.volunteering.models import Activity, StoreItem

from .context import acting_in
from .models import AssistedAction, AssistedSession
from .services import ancestor_codes, limits_for, start_of_today


def my_sessions(*, actor, limit: int = 20):
    """The actor's own sessions, newest first."""
    return (AssistedSession.objects.restrict(actor, "view").filter(staff=actor).select_related("person")
            .annotate(n=Count("actions"))[:limit])


def usage_today(*, actor, region_code: str) -> dict:
    limits = limits_for(region_code)
    since = start_of_today()
    return {**limits,
            "sessions": AssistedSession.objects.filter(staff=actor, started_at__gte=since).count(),
            "actions": AssistedAction.objects.filter(session__staff=actor, created_at__gte=since).count()}


def session_actions(*, actor, session: AssistedSession):
    return AssistedAction.objects.filter(session=session).select_related("disputed_by")


def session_choices(*, actor, session: AssistedSession) -> dict:
    """What the staff member may do for the person in an open session: the person's community's topics gathering
    support, open surveys, the person's own cases awaiting a rating, open activities and store items."""
    if session.staff_id != actor.pk or not session.is_open():
        return {}
    person = session.person
    community = person.region_code[:12]
    with acting_in(session):
        to_rate = list(cases_to_rate_for(actor=actor, person=person)[:20])
    return {
        "topics": Topic.objects.filter(region_code=community, state=Stage.PROPOSED).exclude(supports__person=person)
        .order_by("-pk")[:30],
        "surveys": Survey.objects.filter(topic__region_code=community, topic__state=Stage.DELIBERATION)
        .exclude(answers__person=person).order_by("-pk")[:20],
        "cases": to_rate,
        "activities": Activity.objects.filter(region_code__in=ancestor_codes(person.region_code),
                                              state=ActivityState.OPEN, ends_at__gt=timezone.now())
        .order_by("starts_at")[:20],
        "store_items": StoreItem.objects.filter(region_code__in=ancestor_codes(person.region_code), active=True,
                                          stock__gt=0).order_by("name")[:30],
    }


def review_queue(*, actor):
    """Flagged sessions not yet reviewed, in the reviewer's regions."""
    return (AssistedSession.objects.restrict(actor, "review").filter(flagged=True, reviewed_at__isnull=True)
            .select_related("person", "staff").order_by("started_at"))


def my_assisted(*, actor):
    """The signed-in resident's own assisted sessions (their bound registry record), with what was done."""
    actions = Prefetch("actions", queryset=AssistedAction.objects.order_by("created_at", "id"))
    return (AssistedSession.objects.restrict(actor, "own").select_related("staff", "head")
            .prefetch_related(actions).order_by("-started_at"))


def my_assisted_count(*, actor) -> int:
    return AssistedSession.objects.restrict(actor, "own").count()


def my_action(*, actor, pk) -> AssistedAction | None:
    return AssistedAction.objects.filter(pk=pk, session__in=AssistedSession.objects.restrict(actor, "own")).first()

