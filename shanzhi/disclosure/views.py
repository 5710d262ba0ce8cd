"""Public 阳光五务 pages (no login) and the staff pages that write and review them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.consultation.execution import topic_progress
from shanzhi.consultation.selectors import actor_communities, public_evaluations, public_topics
from shanzhi.core.access import object_view, public_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import check
from shanzhi.core.privacy import review
from shanzhi.replies.choices import Kind, Step
from shanzhi.replies.render import render as render_template
from shanzhi.replies.selectors import templates_for

from . import selectors, services
from .models import EDITOR_ROLES, REVIEWER_ROLES, Category, Direction, DisclosureEntry, LedgerLine
from .privacy import entry_findings, entry_texts
from .workflow import WORKFLOW

TABS = [*Category.choices, ("consultation", _l("协商成果")), ("evaluations", _l("两评结果"))]


@public_view
def index(request):
    code = request.GET.get("c", "")
    communities = selectors.public_communities()
    community = communities.filter(code=code).first() if code else None
    if community is None:
        return render(request, "disclosure/index.html", {"communities": communities})
    cat = request.GET.get("cat", "")
    ctx = {"community": community, "tabs": TABS, "cat": cat}
    if entry_id := request.GET.get("entry", ""):
        entry = selectors.public_entries(community_code=code).filter(pk=entry_id if entry_id.isdigit() else 0).first()
        if entry is None:
            raise Http404
        ctx.update(entry=entry, lines=entry.lines.all(), totals=selectors.ledger_totals(entry))
    elif cat == "consultation":
        ctx["topics"] = [(t, topic_progress(t)) for t in public_topics(community_code=code)]
    elif cat == "evaluations":
        ctx["evaluations"] = public_evaluations(community_code=code)
    else:
        ctx["entries"] = selectors.public_entries(community_code=code, category=cat)[:50]
    response = render(request, "disclosure/community.html", ctx)
    return response


class EntryForm(forms.Form):
    community = forms.ChoiceField(label=_l("社区"))
    category = forms.ChoiceField(label=_l("类别"), choices=Category.choices)
    title = forms.CharField(label=_l("标题"), max_length=120)
    period = forms.CharField(label=_l("期间"), max_length=30, required=False)
    body = forms.CharField(label=_l("内容"), max_length=20000, widget=forms.Textarea, required=False)
    template = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)


def _picks(actor, community_code: str) -> list:
    """答复模板 (用途“公开文本”) for the chosen community, their placeholders filled as far as known."""
    if not community_code:
        return []
    values = services.template_values(community_code=community_code)
    return [(t, render_template(t.body, values)) for t in templates_for(
        actor=actor, kind=Kind.DISCLOSURE, step=Step.PUBLISH, region_code=community_code,
        category_codes=Category.values)[:8]]


@role_view(EDITOR_ROLES | REVIEWER_ROLES, methods=("GET", "POST"))
def manage(request):
    form = EntryForm(request.POST or None, initial={"community": request.GET.get("community", "")})
    communities = [(r.code, r.name) for r in actor_communities(actor=request.user)]
    form.fields["community"].choices = communities
    chosen = request.POST.get("community") or request.GET.get("community") or ""
    chosen = chosen if chosen in {code for code, _n in communities} else (communities[0][0] if communities else "")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            entry = services.entry_create(actor=request.user, community_code=d["community"], category=d["category"],
                                          title=d["title"], body=d["body"], period=d["period"],
                                          template=d["template"])
        except ServiceError as e:
            form.add_error(None, e.user_message)
        else:
            return redirect("disclosure:entry", pk=entry.pk)
    return render(request, "disclosure/manage.html", {
        "entries": selectors.entry_list(actor=request.user, state=request.GET.get("state", ""))[:100], "form": form,
        "chosen": chosen, "picks": _picks(request.user, chosen)})


def _privacy(request, obj) -> dict:
    """The privacy review partial's context: findings while the entry is not yet public."""
    if obj.state not in services.MASKABLE:
        return {}
    texts = entry_texts(obj)
    found = entry_findings(obj)
    labels = {"title": _("标题"), "body": _("内容"), **{k: _("收支摘要") for k in texts if k.startswith("line.")}}
    url = reverse("disclosure:entry_act", args=[obj.pk])
    return {"privacy": review(texts, found, labels), "privacy_count": len(found), "privacy_mask_url": url,
            "privacy_publish_url": url, "privacy_publish_action": "approve",
            "privacy_may_publish": WORKFLOW.check(obj, request.user, "approve", {"override": True, "reason": "-"})[0]}


@role_view(EDITOR_ROLES | REVIEWER_ROLES, methods=("POST",))
def bulk(request):
    """Bulk submit or publish from the manage list; the answer is the per-item report."""
    try:
        report = services.entry_bulk_transition(actor=request.user, action=request.POST.get("bulk_action", ""),
                                                ids=request.POST.getlist("ids"))
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect("disclosure:manage")
    return render(request, "disclosure/bulk_report.html", {"report": report})


@object_view(DisclosureEntry)
def entry(request, obj):
    open_for_lines = obj.state in ("draft", "rejected")
    may_record, record_reason = check(request.user, "disclosure.ledger", obj) if open_for_lines else (False, "")
    return render(request, "disclosure/entry.html", {
        "entry": obj, "lines": obj.lines.all(), "totals": selectors.ledger_totals(obj),
        "transitions": WORKFLOW.available(obj, request.user), "directions": Direction.choices,
        "editable": may_record, "ledger_reason": record_reason, **_privacy(request, obj)})


@object_view(DisclosureEntry, methods=("POST",))
def entry_act(request, obj):
    p = request.POST
    try:
        if p.get("op") == "mask":
            services.entry_mask(actor=request.user, entry=obj, ref=p.get("ref", ""))
        elif p.get("op") == "line":
            services.ledger_line_add(actor=request.user, entry=obj, date=p.get("date") or None,
                                     direction=p.get("direction", ""), amount=p.get("amount") or None,
                                     summary=p.get("summary", ""), document_ref=p.get("document_ref", ""))
        else:
            services.entry_transition(actor=request.user, entry=obj, action=p.get("action", ""),
                                      reason=p.get("reason", ""), override=p.get("override") == "1")
    except ServiceError as e:
        messages.error(request, e.user_message)
    except ValidationError as e:  # a ledger line's own checks (no direction, amount or date out of range)
        for field, errors in e.message_dict.items():
            label = LedgerLine._meta.get_field(field).verbose_name if field != "__all__" else ""
            messages.error(request, f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
    else:
        messages.success(request, _("已保存"))
    return redirect("disclosure:entry", pk=obj.pk)
