"""The operations a topic page and a meeting page post, as a table: operation name → (form, service call).

Each form validates the posted fields (Chinese messages); each call hands the cleaned values to one
service. The views only look an operation up, validate its form and run it, so no view reads raw
POST values or writes a row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.core.errors import ServiceError

from . import choices as c
from . import services
from .models import Comment, ExecutionTask, MeetingParticipant, Survey, Topic


class Empty(forms.Form):
    """An operation that needs no fields."""


def _text(label, required=False, max_length=2000):
    return forms.CharField(label=label, required=required, max_length=max_length)


def _number(label, required=False, min_value=0, max_value=1_000_000):
    return forms.IntegerField(label=label, required=required, min_value=min_value, max_value=max_value)


class TransitionForm(forms.Form):
    action = _text(_l("操作"), required=True, max_length=50)
    reason = _text(_l("理由"), max_length=500)
    target = _number(_l("并入的议题"), min_value=1, max_value=2**62)
    template = _text(_l("答复模板"), max_length=20)


class PaperSupportForm(forms.Form):
    name = _text(_l("姓名"), max_length=50)
    id_number = _text(_l("身份证号"), max_length=30)
    sheet_ref = _text(_l("签名表编号"), max_length=100)


class CommentForm(forms.Form):
    body = _text(_l("意见"))
    stance = forms.ChoiceField(label=_l("立场"), choices=c.Stance.choices, required=False)


class CommentActForm(forms.Form):
    comment = _number(_l("评论"), required=True, min_value=1, max_value=2**62)
    reason = _text(_l("理由"), max_length=500)


class FollowForm(forms.Form):
    mode = _text(_l("通知方式"), max_length=20)


class SurveyForm(forms.Form):
    question = _text(_l("问题"), max_length=500)
    options = _text(_l("选项"))


class AnswerForm(forms.Form):
    survey = _number(_l("问卷"), required=True, min_value=1, max_value=2**62)
    option = _number(_l("选项"), required=True, max_value=1000)


class OpinionForm(forms.Form):
    kind = _text(_l("意见来源"), max_length=30)
    summary = _text(_l("意见摘要"))
    for_count = _number(_l("赞成"))
    against_count = _number(_l("反对"))


class VoteForm(forms.Form):
    representative = _number(_l("表决代表"), required=True, min_value=1, max_value=2**62)
    choice = _text(_l("表决意见"), max_length=20)


class TallyForm(forms.Form):
    present = _number(_l("到会人数"))
    votes_for = _number(_l("赞成票"))
    votes_against = _number(_l("反对票"))
    abstentions = _number(_l("弃权票"))


class TaskForm(forms.Form):
    title = _text(_l("任务"), max_length=200)
    parent = _number(_l("上级任务"), min_value=1, max_value=2**62)
    responsible_party = _text(_l("责任方"), max_length=40)
    responsible = _text(_l("责任人"), max_length=100)
    weight = _number(_l("权重"), min_value=1, max_value=100)
    due_date = forms.DateField(label=_l("期限"), required=False)


class ProgressForm(forms.Form):
    task = _number(_l("任务"), required=True, min_value=1, max_value=2**62)
    progress = _number(_l("进度"), required=True, max_value=100)


class MilestoneForm(forms.Form):
    task = _number(_l("任务"), required=True, min_value=1, max_value=2**62)
    title = _text(_l("节点"), max_length=200)
    due_date = forms.DateField(label=_l("期限"), required=False)
    done = forms.BooleanField(label=_l("已完成"), required=False)


class RateForm(forms.Form):
    score = _number(_l("评分"), required=True, max_value=5)
    comment = _text(_l("评价"))


class InviteForm(forms.Form):
    party = _text(_l("参加方"), max_length=40)
    name = _text(_l("姓名"), max_length=100)
    is_voter = forms.BooleanField(label=_l("表决代表"), required=False)


class ParticipantForm(forms.Form):
    participant = _number(_l("参会人"), required=True, min_value=1, max_value=2**62)


class MinutesForm(forms.Form):
    minutes = _text(_l("会议纪要"), max_length=20000)


def _one(queryset, pk, label):
    """A row the operation names, looked up inside the record it belongs to."""
    found = queryset.filter(pk=pk).first() if pk else None
    if found is None:
        raise ServiceError(_("%(label)s不存在或不属于本议题") % {"label": label})
    return found


def _transition(u, topic, d):
    target = Topic.objects.restrict(u, "view").filter(pk=d["target"]).first() if d["target"] else None
    return services.topic_transition(actor=u, topic=topic, action=d["action"], reason=d["reason"], target=target,
                                     template=d["template"])


def _comment_act(fn):
    def run(u, topic, d):
        comment = _one(Comment.objects.filter(topic=topic), d["comment"], _("评论"))
        return fn(actor=u, comment=comment, reason=d["reason"])
    return run


def _answer(u, topic, d):
    survey = _one(Survey.objects.filter(topic=topic), d["survey"], _("问卷"))
    return services.survey_answer(actor=u, survey=survey, option=d["option"])


def _vote(u, topic, d):
    rep = _one(MeetingParticipant.objects.filter(meeting_id=topic.deciding_meeting_id), d["representative"],
               _("表决代表"))
    return services.vote_record(actor=u, topic=topic, representative=rep, choice=d["choice"])


def _task(u, topic, d):
    parent = ExecutionTask.objects.filter(pk=d["parent"], topic=topic).first() if d["parent"] else None
    return services.task_add(actor=u, topic=topic, title=d["title"], parent=parent,
                             responsible_party=d["responsible_party"] or "residents_committee",
                             responsible=d["responsible"], weight=d["weight"] or 1, due_date=d["due_date"])


def _task_of(topic, pk):
    return _one(ExecutionTask.objects.filter(topic=topic), pk, _("任务"))


Run = Callable[[Any, Any, dict], Any]

TOPIC_OPERATIONS: dict[str, tuple[type[forms.Form], Run]] = {
    "transition": (TransitionForm, _transition),
    "support": (Empty, lambda u, t, d: services.support_online(actor=u, topic=t)),
    "paper_support": (PaperSupportForm, lambda u, t, d: services.support_paper(actor=u, topic=t, **d)),
    "comment": (CommentForm, lambda u, t, d: services.comment_add(actor=u, topic=t, body=d["body"],
                                                                  stance=d["stance"] or "neutral")),
    "report": (CommentActForm, _comment_act(services.comment_report)),
    "hide": (CommentActForm, _comment_act(services.comment_hide)),
    "follow": (FollowForm, lambda u, t, d: services.follow_set(actor=u, topic=t, mode=d["mode"] or None)),
    "survey": (SurveyForm, lambda u, t, d: services.survey_create(actor=u, topic=t, question=d["question"],
                                                                  options=d["options"].splitlines())),
    "answer": (AnswerForm, _answer),
    "opinion": (OpinionForm, lambda u, t, d: services.opinion_record(
        actor=u, topic=t, kind=d["kind"], summary=d["summary"], for_count=d["for_count"] or 0,
        against_count=d["against_count"] or 0)),
    "vote": (VoteForm, _vote),
    "tally": (TallyForm, lambda u, t, d: services.tally_enter(actor=u, topic=t, **{k: v or 0 for k, v in d.items()})),
    "tally_clear": (Empty, lambda u, t, d: services.tally_clear(actor=u, topic=t)),
    "task": (TaskForm, _task),
    "progress": (ProgressForm, lambda u, t, d: services.task_progress_set(actor=u, task=_task_of(t, d["task"]),
                                                                          progress=d["progress"])),
    "milestone": (MilestoneForm, lambda u, t, d: services.milestone_add(
        actor=u, task=_task_of(t, d["task"]), title=d["title"], due_date=d["due_date"], done=d["done"])),
    "rate": (RateForm, lambda u, t, d: services.rating_add(actor=u, topic=t, score=d["score"], comment=d["comment"])),
}


def _check_in(u, meeting, d):
    participant = _one(MeetingParticipant.objects.filter(meeting=meeting), d["participant"], _("参会人"))
    return services.meeting_check_in(actor=u, participant=participant)


MEETING_OPERATIONS: dict[str, tuple[type[forms.Form], Run]] = {
    "invite": (InviteForm, lambda u, m, d: services.meeting_invite(actor=u, meeting=m, **d)),
    "notice": (Empty, lambda u, m, d: services.meeting_notice(actor=u, meeting=m)),
    "register": (Empty, lambda u, m, d: services.meeting_register(actor=u, meeting=m)),
    "check_in": (ParticipantForm, _check_in),
    "hold": (Empty, lambda u, m, d: services.meeting_hold(actor=u, meeting=m)),
    "close": (MinutesForm, lambda u, m, d: services.meeting_close(actor=u, meeting=m, minutes=d["minutes"])),
}


def perform(table: dict, *, actor, obj, data) -> None:
    """Validate the posted `data` with the operation's form and run its service; a bad operation or a
    field error is a ServiceError with a Chinese message."""
    op = data.get("op", "")
    if op not in table:
        raise ServiceError(_("未知的操作"))
    form_class, run = table[op]
    form = form_class(data)
    if not form.is_valid():
        first = next(iter(form.errors.items()))
        label = form.fields[first[0]].label if first[0] in form.fields else ""
        raise ServiceError(f"{label}：{first[1][0]}" if label else first[1][0])
    run(actor, obj, form.cleaned_data)
