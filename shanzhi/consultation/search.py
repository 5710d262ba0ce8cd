"""Chinese full-text search: jieba tokens of topics and their visible comments in an indexed token table."""

from __future__ import annotations

from django.db.models import Count

from shanzhi.core.similarity import tokenize as _tokenize

from .models import SearchToken, Topic


def tokenize(text: str) -> set[str]:
    """The duplicate engine's tokens (core.similarity): the same words index search and suggestions."""
    return set(_tokenize(text))


def reindex_topic(topic: Topic) -> None:
    text = " ".join([topic.title, topic.description,
                     *topic.comments.filter(hidden=False).values_list("body", flat=True)])
    tokens = tokenize(text)
    SearchToken.objects.filter(topic=topic).exclude(token__in=tokens).delete()
    existing = set(SearchToken.objects.filter(topic=topic).values_list("token", flat=True))
    SearchToken.objects.bulk_create([SearchToken(topic=topic, token=t) for t in tokens - existing])


def search(queryset, q: str):
    """Topics of `queryset` matching the query's tokens, the most matched tokens first."""
    tokens = tokenize(q)
    if not tokens:
        return queryset.none()
    ids = (SearchToken.objects.filter(token__in=tokens, topic__in=queryset).values("topic_id")
           .annotate(n=Count("id")).order_by("-n", "-topic_id").values_list("topic_id", flat=True))
    return queryset.filter(pk__in=list(ids[:200]))
