"""Reads of the resident portal, always with the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from shanzhi.cases.models import CaseHistory, Category
from shanzhi.cases.permissions import COLLECTOR_ROLES
from shanzhi.cases.selectors import cases_to_rate_for
from shanzhi.consultation.choices import Stage
from shanzhi.consultation.selectors import open_surveys, topic_list
from shanzhi.core.roles import Role
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region
from shanzhi.registry import choices as rc
from shanzhi.registry.changes import diff_rows, my_change_requests
from shanzhi.registry.models import Building, ChangeSource, Person, Unit
from shanzhi.registry.permissions import can_act_for
from shanzhi.volunteering.selectors import open_activities, store_items

from .models import BindingRequest, RequestState
from .services import person_of

__all__ = ["person_of"]


def communities_for_binding() -> QuerySet[Region]:
    """The communities a resident may send a binding request to (the list on the binding page)."""
    return Region.objects.filter(level=Level.COMMUNITY).order_by("code")


def my_binding_request(*, actor) -> BindingRequest | None:
    return BindingRequest.objects.filter(user_id=actor.pk).order_by("-created_at").first()


def binding_request_list(*, actor, state: str = RequestState.PENDING) -> QuerySet[BindingRequest]:
    qs = BindingRequest.objects.restrict(actor, "view").select_related("user")
    return qs.filter(state=state) if state in RequestState.values else qs


def my_corrections(*, actor) -> list[dict]:
    """The resident's ten latest correction requests (registry change requests they made), each with its
    field-by-field rows (a phone masked)."""
    return [{"req": req, "rows": diff_rows(req)}
            for req in my_change_requests(actor=actor, source=ChangeSource.RESIDENT)[:10]]


def my_household(*, actor) -> tuple[Person | None, list[Person]]:
    """The actor's own registry record and the living members of their household (shown masked)."""
    me = person_of(actor)
    if me is None:
        return None, []
    if me.household_id is None:
        return me, [me]
    members = list(Person.objects.filter(household_id=me.household_id, status=rc.PersonStatus.LIVING)
                   .select_related("household").order_by("birth_date", "pk"))
    members.sort(key=lambda p: p.relation_to_head != rc.Relation.HEAD)  # the head first, then by age
    return me, members


def building_roster(*, actor) -> list[tuple[object, list[Person]]]:
    """楼栋长: the buildings whose captain is the actor's own registry record, each with its living residents
    (masked, read-only). Only those buildings, whatever other grants the actor holds."""
    me = person_of(actor)
    prefixes = prefixes_for_roles(actor, {Role.BUILDING_CAPTAIN})
    if me is None or not prefixes:
        return []
    buildings = list(Building.objects.filter(prefix_q("region_code", prefixes), captain=me)
                     .select_related("estate").order_by("name"))
    out = []
    for b in buildings:
        residents = list(Person.objects.filter(dwelling__building=b, status=rc.PersonStatus.LIVING)
                         .select_related("dwelling").order_by("dwelling__entrance", "dwelling__room", "pk"))
        out.append((b, residents))
    return out


def collect_grids(*, actor) -> QuerySet[Region]:
    """The grids where the actor may file a case for someone else (their grants' grids)."""
    prefixes = prefixes_for_roles(actor, COLLECTOR_ROLES)
    if not prefixes:
        return Region.objects.none()
    return Region.objects.filter(prefix_q("code", prefixes), level=Level.GRID).order_by("code")


def collect_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True, children__isnull=True).order_by("code")


def my_collected(*, actor, limit: int = 20) -> list[CaseHistory]:
    """The cases the actor filed for others, newest first (their first history entries)."""
    return list(CaseHistory.objects.filter(actor_id=actor.pk, action="report").select_related("case")
                .order_by("-at", "-id")[:limit])


def my_units(*, actor) -> QuerySet[Unit]:
    """专属网格员: the units they are assigned to."""
    return Unit.objects.filter(dedicated_worker_id=actor.pk).order_by("name")


def proxy_members(*, actor) -> list[Person]:
    """The household members the actor may act for (household head; members without an account)."""
    members = [p for p in my_household(actor=actor)[1] if can_act_for(actor, p, "support")[0]]
    for p in members:  # the member's own cases awaiting a rating (a handful per household)
        p.to_rate = list(cases_to_rate_for(actor=actor, person=p)[:10])
    return members


def proxy_choices(*, actor) -> dict:
    """What a head can do for the members: topics open for support in the community, the store's items."""
    return {"topics": list(topic_list(actor=actor, stage=Stage.PROPOSED)[:20]),
            "items": list(store_items(actor=actor)[:20]), "activities": list(open_activities(actor=actor)[:20]),
            "surveys": list(open_surveys(actor=actor)[:20])}
