"""Every read of 帮教, always with the actor. Records reach only the purpose-bound roles, the team and live
glass grants (Record.scope_strategies); statistics leave as counts only."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.core.pii import blind_index
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.registry.models import Person

from . import choices as c
from .models import (
    PURPOSE_ROLES,
    STATS_ROLES,
    TEAM_ROLES,
    Category,
    GlassGrant,
    Record,
    RecordRef,
    TeamMember,
    Visit,
)

# Below this many, a statistics cell shows "<3" (a count of one in a small grid points at a person).
SMALL_CELL = 3


def role_holders(role: str, code: str) -> list[User]:
    """Active users holding `role` on a region containing `code` (the grid's 网格长, the security admins)."""
    codes = [code[:n] for n in range(1, len(code) + 1)]
    return list(User.objects.filter(is_active=True, pk__in=RoleGrant.objects.filter(role=role, region_code__in=codes)
                                    .values("user_id")).order_by("pk"))


def record_list(*, actor, state: str | None = None, risk: str | None = None) -> QuerySet[Record]:
    qs = Record.objects.restrict(actor, "view").select_related("category", "person", "responsible")
    if state:
        qs = qs.filter(state=state)
    if risk:
        qs = qs.filter(risk=risk)
    return qs.order_by("state", "-risk", "pk")


def record_get(*, actor, pk) -> Record | None:
    return Record.objects.restrict(actor, "view").select_related("category", "person", "responsible").filter(pk=pk).first()


def record_ref_get(*, actor, pk) -> RecordRef | None:
    """The record as a door (reference only) for staff of its region."""
    return RecordRef.objects.restrict(actor, "view").filter(pk=pk).first()


def holds_glass(*, actor, record) -> bool:
    """True when the actor sees the record only through a live glass grant."""
    direct = Record.objects.restrict(actor, "change").filter(pk=record.pk).exists()
    return not direct and record.glass_grants.filter(user=actor, expires_at__gt=timezone.now()).exists()


def may(*, actor, record, action: str) -> bool:
    return Record.objects.restrict(actor, action).filter(pk=record.pk).exists()


def team_of(*, actor, record) -> list[TeamMember]:
    return list(record.team.filter(active=True).select_related("user"))


def team_member(*, actor, record, pk) -> TeamMember | None:
    return record.team.filter(active=True, pk=int(pk)).first() if str(pk).isdigit() else None


def plans_of(*, actor, record):
    return list(record.plans.all()[:20])


def reviews_of(*, actor, record):
    return list(record.reviews.select_related("reviewer")[:20])


def visits_of(*, actor, record):
    return list(record.visits.select_related("responsible", "done_by").order_by("-due_on", "-pk")[:30])


def open_visit(*, actor, record) -> Visit | None:
    return record.visits.filter(done_at__isnull=True).first()


def my_due_visits(*, actor, within_days: int = 7) -> QuerySet[Visit]:
    """Open visits of records the actor works on (changes), due within `within_days` or overdue."""
    horizon = timezone.localdate() + timezone.timedelta(days=within_days)
    return (Visit.objects.restrict(actor, "change").filter(done_at__isnull=True, due_on__lte=horizon)
            .filter(Q(responsible=actor) | Q(record__in=Record.objects.restrict(actor, "manage").values("pk")))
            .select_related("record", "record__category", "record__person").order_by("due_on", "pk"))


def overdue_count(*, actor) -> int:
    return my_due_visits(actor=actor).filter(due_on__lt=timezone.localdate()).count()


def visit_get(*, actor, pk) -> Visit | None:
    return Visit.objects.restrict(actor, "change").select_related("record").filter(pk=pk).first()


def categories() -> list[Category]:
    return list(Category.objects.filter(active=True))


def subject_by_id_number(*, actor, id_number: str) -> Person | None:
    """The person a new record is about, found by ID number among the persons of the regions where the actor
    holds a purpose-bound role (the registry's own scope does not name 综治专干)."""
    digest = blind_index((id_number or "").strip().upper(), purpose="id_number")
    prefixes = prefixes_for_roles(actor, PURPOSE_ROLES)
    if not digest or not prefixes:
        return None
    return Person.objects.filter(prefix_q("region_code", prefixes), id_number_hash=digest).first()


def team_candidates(*, actor, code: str) -> list[User]:
    """Platform users with a team role on a region containing, or inside, the record's community."""
    community = code[:12]
    codes = [community[:n] for n in range(1, len(community) + 1)]
    grants = RoleGrant.objects.filter(Q(region_code__in=codes) | Q(region_code__startswith=community),
                                      role__in=TEAM_ROLES)
    return list(User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("username")[:200])


def purpose_prefixes(*, actor) -> list[str]:
    return prefixes_for_roles(actor, PURPOSE_ROLES)


def team_candidates_for(*, actor) -> list[User]:
    """Possible responsible workers for a new record: team-role users in the actor's purpose regions."""
    prefixes = purpose_prefixes(actor=actor)
    if not prefixes:
        return []
    codes = {p[:n] for p in prefixes for n in range(1, len(p) + 1)}
    grants = RoleGrant.objects.filter(prefix_q("region_code", prefixes) | Q(region_code__in=codes),
                                      role__in=TEAM_ROLES)
    return list(User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("username")[:200])


def statistics(*, actor) -> dict:
    """Counts only: by category and risk, in the regions where the actor holds a purpose-bound role. Small
    cells are shown as "<3"."""
    prefixes = prefixes_for_roles(actor, STATS_ROLES)
    if not prefixes:
        return {"rows": [], "total": 0}
    qs = Record.objects.filter(prefix_q("region_code", prefixes)).exclude(state=c.State.CLOSED)
    cells = {(r["category__name"], r["risk"]): r["n"]
             for r in qs.values("category__name", "risk").annotate(n=Count("pk")).order_by()}
    rows = []
    for cat in Category.objects.all():
        counts = [cells.get((cat.name, risk), 0) for risk in (c.Risk.HIGH, c.Risk.MEDIUM, c.Risk.LOW)]
        if any(counts):
            rows.append({"category": cat.name, "counts": [_cell(n) for n in counts], "total": _cell(sum(counts))})
    return {"rows": rows, "total": _cell(sum(cells.values()))}


def _cell(n: int) -> str:
    return str(n) if n == 0 or n >= SMALL_CELL else f"<{SMALL_CELL}"


def glass_log(*, actor, unseen_only: bool = False) -> QuerySet[GlassGrant]:
    """Break-the-glass events in the security admin's regions."""
    qs = GlassGrant.objects.restrict(actor, "view").select_related("user", "record",
                                                                                    "seen_by_security")
    return qs.filter(seen_at__isnull=True) if unseen_only else qs


def glass_get(*, actor, pk) -> GlassGrant | None:
    return glass_log(actor=actor).filter(pk=pk).first()


def my_glass(*, actor) -> QuerySet[GlassGrant]:
    return GlassGrant.objects.filter(user=actor, expires_at__gt=timezone.now()).select_related("record")
