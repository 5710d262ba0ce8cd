"""Reads of party organisation, always with the actor."""

from __future__ import annotations

from django.db.models import Count

from shanzhi.ledger.models import Account
from shanzhi.registry.models import Person

from .choices import RecordState
from .models import CoBuildingUnit, JointMeeting, MemberHousehold, PartyMember, PartyOrg, ServiceRecord


def org_tree(*, actor) -> list[dict]:
    """The organisations in scope as nested nodes {org, children, members}, roots first."""
    orgs = list(PartyOrg.objects.restrict(actor, "view").annotate(n=Count("members")).order_by("level", "name"))
    nodes = {o.pk: {"org": o, "children": []} for o in orgs}
    roots = []
    for o in orgs:
        parent = nodes.get(o.parent_id)
        (parent["children"] if parent else roots).append(nodes[o.pk])
    return roots


def member_list(*, actor, category: str = ""):
    qs = PartyMember.objects.restrict(actor, "view").select_related("person", "org").order_by("org__name", "pk")
    return qs.filter(category=category) if category else qs


def party_points(members) -> dict[int, int]:
    """Party-ledger balances of the given members' persons, by person id (one query)."""
    return dict(Account.objects.filter(ledger="party", person_id__in=[m.person_id for m in members])
                .values_list("person_id", "balance"))


def pending_records(*, actor):
    return (ServiceRecord.objects.restrict(actor, "view").filter(state=RecordState.PENDING)
            .select_related("member__person"))


def co_building_units(*, actor):
    return CoBuildingUnit.objects.restrict(actor, "view").select_related("joint_committee").order_by("name")


def joint_meetings(*, actor):
    return JointMeeting.objects.restrict(actor, "view").select_related("joint_committee").prefetch_related("units")


def member_candidates(*, actor, org, limit: int = 200):
    """Registry persons in the organisation's region who are party members by political status and not yet
    on the roll (for the add-member form)."""
    return (Person.objects.restrict(actor, "view").filter(region_code__startswith=org.region_code,
                                                          political_status__in=["party_member", "probationary"],
                                                          party_member__isnull=True)
            .order_by("name")[:limit])


def my_member(*, actor) -> PartyMember | None:
    """The actor's own party record (through their bound registry person), whatever their grants."""
    return (PartyMember.objects.filter(person__user_id=actor.pk).select_related("person", "org").first()
            if getattr(actor, "is_authenticated", False) else None)


def my_contact_households(*, member):
    """联系户: the households the member serves, with their head (shown masked)."""
    return (MemberHousehold.objects.filter(member=member)
            .select_related("household__head", "household__dwelling__building").order_by("pk"))


def my_records(*, member, limit: int = 20):
    return ServiceRecord.objects.filter(member=member).order_by("-happened_on", "-id")[:limit]
