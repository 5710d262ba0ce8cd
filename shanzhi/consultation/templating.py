"""答复模板 for topics (issue 22, item 2): the texts staff write when they take a step on a topic — the
accepting or merging answer (议题答复), a rejection, the resolution — offered by the `replies` app in one tap,
their placeholders filled with the topic's values, and the template used recorded on the step's history."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.core.errors import ServiceError
from shanzhi.regions.selectors import region_place
from shanzhi.replies.permissions import USE_ROLES
from shanzhi.replies.render import render
from shanzhi.replies.selectors import template_usable, templates_for

from .models import COMMITTEE_ROLES, Topic
from .workflow import REVIEWERS

# staff, and the rosters who take a topic's steps (合议 by the governance committee)
ANSWER_ROLES = USE_ROLES | COMMITTEE_ROLES | REVIEWERS

# a step that carries a text → (template kind, template step)
TOPIC_TEMPLATES = {
    "accept": ("topic_answer", "topic_reply"),
    "merge": ("topic_answer", "merge"),
    "resolve": ("topic_answer", "topic_reply"),
    "fail": ("topic_answer", "topic_reply"),
    "reject": ("rejection", "reject"),
}


def template_values(topic: Topic) -> dict[str, str]:
    """The placeholders' values (replies.render.PLACEHOLDERS) for one topic."""
    closes = topic.deliberation_closes_at
    return {"编号": str(topic.pk), "标题": topic.title, "类别": topic.get_source_kind_display(),
            "期限": timezone.localtime(closes).strftime("%Y-%m-%d") if closes else "",
            "社区": region_place(code=topic.region_code[:12]).rsplit(" · ", 1)[-1], "日期": timezone.localdate().isoformat()}


def pickers(*, actor, topic: Topic, actions) -> dict[str, list]:
    """{action: [(template, its text filled in)]} for the steps the page offers."""
    values = template_values(topic)
    out = {}
    for action in actions:
        if action in TOPIC_TEMPLATES:
            kind, step = TOPIC_TEMPLATES[action]
            out[action] = [(t, render(t.body, values)) for t in templates_for(
                actor=actor, kind=kind, step=step, region_code=topic.region_code, roles=ANSWER_ROLES)[:8]]
    return out


def template_for(*, actor, topic: Topic, action: str, pk):
    """The template named by the form (checked: active, of the topic's region or above, of the step's kind),
    None when none was chosen; a forged, foreign or wrong-kind id is refused."""
    if pk in (None, ""):
        return None
    kind = TOPIC_TEMPLATES.get(action, ("", ""))[0]
    template = template_usable(actor=actor, pk=pk, region_code=topic.region_code, kinds=[kind],
                               roles=ANSWER_ROLES) if kind else None
    if template is None:
        raise ServiceError(_("所选答复模板不可用"), field="template")
    return template


def fill(text: str, topic: Topic) -> str:
    """Placeholders left in the sent text, filled with the topic's values."""
    return render(text, template_values(topic))
