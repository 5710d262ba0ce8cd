"""Every read of the consultation app, always with the actor."""

from __future__ import annotations

from django.db.models import Count, Q

from shanzhi.core.scope import grants_of
from shanzhi.core.scoping import COMMUNITY_CODE_LEN, prefix_q
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from .choices import PUBLIC_STAGES, EvaluationState, MeetingState, Source, Stage
from .models import EvaluationSurvey, Meeting, Survey, Topic
from .rules import effective_rules
from .search import search


def actor_communities(*, actor):
    """Communities the actor works or lives in (a street grant gives all its communities)."""
    codes = {code[:COMMUNITY_CODE_LEN] for _role, code in grants_of(actor)}
    if not codes:
        return Region.objects.none()
    return Region.objects.filter(level=Level.COMMUNITY).filter(prefix_q("code", codes)).order_by("code")


def topic_list(*, actor, stage: str = "", q: str = "", community: str = ""):
    qs = Topic.objects.restrict(actor, "view").select_related("rule")
    if community:
        qs = qs.filter(region_code=community)
    if stage:
        qs = qs.filter(state=stage)
    else:  # merged topics point to the surviving one; the list shows that one (the 已合并 stage filter finds them)
        qs = qs.exclude(state=Stage.MERGED)
    if q:
        qs = search(qs, q)
    return qs.order_by("-created_at", "-id")


def open_surveys(*, actor):
    """Surveys of topics in 群议 that the actor sees (the proxy page offers them for a household member)."""
    return (Survey.objects.filter(topic__in=topic_list(actor=actor, stage=Stage.DELIBERATION).values("pk"))
            .select_related("topic").order_by("-created_at"))


def stage_counts(*, actor) -> dict[str, int]:
    rows = Topic.objects.restrict(actor, "view").values("state").annotate(n=Count("id")).order_by()
    return {r["state"]: r["n"] for r in rows}


def topic_comments(*, actor, topic: Topic, staff: bool):
    qs = topic.comments.select_related("author")
    return qs if staff else qs.filter(Q(hidden=False) | Q(author=actor))


def rules_for(*, actor, community_code: str):
    if not actor_communities(actor=actor).filter(code=community_code).exists():
        return []
    return sorted(effective_rules(community_code).values(), key=lambda r: r.matter_type)


def meeting_list(*, actor, staff: bool):
    qs = Meeting.objects.restrict(actor, "view")
    return qs if staff else qs.exclude(state=MeetingState.DRAFT)


def evaluation_list(*, actor):
    return EvaluationSurvey.objects.restrict(actor, "view")


def review_count(*, actor) -> int:
    """Topics waiting for the committee's review (合议) that the actor sees: a workbench counter."""
    return Topic.objects.restrict(actor, "view").filter(state=Stage.REVIEW).count()


def topic_from_case(*, actor, case_id) -> Topic | None:
    """The topic a case (民情) was escalated into, if the actor may see it."""
    return Topic.objects.restrict(actor, "view").filter(source_kind=Source.CASE, source_id=str(case_id)).first()


def public_topics(*, community_code: str):
    """Consultation outcomes for the public disclosure page: no personal data, only stage and results."""
    return (Topic.objects.filter(region_code=community_code, state__in=PUBLIC_STAGES).select_related("rule")
            .prefetch_related("tasks"))


def public_evaluations(*, community_code: str):
    return EvaluationSurvey.objects.filter(Q(region_code=community_code) | Q(region_code=community_code[:9]),
                                           state=EvaluationState.PUBLISHED)


__all__ = ["Stage"]
