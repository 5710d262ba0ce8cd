"""Election pages: the committee's workbench (set-up, roll, candidates, stations, proxies, printing), the
station desk (check-in by 选民证, double-entry tally) and the result. Thin: parse, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.workflow import transition_history

from . import choices as c
from . import selectors, services, tokens
from .forms import (
    BallotsForm,
    ElectionForm,
    NominateForm,
    ProxyForm,
    StationForm,
    VoteForm,
    VoterAddForm,
    VoterRemoveForm,
)
from .models import COMMITTEE, FOLLOWERS, Election, Station
from .workflow import SYSTEM_ACTIONS, WORKFLOW

STAFF_ROLE_NAMES = {label: value for value, label in c.StaffRole.choices}


def _labelled(history) -> list:
    """History rows with the transition's label (the table's words, not the action's code name)."""
    labels = {t.action: t.label for t in WORKFLOW.transitions}
    return [(h, labels.get(h.action, h.action)) for h in history]


def _private(response):
    response["Cache-Control"] = "no-store"
    return response


def _errors(request, form):
    messages.error(request, "；".join(f"{form.fields[k].label if k in form.fields else ''}{m}"
                                     for k, errs in form.errors.items() for m in errs))


def _do(request, run, ok: str):
    try:
        run()
    except ServiceError as e:
        messages.error(request, e.user_message)
        return False
    messages.success(request, ok)
    return True


@role_view(FOLLOWERS)
def index(request):
    return _private(render(request, "elections/index.html", {
        "elections": list(selectors.election_list(actor=request.user)[:50]),
        "may_create": bool(selectors.communities_run_by(actor=request.user))}))


@role_view(COMMITTEE, methods=("GET", "POST"))
def election_new(request):
    form = ElectionForm(request.POST or None, communities=selectors.communities_run_by(actor=request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            election = services.election_create(
                actor=request.user, community_code=d["community"], title=d["title"], term=d["term"],
                vote_on=d["vote_on"], objection_days=d["objection_days"], write_ins=d["write_ins"],
                seats={"director": d["director"], "deputy": d["deputy"], "member": d["member"]})
        except ServiceError as e:
            form.add_error(None, e.user_message)
        else:
            return redirect("elections:detail", pk=election.pk)
    return render(request, "elections/form.html", {"form": form, "title": _("新建选举")})


@object_view(Election)
def detail(request, election):
    run = selectors.may(actor=request.user, election=election)
    ctx = {"e": election, "run": run, "figures": selectors.roll_figures(actor=request.user, election=election),
           "candidates": selectors.candidates(actor=request.user, election=election),
           "stations": selectors.stations(actor=request.user, election=election),
           "results": selectors.results(actor=request.user, election=election),
           "turnout": selectors.turnout(actor=request.user, election=election),
           "notes": list(election.notes.all()), "seats": list(election.seats.all()),
           "history": _labelled(transition_history(election)),
           "transitions": [(t, ok, why) for t, ok, why in WORKFLOW.available(election, request.user)
                           if t.action not in SYSTEM_ACTIONS]}
    if run:
        ctx.update(nominate_form=NominateForm(), station_form=StationForm(), proxy_form=ProxyForm())
    return _private(render(request, "elections/detail.html", ctx))


@object_view(Election, action="run", methods=("POST",))
def roll_build(request, election):
    _do(request, lambda: messages.info(request, _("新增选民 %(n)d 人") % {
        "n": services.roll_build(actor=request.user, election=election)}), _("已从人口库生成选民名单"))
    return redirect("elections:roll", pk=election.pk)


@object_view(Election)
def roll(request, election):
    page = Paginator(selectors.roll(actor=request.user, election=election), 100).get_page(request.GET.get("page"))
    run = selectors.may(actor=request.user, election=election)
    return _private(render(request, "elections/roll.html", {
        "e": election, "page": page, "run": run, "figures": selectors.roll_figures(actor=request.user, election=election),
        "corrections": selectors.corrections(actor=request.user, election=election),
        "add_form": VoterAddForm() if run else None, "remove_form": VoterRemoveForm() if run else None}))


@object_view(Election, action="run", methods=("POST",))
def voter_add(request, election):
    form = VoterAddForm(request.POST)
    if form.is_valid():
        person = selectors.person_by_id_number(actor=request.user, id_number=form.cleaned_data["id_number"])
        if person is None:
            messages.error(request, _("本社区人口库中找不到此证件号码"))
        else:
            _do(request, lambda: services.voter_add(actor=request.user, election=election, person=person,
                                                    reason=form.cleaned_data["reason"],
                                                    raised_by=form.cleaned_data["raised_by"]), _("已登记为选民"))
    else:
        _errors(request, form)
    return redirect("elections:roll", pk=election.pk)


@object_view(Election, action="run", methods=("POST",))
def voter_remove(request, election):
    form = VoterRemoveForm(request.POST)
    if form.is_valid():
        voter = selectors.voter_by_serial(election, form.cleaned_data["serial"])
        if voter is None:
            messages.error(request, _("选民证号不在名单中"))
        else:
            _do(request, lambda: services.voter_remove(actor=request.user, voter=voter,
                                                       reason=form.cleaned_data["reason"],
                                                       raised_by=form.cleaned_data["raised_by"]), _("已除名"))
    else:
        _errors(request, form)
    return redirect("elections:roll", pk=election.pk)


@object_view(Election, action="run")
def cards(request, election):
    """选民证, printable: name, serial and a QR code of the serial (scanned at the station)."""
    page = Paginator(selectors.roll(actor=request.user, election=election), 60).get_page(request.GET.get("page"))
    services.cards_printed(actor=request.user, election=election, page=page.number)
    items = [(v, tokens.qr_svg(v.serial)) for v in page]
    return _private(render(request, "elections/cards.html", {"e": election, "page": page, "items": items}))


@object_view(Election, action="run", methods=("POST",))
def nominate(request, election):
    form = NominateForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _do(request, lambda: services.candidate_nominate(actor=request.user, election=election, serial=d["serial"],
                                                         office=d["office"], nominated_by=d["nominated_by"]),
            _("已登记候选人"))
    else:
        _errors(request, form)
    return redirect("elections:detail", pk=election.pk)


def _staff_lines(text: str):
    for line in (text or "").splitlines():
        name, _sep, role = line.replace("，", ",").partition(",")
        if name.strip():
            yield None, name.strip(), STAFF_ROLE_NAMES.get(role.strip(), c.StaffRole.CLERK)


@object_view(Election, action="run", methods=("POST",))
def station_add(request, election):
    form = StationForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _do(request, lambda: services.station_add(actor=request.user, election=election, name=d["name"],
                                                  kind=d["kind"], place=d["place"],
                                                  staff=list(_staff_lines(d["staff"]))), _("已设置投票站"))
    else:
        _errors(request, form)
    return redirect("elections:detail", pk=election.pk)


@object_view(Election, action="run", methods=("POST",))
def proxy(request, election):
    form = ProxyForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _do(request, lambda: services.proxy_grant(actor=request.user, election=election, grantor_serial=d["grantor"],
                                                  holder_serial=d["holder"], document=d["document"]),
            _("已登记委托投票"))
    else:
        _errors(request, form)
    return redirect("elections:detail", pk=election.pk)


@object_view(Election, methods=("POST",))
def transition(request, election):
    action = request.POST.get("action", "")
    _do(request, lambda: services.election_transition(actor=request.user, election=election, action=action),
        _("已办理"))
    return redirect("elections:detail", pk=election.pk)


@object_view(Election, action="run", methods=("POST",))
def count(request, election):
    _do(request, lambda: services.election_count(actor=request.user, election=election), _("计票完成"))
    return redirect("elections:detail", pk=election.pk)


# --- the station desk ------------------------------------------------------------------------------------

def _tally_rows(station: Station, election: Election, actor) -> list[dict]:
    cands = selectors.candidates(actor=actor, election=election, round_=election.round)
    rows = []
    for seat in election.seats.all():
        mine = [cand for cand in cands if cand.office == seat.office]
        extra = 3 if election.write_ins and election.round == 1 else 0
        rows.append({"office": seat.office, "label": c.Office(seat.office).label, "candidates": mine,
                     "blank": range(extra)})
    return rows


@object_view(Station)
def station(request, station):
    return _station_page(request, station)


@object_view(Station, action="run", methods=("POST",))
def voter_find(request, station):
    """Staff look a voter up by name (posted, never in the URL) and mark them from the list."""
    found = selectors.voters_named(actor=request.user, election=station.election, name=request.POST.get("name", ""))
    return _station_page(request, station, found=found, searched=True)


def _station_page(request, station, **extra):
    election = station.election
    run = selectors.may(actor=request.user, election=election)
    return _private(render(request, "elections/station.html", {**extra,
        "st": station, "e": election, "run": run, "vote_form": VoteForm(), "ballots_form": BallotsForm(),
        "state": selectors.station_tally_state(station, election.round),
        "tallies": selectors.tallies(actor=request.user, station=station, round_=election.round),
        "rows": _tally_rows(station, election, request.user),
        "serials": selectors.ballot_serials(actor=request.user, station=station, round_=election.round, limit=3)}))


@object_view(Station, action="run", methods=("POST",))
def vote(request, station):
    form = VoteForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _do(request, lambda: services.vote_record(actor=request.user, station=station, serial=d["serial"],
                                                  proxy_serial=d["proxy_serial"]),
            _("%(s)s 已登记投票，请发放选票") % {"s": d["serial"].upper()})
    else:
        _errors(request, form)
    return redirect("elections:station", pk=station.pk)


def _parse_counts(post) -> tuple[dict, list[str]]:
    """{office: {serial: votes}} from the candidate inputs (v:<office>:<serial>) and write-in rows
    (w:<office>:<i> serial, wn:<office>:<i> votes)."""
    counts: dict = {}
    bad = []
    for key, value in post.items():
        parts = key.split(":")
        if parts[0] == "v" and len(parts) == 3 and value.strip():
            office, serial = parts[1], parts[2]
        elif parts[0] == "w" and len(parts) == 3 and value.strip():
            office, serial = parts[1], value.strip().upper()
            value = post.get(f"wn:{parts[1]}:{parts[2]}", "")
        else:
            continue
        if not value.strip().isdigit():
            bad.append(serial)
            continue
        row = counts.setdefault(office, {})
        row[serial] = row.get(serial, 0) + int(value)
    return counts, bad


@object_view(Station, action="run", methods=("POST",))
def tally(request, station):
    counts, bad = _parse_counts(request.POST)
    cast, invalid = request.POST.get("ballots_cast", ""), request.POST.get("invalid", "0") or "0"
    if bad or not cast.isdigit() or not invalid.isdigit():
        messages.error(request, _("请填写收回选票、无效票和每位被选举人的票数（非负整数）") +
                       (f"：{'、'.join(bad)}" if bad else ""))
    else:
        _do(request, lambda: services.tally_enter(actor=request.user, station=station, ballots_cast=int(cast),
                                                  invalid=int(invalid), counts=counts), _("计票结果已录入"))
    return redirect("elections:station", pk=station.pk)


@object_view(Station, action="run", methods=("POST",))
def ballots_print(request, station):
    form = BallotsForm(request.POST)
    if form.is_valid():
        _do(request, lambda: services.ballots_print(actor=request.user, station=station,
                                                    count=form.cleaned_data["count"]), _("已登记印制选票"))
    else:
        _errors(request, form)
    return redirect("elections:station", pk=station.pk)


@object_view(Station, action="run")
def ballots(request, station):
    """The ballot papers of this station and round, printable, each with its serial."""
    election = station.election
    serials = selectors.ballot_serials(actor=request.user, station=station, round_=election.round, limit=200)
    return _private(render(request, "elections/ballots.html", {
        "st": station, "e": election, "rows": _tally_rows(station, election, request.user),
        "items": [(s, tokens.qr_svg(s, scale=2)) for s in serials]}))
