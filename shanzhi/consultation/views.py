"""Thin views: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML

from shanzhi.cases.models import Case
from shanzhi.cases.selectors import source_case
from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import allows, check
from shanzhi.core.roles import Role
from shanzhi.core.scope import grants_of, user_roles
from shanzhi.registry.models import Building

from . import choices as c
from . import operations, selectors, services
from .duplicates import merge_targets
from .execution import task_tree, topic_progress
from .forms import MeetingForm, TopicForm
from .models import (
    COMMITTEE_ROLES,
    PARTICIPANT_ROLES,
    EvaluationSurvey,
    Follow,
    Meeting,
    Topic,
)
from .rules import effective_rules
from .templating import pickers
from .workflow import WORKFLOW, vote_outcome


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _is_staff(user, code) -> bool:
    return allows(user, "consultation.committee", code)


@role_view(PARTICIPANT_ROLES)
def index(request):
    stage = request.GET.get("stage", "")
    q = request.GET.get("q", "").strip()
    topics = selectors.topic_list(actor=request.user, stage=stage, q=q)[:100]
    counts = selectors.stage_counts(actor=request.user)
    stages = [(s.value, s.label, counts.get(s.value, 0)) for s in c.Stage]
    return render(request, "consultation/index.html", {"topics": topics, "stages": stages, "stage": stage, "q": q})


def _topic_form(request) -> TopicForm:
    """The new-topic form with the choices this actor may pick: their communities, the chosen community's
    matters and buildings, and (for a resident) only the resident's own source."""
    communities = list(selectors.actor_communities(actor=request.user))
    code = request.POST.get("community") or request.GET.get("community") or ""
    if code not in {r.code for r in communities}:  # only communities in scope, whatever the query string says
        code = communities[0].code if communities else ""
    resident_only = user_roles(request.user) <= {Role.RESIDENT}
    # residents propose online; staff most often enter the committee's own proposals
    source = c.Source.RESIDENT_ONLINE if resident_only else c.Source.COMMITTEE
    form = TopicForm(request.POST or None, initial={"community": code, "source_kind": source})
    form.fields["community"].choices = [(r.code, r.name) for r in communities]
    if resident_only:
        form.fields["source_kind"].choices = [(c.Source.RESIDENT_ONLINE, c.Source.RESIDENT_ONLINE.label)]
    if code:
        form.fields["matter_type"].choices = [(r.matter_type, f"{r.name}{'（必须协商）' if r.mandatory else ''}")
                                              for r in effective_rules(code).values()]
        form.fields["buildings"].choices = [(b.pk, str(b)) for b in Building.objects.filter(
            region_code__startswith=code).select_related("estate").order_by("estate__name", "name")[:300]]
    else:
        form.fields["matter_type"].choices = form.fields["buildings"].choices = []
    return form


@role_view(PARTICIPANT_ROLES, methods=("GET", "POST"))
def topic_new(request):
    form = _topic_form(request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            topic = services.topic_create(actor=request.user, community_code=d["community"],
                                          matter_type=d["matter_type"], title=d["title"],
                                          description=d["description"], source_kind=d["source_kind"],
                                          source_id=d["source_id"], amount=d["amount"],
                                          building_ids=[int(b) for b in d["buildings"]])
        except ServiceError as e:
            form.add_error(None, e.user_message)
        else:
            messages.success(request, _("议题已提交"))
            return redirect("consultation:topic", pk=topic.pk)
    return render(request, "consultation/topic_new.html", {"form": form})


def _transitions(topic, user, staff: bool) -> list:
    return [(t, ok, reason) for t, ok, reason in WORKFLOW.available(topic, user) if t.action != "table" or staff]


def _any_allowed(transitions) -> bool:
    return any(ok for _t, ok, _r in transitions)


@object_view(Topic)
def topic_detail(request, topic):
    user = request.user
    staff = _is_staff(user, topic.region_code)
    outcome, outcome_reason = _outcome(topic)
    meeting = topic.deciding_meeting
    tree = task_tree(topic)
    parents = {t.parent_id for t, _d, _p in tree}
    transitions = _transitions(topic, user, staff)
    ctx = {
        "topic": topic,
        "rule": topic.rule,
        "staff": staff,
        "is_resident": Role.RESIDENT in _roles_in(user, topic.region_code),
        "is_representative": Role.RESIDENT_REPRESENTATIVE in _roles_in(user, topic.region_code),
        "pipeline": [(s.value, s.label) for s in c.PIPELINE],
        "reached": _reached(topic),
        "transitions": transitions,
        # a roster member (合议 by the governance committee, 评议 by the representatives) is no staff member but
        # sees the steps that are theirs
        "actions_visible": staff or _any_allowed(transitions),
        "comments": selectors.topic_comments(actor=user, topic=topic, staff=staff),
        "surveys": [(s, _survey_counts(s)) for s in topic.surveys.all()],
        "opinions": topic.opinions.all(),
        "history": topic.history.select_related("actor"),
        "following": Follow.objects.filter(topic=topic, user=user).first(),
        "tasks": tree,
        "progress": topic_progress(topic),
        "outcome": outcome,
        "outcome_reason": outcome_reason,
        "voters": meeting.participants.filter(is_voter=True) if meeting else [],
        "voted": set(topic.votes.values_list("representative_id", flat=True)),
        "tallies": topic.tallies.select_related("entered_by"),
        "supported": topic.supports.filter(person__user=user).exists(),
        "rated": topic.ratings.filter(user=user).exists(),
        "now": timezone.now(),
        "stances": c.Stance.choices,
        "parties": c.Party.choices,
        "opinion_kinds": c.OpinionKind.choices,
        "other_topics": _merge_targets_if_allowed(user, topic, transitions),
        "leaf_tasks": [t for t, _d, _p in tree if t.pk not in parents],
        "source_case": source_case(actor=user, topic=topic),
        "pickers": pickers(actor=user, topic=topic, actions={t.action for t, ok, _r in transitions if ok}),
    }
    return render(request, "consultation/topic_detail.html", ctx)


def _grants_in(user, code):
    return [(r, g) for r, g in grants_of(user) if g.startswith(code) or code.startswith(g)]


def _roles_in(user, code) -> set:
    return {r for r, _c in _grants_in(user, code)}


def _outcome(topic) -> tuple:
    """The vote's outcome and its reason while the topic is at its resolution, else (None, "")."""
    return vote_outcome(topic) if topic.state == c.Stage.RESOLUTION else (None, "")


def _merge_targets_if_allowed(user, topic, transitions):
    """The topics this one may be merged into, when the actor may merge it."""
    return merge_targets(actor=user, topic=topic) if any(
        t.action == "merge" and ok for t, ok, _r in transitions) else []


def _reached(topic) -> set[str]:
    done = {h.to_state for h in topic.history.all()} | {topic.state}
    return done


def _survey_counts(survey):
    answers = list(survey.answers.values_list("option", flat=True))
    return [(i, opt, answers.count(i)) for i, opt in enumerate(survey.options)]


def _perform(request, table, obj) -> None:
    try:
        operations.perform(table, actor=request.user, obj=obj, data=request.POST)
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("已保存"))


@object_view(Topic, methods=("POST",))
def topic_act(request, topic):
    """One endpoint for every action on a topic: the operation's form validates, its service decides."""
    _perform(request, operations.TOPIC_OPERATIONS, topic)
    return redirect("consultation:topic", pk=topic.pk)


@role_view(PARTICIPANT_ROLES, methods=("GET", "POST"))
def rules(request):
    communities = list(selectors.actor_communities(actor=request.user))
    allowed = {r.code for r in communities}
    code = request.POST.get("community") or request.GET.get("community") or ""
    if code not in allowed:  # only communities in the actor's scope, whatever the query string says
        code = communities[0].code if communities else ""
    if request.method == "POST":
        p = request.POST
        try:
            services.rule_override(
                actor=request.user, community_code=code, matter_type=p.get("matter_type", ""),
                mandatory=bool(p.get("mandatory")), support_mode=p.get("support_mode", ""),
                support_value=p.get("support_value") or 0, parties=p.getlist("parties"),
                deciding_meeting=p.get("deciding_meeting", ""), quorum_percent=_int(p.get("quorum_percent")),
                majority=p.get("majority", ""), abstentions_count=bool(p.get("abstentions_count")),
                min_deliberation_days=_int(p.get("min_deliberation_days")), notice_days=_int(p.get("notice_days")))
        except ServiceError as e:
            messages.error(request, e.user_message)
        else:
            messages.success(request, _("本社区规则已保存，覆盖街道统一规则"))
        return redirect(f"{request.path}?community={code}")
    can_edit, edit_reason = check(request.user, "consultation.rules_edit", code) if code else (False, "")
    return render(request, "consultation/rules.html", {
        "rules": selectors.rules_for(actor=request.user, community_code=code), "communities": communities,
        "community": code, "can_edit": can_edit, "edit_reason": edit_reason,
        "parties": c.Party.choices, "majorities": c.Majority.choices, "modes": c.SupportMode.choices,
        "meeting_kinds": c.MeetingKind.choices})


@role_view(PARTICIPANT_ROLES)
def meetings(request):
    staff = bool(user_roles(request.user) & COMMITTEE_ROLES)
    return render(request, "consultation/meetings.html", {
        "meetings": selectors.meeting_list(actor=request.user, staff=staff)[:100], "staff": staff})


@role_view(COMMITTEE_ROLES, methods=("GET", "POST"))
def meeting_new(request):
    communities = list(selectors.actor_communities(actor=request.user))
    allowed = {r.code for r in communities}
    code = request.POST.get("community") or request.GET.get("community") or ""
    if code not in allowed:  # only communities in the actor's scope, whatever the query string says
        code = communities[0].code if communities else ""
    form = MeetingForm(request.POST or None, initial={"community": code, "kind": request.GET.get("kind", "")})
    form.fields["community"].choices = [(r.code, r.name) for r in communities]
    open_topics = Topic.objects.restrict(request.user, "view").filter(
        region_code=code, state__in=[c.Stage.DELIBERATION, c.Stage.RESOLUTION])
    form.fields["topics"].choices = [(t.pk, t.title) for t in open_topics]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user, community_code=d["community"], kind=d["kind"], title=d["title"],
                starts_at=d["starts_at"], location=d["location"], agenda=d["agenda"], materials=d["materials"],
                topics=open_topics.filter(pk__in=[int(t) for t in d["topics"]]))
        except ServiceError as e:
            form.add_error(None, e.user_message)
        else:
            return redirect("consultation:meeting", pk=meeting.pk)
    return render(request, "consultation/meeting_new.html", {"form": form})


@object_view(Meeting)
def meeting_detail(request, meeting):
    staff = _is_staff(request.user, meeting.region_code)
    if not staff and meeting.state == c.MeetingState.DRAFT:
        raise Http404
    participants = list(meeting.participants.all())
    by_party = {}
    for p in participants:
        row = by_party.setdefault(p.get_party_display(), [0, 0])
        row[0] += 1
        row[1] += 1 if p.checked_in_at else 0
    return render(request, "consultation/meeting_detail.html", {
        "meeting": meeting, "staff": staff, "participants": participants, "by_party": by_party,
        "blockers": services.notice_blockers(meeting) if meeting.state == c.MeetingState.DRAFT else [],
        "parties": c.Party.choices, "registered": any(p.user_id == request.user.pk for p in participants),
        "topics": meeting.topics.all(), "is_resident": Role.RESIDENT in user_roles(request.user)})


@object_view(Meeting, methods=("POST",))
def meeting_act(request, meeting):
    _perform(request, operations.MEETING_OPERATIONS, meeting)
    return redirect("consultation:meeting", pk=meeting.pk)


PRINT_DOCS = {"notice": _("会议公告"), "signin": _("签到表"), "minutes": _("会议纪要")}


@object_view(Meeting)
def meeting_print(request, meeting):
    """Print-ready notice, sign-in sheet or minutes; `?format=pdf` renders the same page with WeasyPrint."""
    doc = request.GET.get("doc", "notice")
    if doc not in PRINT_DOCS:
        doc = "notice"
    ctx = {"meeting": meeting, "doc": doc, "doc_title": PRINT_DOCS[doc], "participants": meeting.participants.all(),
           "topics": meeting.topics.all()}
    if request.GET.get("format") == "pdf":
        html = render_to_string("consultation/meeting_print.html", {**ctx, "pdf": True}, request=request)
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="meeting-{meeting.pk}-{doc}.pdf"'
        return response
    return render(request, "consultation/meeting_print.html", ctx)


@role_view(PARTICIPANT_ROLES)
def evaluations(request):
    return render(request, "consultation/evaluations.html", {
        "surveys": selectors.evaluation_list(actor=request.user)})


@object_view(EvaluationSurvey)
def evaluation_detail(request, survey):
    return render(request, "consultation/evaluation_detail.html", {
        "survey": survey, "voted": survey.voters.filter(user=request.user).exists(),
        "staff": _is_staff(request.user, survey.region_code), "scale": range(5, 0, -1)})


@object_view(EvaluationSurvey, methods=("POST",))
def evaluation_act(request, survey):
    try:
        if request.POST.get("op") == "publish":
            services.evaluation_publish(actor=request.user, survey=survey)
        else:
            scores = [_int(request.POST.get(f"item{i}")) for i in range(len(survey.items))]
            services.evaluation_vote(actor=request.user, survey=survey, scores=scores)
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("已提交，您的评分以匿名方式统计"))
    return redirect("consultation:evaluation", pk=survey.pk)


@object_view(Case, action="change", lookup={"pk": "pk"}, methods=("POST",))
def case_to_topic(request, case):
    try:
        topic = services.case_to_topic(actor=request.user, case=case, matter_type=request.POST.get("matter_type", ""),
                                       title=request.POST.get("title", "").strip(),
                                       description=request.POST.get("description", ""))
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, _("已转为协商议题"))
    return redirect("consultation:topic", pk=topic.pk)
