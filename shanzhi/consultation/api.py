"""Consultation API: topics through the same selectors as the pages (scope = page scope)."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from . import selectors
from .execution import topic_progress
from .models import Topic

router = Router(tags=["协商"])


class TopicOut(Schema):
    id: int
    title: str
    state: str
    state_label: str
    matter_type: str
    region_code: str
    support_count: int
    supporters_needed: int
    progress: int
    resolution: dict
    evaluation_summary: dict
    created_at: datetime
    merged_into: int | None = None  # merged as a duplicate: the id of the surviving topic


def _out(t: Topic) -> TopicOut:
    return TopicOut(id=t.pk, title=t.title, state=t.state, state_label=str(t.get_state_display()),
                    matter_type=t.rule.matter_type, region_code=t.region_code, support_count=t.support_count,
                    supporters_needed=t.supporters_needed, progress=topic_progress(t), resolution=t.resolution,
                    evaluation_summary=t.evaluation_summary, created_at=t.created_at,
                    merged_into=t.merged_into_id)


@router.get("/topics", response=list[TopicOut])
def topics(request, stage: str = "", q: str = "", limit: int = 50):
    qs = selectors.topic_list(actor=request.auth, stage=stage, q=q).prefetch_related("tasks")
    return [_out(t) for t in qs[: max(1, min(limit, 200))]]


@router.get("/topics/{topic_id}", response=TopicOut)
def topic(request, topic_id: int):
    return _out(get_object_or_404(Topic.objects.restrict(request.auth, "view").select_related("rule"), pk=topic_id))
