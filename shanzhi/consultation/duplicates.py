"""Consultation topics in the duplicate engine (core.similarity): the candidate query while proposing, the
merge targets a reviewer is offered, and what a merge moves to the surviving topic.

Candidates are the open, unmerged topics of the proposer's community that the actor may see
(`Topic.objects.restrict`), narrowed to those sharing a word through the indexed token table
(`SearchToken`, written by `search.reindex_topic` whenever a topic is written), the forty sharing the most
scored on their stored tokens.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.similarity import Candidate, Query, register_kind, suggest

from . import choices as c
from .models import Follow, SearchToken, Support, Topic, TopicHistory

KIND = "topic"
OPEN_STAGES = (c.Stage.PROPOSED, c.Stage.REVIEW, c.Stage.DELIBERATION, c.Stage.RESOLUTION, c.Stage.IMPLEMENTATION)
MERGEABLE = (c.Stage.PROPOSED, c.Stage.REVIEW, c.Stage.DELIBERATION)  # a merge target still takes supporters' voice
SHORTLIST = 40  # topics scored per keystroke at most: those sharing the most words


def open_topics(actor, community_code: str):
    return Topic.objects.restrict(actor, "view").filter(region_code=community_code, state__in=OPEN_STAGES,
                                                        merged_into__isnull=True)


def topic_candidates(actor, query: Query):
    community = query.region_code
    if not community:
        return
    pool = open_topics(actor, community)
    if exclude := query.extra.get("exclude"):
        pool = pool.exclude(pk=exclude)
    ids = list(SearchToken.objects.filter(topic__in=pool.values("pk"), token__in=sorted(query.tokens))
               .values("topic_id").annotate(n=Count("id")).order_by("-n", "-topic_id")
               .values_list("topic_id", flat=True)[:SHORTLIST])
    tokens: dict[int, set] = {pk: set() for pk in ids}
    for pk, token in SearchToken.objects.filter(topic_id__in=ids).values_list("topic_id", "token"):
        tokens[pk].add(token)
    for pk in ids:
        yield Candidate(pk, frozenset(tokens[pk]))


def load_topics(ids) -> dict:
    return Topic.objects.select_related("rule").in_bulk(list(ids))


def similar_topics(*, actor, community_code: str, text: str, exclude: int | None = None, limit: int = 5):
    return suggest(KIND, actor=actor, query=Query(text=text, region_code=community_code, extra={"exclude": exclude}),
                   limit=limit)


def merge_targets(*, actor, topic: Topic) -> list[Topic]:
    """Topics of the same community this one may be merged into: the most similar first, then the rest."""
    others = list(open_topics(actor, topic.region_code).filter(state__in=MERGEABLE).exclude(pk=topic.pk)
                  .order_by("-created_at")[:100])
    ranked = [s.obj for s in similar_topics(actor=actor, community_code=topic.region_code, exclude=topic.pk,
                                            text=f"{topic.title} {topic.description}", limit=10)
              if s.obj.state in MERGEABLE]
    seen = {t.pk for t in ranked}
    return ranked + [t for t in others if t.pk not in seen]


def check_target(topic: Topic, target: Topic | None) -> None:
    if target is None or target.pk == topic.pk or target.region_code != topic.region_code:
        raise ServiceError(_("请选择本社区的另一个议题"), field="target")
    if target.merged_into_id or target.state not in MERGEABLE:
        raise ServiceError(_("只能并入正在提议、合议或群议的议题"), field="target")


def move_to_survivor(*, actor, topic: Topic, target: Topic) -> dict:
    """Inside the merge's transaction: the merged topic's supporters and followers move to the survivor — a
    person who supported both counts once — and both topics' histories say so. Returns the counts moved."""
    already = set(Support.objects.filter(topic=target).values_list("person_id", flat=True))
    moving = Support.objects.filter(topic=topic).exclude(person_id__in=already)
    moved_supports = moving.update(topic=target)
    Support.objects.filter(topic=topic).delete()  # the doubles: already counted on the survivor
    followers = set(Follow.objects.filter(topic=target).values_list("user_id", flat=True))
    moved_follows = Follow.objects.filter(topic=topic).exclude(user_id__in=followers).update(topic=target)
    for t in (topic, target):
        Topic.objects.filter(pk=t.pk).update(support_count=Support.objects.filter(topic=t).count())
    TopicHistory.objects.create(topic=target, action="absorb", label=_("并入重复议题"), from_state=target.state,
                                to_state=target.state, actor=actor,
                                note=_("议题 #%(id)s「%(t)s」并入本议题，转来附议 %(s)s 人、关注 %(f)s 人") % {
                                    "id": topic.pk, "t": topic.title[:60], "s": moved_supports, "f": moved_follows})
    counts = {"supports": moved_supports, "follows": moved_follows, "into": target.pk}
    audit_log(actor=actor, action="consultation.topic_merge", obj=topic, after=counts)
    return counts


def register() -> None:
    register_kind(KIND, topic_candidates, "consultation/partials/similar_topic.html", load=load_topics)
