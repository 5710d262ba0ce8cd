"""Every read of 考核, always with the actor (public ones say so in their name)."""

from __future__ import annotations

from django.db.models import Count, Q

from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.regions.models import Region

from .choices import RoundState
from .models import COMMUNITY, DISTRICT, Appeal, Merit, Result, Round, SampleMember, Scheme, Survey, Target


def scheme_list(*, actor):
    return Scheme.objects.restrict(actor, "view").annotate(n=Count("indicators"))


def round_list(*, actor):
    return Round.objects.restrict(actor, "view").select_related("scheme")


def my_targets(*, actor):
    """Targets a third-party assessor was assigned."""
    return Target.objects.restrict(actor, "view").filter(assignments__user=actor).select_related("round__scheme")


def ratable_targets(*, actor):
    """Targets of bottom-up rounds that a community may rate (its street and the departments over it)."""
    return (Target.objects.restrict(actor, "score").filter(round__scheme__direction="bottom_up")
            .exclude(round__state=RoundState.PUBLISHED).select_related("round"))


def ranking(*, actor, round_: Round):
    """Current results of a round, best first, as the actor may see them."""
    return (Result.objects.restrict(actor, "view").filter(round=round_, current=True).select_related("target")
            .order_by("-total", "region_code", "pk"))


def public_rounds(district_code: str = ""):
    qs = Round.objects.filter(state=RoundState.PUBLISHED).select_related("scheme").order_by("-published_at")
    return qs.filter(region_code__startswith=district_code) if district_code else qs


def public_ranking(round_: Round):
    """A published round's current results: totals and per-indicator points, never personal data (staff
    assessments are published to the district's staff only, so a public page shows no staff round)."""
    if round_.state != RoundState.PUBLISHED or round_.scheme.object_kind == "staff":
        return Result.objects.none()
    return Result.objects.filter(round=round_, current=True).select_related("target").order_by("-total", "region_code")


def result_history(*, actor, result: Result):
    return Result.objects.restrict(actor, "view").filter(target=result.target).order_by("-number")


def appeals_for(*, actor):
    return Appeal.objects.restrict(actor, "view").select_related("result__target", "indicator", "result__round")


def surveys_of(*, actor, round_: Round):
    return (Survey.objects.restrict(actor, "view").filter(round=round_)
            .annotate(sampled=Count("members", distinct=True), answered=Count("answers", distinct=True))
            .order_by("region_code"))


def sample_members(*, actor, survey: Survey):
    return (SampleMember.objects.restrict(actor, "view").filter(survey=survey)
            .select_related("person", "answer").order_by("region_code", "pk"))


def merit_list(*, actor):
    return Merit.objects.restrict(actor, "view").select_related("staff", "submitted_by")


def survey_communities(*, actor, round_: Round):
    """Communities of the round's district where the actor may draw a sample."""
    prefixes = prefixes_for_roles(actor, COMMUNITY | DISTRICT)
    if not prefixes:
        return Region.objects.none()
    return (Region.objects.filter(level="community", code__startswith=round_.region_code)
            .filter(prefix_q("code", prefixes) | Q(code__in=[p[:12] for p in prefixes])).order_by("code"))


def my_samples(*, actor):
    """The open surveys in which the actor (a resident) was sampled and has not answered yet."""
    return (SampleMember.objects.restrict(actor, "own").filter(answer__isnull=True)
            .exclude(survey__round__state=RoundState.PUBLISHED).select_related("survey__round"))
