"""Cases in the duplicate engine (core.similarity): their tokens, their candidate query, and following an
existing case instead of filing a new one.

Candidates are open, unmerged cases in the same community as the grid being reported, in the same building
or within RADIUS_M — on PostgreSQL read from a partial covering index of open cases (migration 0007: region
code, tokens, place; no heap visits) and narrowed to those sharing a word with the query; the engine scores
the rows left (about a thousand at most) in Python.
Residents and anonymous reporters see only cases of public categories; staff see the cases in their scope.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import BooleanField, Count, Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.scope import user_roles
from shanzhi.core.scoping import COMMUNITY_CODE_LEN, prefix_q
from shanzhi.core.similarity import (
    RADIUS_M,
    Candidate,
    Query,
    bbox,
    haversine_m,
    register_kind,
    stored_tokens,
    token_string,
    tokenize,
)

from . import choices as c
from .models import CASE_ROLES, Case, CaseFollower, CaseHistory

KIND = "case"
CAP = 1000  # rows scored per keystroke at most, newest first
ROW = ("id", "similar_tokens", "lat", "lng", "building_id")
# PostgreSQL: shares a word with the query (rows not yet indexed stay candidates)
SHARES_SQL = "(string_to_array(cases_case.similar_tokens, ' ') && %s::text[] OR cases_case.similar_tokens = '')"


def index_case(sender, instance: Case, **kwargs) -> None:
    """pre_save: the search-index chore of a case — its tokens, from title and description."""
    instance.similar_tokens = token_string(instance.title, instance.description)


def is_staff(actor) -> bool:
    return bool(actor is not None and actor.is_authenticated and user_roles(actor) & set(CASE_ROLES["view"]))


def visible_cases(actor):
    """Staff: the cases in their scope; anyone else (residents, anonymous): cases of public categories only."""
    if is_staff(actor):
        return Case.objects.restrict(actor, "view")
    return Case.objects.filter(category__is_public=True)


def _place_q(query: Query) -> Q | None:
    q = None
    if len(query.region_code) >= COMMUNITY_CODE_LEN:
        q = prefix_q("region_code", [query.region_code[:COMMUNITY_CODE_LEN]])
    if query.building_id:
        q = Q(building_id=query.building_id) if q is None else q | Q(building_id=query.building_id)
    if query.lat is not None and query.lng is not None:
        lat_range, lng_range = bbox(query.lat, query.lng, RADIUS_M)
        near = Q(lat__range=lat_range, lng__range=lng_range)
        q = near if q is None else q | near
    return q


def candidate_rows(actor, query: Query, *, exclude_pk: int | None = None):
    """The scoped, open, unmerged cases near the query, as a queryset (at most CAP rows are read)."""
    place = _place_q(query)
    if place is None:
        return Case.objects.none()
    qs = visible_cases(actor).filter(place, state__in=c.OPEN_STATES, duplicate_of__isnull=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if connection.vendor == "postgresql" and query.tokens:
        # constant SQL; the words are parameters
        shares = RawSQL(SHARES_SQL, [sorted(query.tokens)], output_field=BooleanField())  # noqa: S611
        qs = qs.alias(shares=shares).filter(shares=True)
    return qs.order_by("-created_at", "-id")


def case_candidates(actor, query: Query):
    """Bare rows (id, tokens, place) to score; the engine loads the few it shows (`load_cases`)."""
    rows = candidate_rows(actor, query, exclude_pk=query.extra.get("exclude"))
    for pk, tokens, lat, lng, building_id in rows.values_list(*ROW)[:CAP]:
        tokens = stored_tokens(tokens) or _unindexed_tokens(pk)
        distance = None
        if query.lat is not None and query.lng is not None and lat is not None and lng is not None:
            distance = round(haversine_m(query.lat, query.lng, lat, lng))
        yield Candidate(pk, tokens, distance, bool(query.building_id and building_id == query.building_id))


def _unindexed_tokens(pk: int) -> frozenset[str]:
    """A row written before the tokens column (or by a bulk path that skipped save): tokenized now."""
    title, description = Case.objects.filter(pk=pk).values_list("title", "description").get()
    return tokenize(f"{title} {description}")


def load_cases(ids) -> dict:
    return Case.objects.select_related("category").in_bulk(list(ids))


def follower_counts(case_ids) -> dict[int, int]:
    return dict(CaseFollower.objects.filter(case_id__in=list(case_ids)).values_list("case_id")
                .annotate(n=Count("id")).order_by())


def can_follow(actor, case: Case) -> tuple[bool, str]:
    if actor is None or not actor.is_authenticated:
        return False, _("登录后可以关注这件民情")
    if not case.is_open or case.duplicate_of_id:
        return False, _("这件民情已办结或已合并，不能再关注")
    if case.reporter_user_id == actor.pk:
        return False, _("这是您自己反映的民情")
    if not visible_cases(actor).filter(pk=case.pk).exists():
        return False, _("这件民情不对居民公开")
    return True, ""


@transaction.atomic
def case_follow(*, actor, case: Case) -> Case:
    """“我也遇到这个问题”: follow an existing open case instead of filing a new one. The follower gets the
    case's feedback (cases.services.reporters) and sees it under “我的反映”; no case is created."""
    ok, reason = can_follow(actor, case)
    if not ok:
        raise NotAllowed(reason)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _follower, created = CaseFollower.objects.get_or_create(case=case, user=actor)
    if not created:
        raise ServiceError(_("您已经关注了这件民情"))
    CaseHistory.objects.create(case=case, action="follow", label=_("居民关注"), from_state=case.state,
                               to_state=case.state, actor=actor, actor_name=str(actor),
                               note=_("另一位居民反映了同一问题，已关注本件"), public=False, at=timezone.now())
    audit_log(actor=actor, action="case.follow", obj=case, after={"via": "duplicate_suggestion"})
    return case


def register() -> None:
    pre_save.connect(index_case, sender=Case, dispatch_uid="cases.duplicates.index_case")
    register_kind(KIND, case_candidates, "cases/partials/similar_case.html", load=load_cases)
