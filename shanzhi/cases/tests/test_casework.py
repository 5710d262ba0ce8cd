"""Response templates on case transitions, bulk work with per-item results, honest reopen (recur) and the
'not our responsibility' forward (issue 22, items 2 and 4)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shanzhi.accounts.demo import build as accounts
from shanzhi.audit.models import AuditEvent
from shanzhi.cases import bulk, services
from shanzhi.cases import choices as c
from shanzhi.cases.demo import build as cases
from shanzhi.cases.demo import build_responsibilities
from shanzhi.cases.models import Case, CaseAssignment, CaseHistory, CasePhoto, HandlingBody
from shanzhi.cases.services import case_transition, handling_body_set_categories
from shanzhi.cases.testing import image_upload, make_body, make_body_staff, make_case, make_category
from shanzhi.core import indicators
from shanzhi.core.demo import DemoContext
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.models import TaskProgress
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.notifications.models import Notification
from shanzhi.regions.demo import build as regions
from shanzhi.replies.demo import build as replies
from shanzhi.replies.models import ResponseTemplate
from shanzhi.replies.services import template_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world, make_user):
    body = make_body()
    return {
        "worker": make_user(Role.GRID_WORKER, world.grid.code),
        "leader": make_user(Role.GRID_LEADER, world.grid.code),
        "staff": make_user(Role.COMMUNITY_STAFF, world.community.code),
        "resident": make_user(Role.RESIDENT, world.grid.code),
        "body": body,
        "body_staff": make_body_staff(body),
    }


def go(case, actor, action, **data):
    return case_transition(actor=actor, case=case, action=action, data=data)


# --- templates on transitions ---------------------------------------------------------------------------------

def test_dispatch_with_a_template_records_it_and_fills_placeholders(world, people):
    p = people
    t = template_create(actor=None, region_code=world.community.code, kind="case_reply", step="dispatch",
                        title="请限时处理", body="请于{期限}前处理{编号}")
    case = go(make_case(world.grid.code, actor=p["worker"]), p["leader"], "accept")
    case = go(case, p["leader"], "dispatch", body=p["body"].pk, template=t.pk, note=t.body)
    entry = CaseHistory.objects.get(case=case, action="dispatch")
    assert entry.template == t
    assert case.number in entry.note and "{编号}" not in entry.note and entry.note.startswith("联动派遣至")


def test_a_foreign_or_forged_template_is_refused(world, people):
    p = people
    foreign = template_create(actor=None, region_code=world.other_community.code, kind="case_reply", title="x",
                              body="x")
    case = go(make_case(world.grid.code, actor=p["worker"]), p["leader"], "accept")
    for pk in (foreign.pk, 999999, "abc"):
        with pytest.raises(ServiceError):
            go(case, p["leader"], "dispatch", body=p["body"].pk, template=pk)
    assert Case.objects.get(pk=case.pk).state == c.State.ACCEPTED


def test_detail_page_offers_templates_next_to_the_text_field(client, world, people):
    p = people
    template_create(actor=None, region_code="", kind="rejection", step="reject", title="重复反映",
                    body="{编号}与已受理事项重复")
    case = make_case(world.grid.code, actor=p["worker"])
    client.force_login(p["leader"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="template-picker"' in page and f"{case.number}与已受理事项重复" in page
    assert "replies/picker" in page


# --- bulk ---------------------------------------------------------------------------------------------------

def _accepted(world, p, n, **kw):
    return [go(make_case(world.grid.code, actor=p["worker"], **kw), p["leader"], "accept") for _ in range(n)]


def test_bulk_dispatch_reports_each_item_and_never_acts_out_of_scope(world, people, make_user):
    p = people
    mine = _accepted(world, p, 4)
    fresh = make_case(world.grid.code, actor=p["worker"])  # not accepted yet: refused by the workflow
    outside = make_case(world.other_grid.code)
    t = template_create(actor=None, region_code="", kind="case_reply", step="dispatch", title="t", body="{编号}请办理")
    ids = [x.pk for x in mine] + [fresh.pk, outside.pk, 987654]
    report = bulk.case_bulk_apply(actor=p["staff"], action="dispatch", ids=ids,
                                  data={"body": p["body"].pk, "template": t.pk, "note": t.body})
    by_id = {r["id"]: r for r in report["results"]}
    assert report["ok"] == 4 and report["refused"] == 3
    assert all(by_id[x.pk]["ok"] for x in mine)
    assert "已受理" in by_id[fresh.pk]["reason"] or "不能执行" in by_id[fresh.pk]["reason"]
    assert by_id[outside.pk]["reason"] == by_id[987654]["reason"] == "不存在或不在您的工作范围内"
    assert by_id[outside.pk]["number"] == ""  # nothing of the foreign case is told
    outside.refresh_from_db()
    assert outside.state == c.State.REPORTED and outside.version == 1
    assert set(Case.objects.filter(pk__in=[x.pk for x in mine]).values_list("state", flat=True)) == {
        c.State.DISPATCHED}
    notes = CaseHistory.objects.filter(case__in=mine, action="dispatch")
    assert all(h.template_id == t.pk and h.case.number in h.note for h in notes.select_related("case"))
    assert AuditEvent.objects.filter(action="case.bulk").count() == 1


def test_bulk_accept_and_merge(world, people):
    p = people
    reported = [make_case(world.grid.code, actor=p["worker"]) for _ in range(3)]
    report = bulk.case_bulk_apply(actor=p["leader"], action="accept", ids=[x.pk for x in reported], data={})
    assert report["ok"] == 3
    original = make_case(world.grid.code, actor=p["worker"])
    report = bulk.case_bulk_apply(actor=p["leader"], action="merge", ids=[x.pk for x in reported] + [original.pk],
                                  data={"original": original.number})
    assert report["ok"] == 3 and report["refused"] == 1  # the original can't be its own duplicate
    assert set(Case.objects.filter(pk__in=[x.pk for x in reported]).values_list("duplicate_of", flat=True)) == {
        original.pk}


def test_select_all_takes_every_case_matching_the_filter_not_just_the_page(world, people):
    p = people
    cat = make_category("lamp", "路灯")
    target = _accepted(world, p, 30, category=cat)
    _accepted(world, p, 2)  # another category: not matched
    ids = bulk.bulk_ids(actor=p["staff"], filters={"category": "lamp", "state": "accepted"}, select_all=True)
    assert sorted(ids) == sorted(x.pk for x in target)
    outsider = bulk.bulk_ids(actor=p["body_staff"], filters={"category": "lamp"}, select_all=True)
    assert outsider == []


def test_a_large_bulk_runs_as_a_task_with_progress(world, people, monkeypatch):
    p = people
    monkeypatch.setattr(bulk, "INLINE_LIMIT", 3)
    cases = _accepted(world, p, 5)
    progress = bulk.case_bulk_start(actor=p["staff"], action="dispatch", ids=[x.pk for x in cases],
                                    data={"body": p["body"].pk})
    assert progress.state == TaskProgress.State.DONE and progress.done == 5
    assert progress.result["ok"] == 5 and len(progress.result["results"]) == 5


def test_bulk_views(client, world, people, make_user):
    p = people
    cases = _accepted(world, p, 3)
    outside = make_case(world.other_grid.code)
    client.force_login(p["staff"])
    assert client.get(reverse("cases:bulk")).status_code == 405
    resp = client.post(reverse("cases:bulk"), {"bulk_action": "dispatch", "body": p["body"].pk,
                                               "ids": [x.pk for x in cases] + [outside.pk, "x"]})
    assert resp.status_code == 302
    page = client.get(resp["Location"]).content.decode()
    assert page.count('data-ok="1"') == 3 and page.count('data-ok="0"') == 1 and "不存在或不在您的工作范围内" in page
    outside.refresh_from_db()
    assert outside.state == c.State.REPORTED
    # nothing ticked: a message, no job
    resp = client.post(reverse("cases:bulk"), {"bulk_action": "accept"})
    assert resp.status_code == 302 and "/cases/" in resp["Location"]
    # another user's report is not found
    task_url = TaskProgress.objects.filter(kind="cases.bulk").first().pk
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    assert client.get(reverse("cases:bulk_report", args=[task_url])).status_code == 404
    # a resident can't post bulk work at all
    client.force_login(p["resident"])
    assert client.post(reverse("cases:bulk"), {"bulk_action": "accept", "ids": [cases[0].pk]}).status_code == 403


def test_list_page_shows_the_bulk_bar_to_staff_only(client, world, people):
    p = people
    make_case(world.grid.code, actor=p["worker"])
    client.force_login(p["staff"])
    page = client.get(reverse("cases:list")).content.decode()
    assert 'data-testid="bulk-form"' in page and 'name="select_all"' in page
    client.force_login(p["body_staff"])
    assert 'data-testid="bulk-form"' not in client.get(reverse("cases:list")).content.decode()


# --- honest reopen ------------------------------------------------------------------------------------------

def _fixed(world, p, *, outcome=c.Outcome.FIXED):
    case = make_case(world.grid.code, actor=p["resident"], channel=c.Channel.RESIDENT)
    case = go(go(case, p["leader"], "accept"), p["leader"], "dispatch", body=p["body"].pk)
    case = go(go(case, p["body_staff"], "start"), p["body_staff"], "complete", outcome=outcome, note="修好了")
    return go(go(case, p["leader"], "verify"), p["leader"], "feedback", note="已处理")


def test_resident_reopens_a_fixed_case_to_the_same_handler_with_evidence(world, people):
    p = people
    case = _fixed(world, p)
    case = go(case, p["resident"], "rate", score=5)
    before_assignments = list(CaseAssignment.objects.filter(case=case, active=True).values_list("body_id", flat=True))
    case = case_transition(actor=p["resident"], case=case, action="recur", data={"note": "井盖又坏了"},
                           photos=[image_upload(size=(64, 48))])
    case.refresh_from_db()
    assert case.state == c.State.HANDLING and case.lead_body == p["body"] and case.reopen_count == 1
    assert case.outcome == "" and case.step == c.Step.HANDLE and case.due_at
    assert list(CaseAssignment.objects.filter(case=case, active=True).values_list("body_id", flat=True)) == \
        before_assignments
    entry = CaseHistory.objects.get(case=case, action="recur")
    assert entry.note == "井盖又坏了" and CasePhoto.objects.filter(history=entry).count() == 1
    assert p["body_staff"].notifications.filter(kind="case.recur").exists()
    # the handler goes on as before
    go(case, p["body_staff"], "progress", note="已复查")


def test_only_the_reporter_reopens_and_only_a_fixed_case(world, people):
    p = people
    case = _fixed(world, p)
    with pytest.raises(NotAllowed):
        go(case, p["leader"], "recur", note="x")
    with pytest.raises(ServiceError):
        go(case, p["resident"], "recur")  # no evidence text
    unable = _fixed(world, p, outcome=c.Outcome.UNABLE_TO_FIX)
    with pytest.raises(NotAllowed):
        go(unable, p["resident"], "recur", note="x")
    Case.objects.filter(pk=case.pk).update(completed_at=timezone.now() - dt.timedelta(days=91))
    case.refresh_from_db()
    with pytest.raises(NotAllowed):
        go(case, p["resident"], "recur", note="x")


def test_reopens_count_in_the_reopen_rate(world, people):
    p = people
    first, second = _fixed(world, p), _fixed(world, p)
    go(first, p["resident"], "recur", note="又坏了")
    today = timezone.localdate()
    value = indicators.compute("cases.reopen_rate", codes=[world.community.code], start=today,
                               end=today + dt.timedelta(days=1))[world.community.code]
    assert value == 50.0  # one reopen over two closed cases
    assert second.state == c.State.FEEDBACK


def test_resident_page_offers_recur_and_posts_it(client, world, people):
    p = people
    case = _fixed(world, p)
    client.force_login(p["resident"])
    page = client.get(reverse("cases:my_detail", args=[case.pk])).content.decode()
    assert 'data-testid="recur"' in page
    resp = client.post(reverse("cases:my_act", args=[case.pk]), {"action": "recur", "version": case.version,
                                                                 "note": "又漏水了"})
    assert resp.status_code == 302
    assert Case.objects.get(pk=case.pk).state == c.State.HANDLING


# --- not our responsibility ---------------------------------------------------------------------------------

def test_not_our_responsibility_must_name_a_responsible_body_and_forwards(world, people, make_user):
    p = people
    cat = make_category()
    water = make_body(name="自来水公司", kind=c.HandlerType.UTILITY, region_code="321002")
    water_staff = make_body_staff(water)
    other = make_body(name="区园林局", kind=c.HandlerType.DISTRICT_DEPARTMENT, region_code="321002")
    water.categories.add(cat)
    case = make_case(world.grid.code, actor=p["worker"], category=cat)
    case = go(go(go(case, p["leader"], "accept"), p["leader"], "dispatch", body=p["body"].pk), p["body_staff"],
              "start")
    nor = c.Outcome.NOT_OUR_RESPONSIBILITY
    with pytest.raises(ServiceError) as e:
        go(case, p["body_staff"], "complete", outcome=nor, note="不归我们管")
    assert e.value.field == "body"
    with pytest.raises(ServiceError) as e:  # a body whose responsibility list does not name the category
        go(case, p["body_staff"], "complete", outcome=nor, note="不归我们管", body=other.pk)
    assert "职责清单" in e.value.user_message
    assert Case.objects.get(pk=case.pk).state == c.State.HANDLING
    case = go(case, p["body_staff"], "complete", outcome=nor, note="供水管道属自来水公司", body=water.pk)
    assert case.state == c.State.DISPATCHED and case.lead_body == water and case.outcome == ""
    assert list(CaseAssignment.objects.filter(case=case, active=True).values_list("body_id", flat=True)) == [water.pk]
    entry = CaseHistory.objects.get(case=case, action="forward")
    assert "自来水公司" in entry.note and "供水管道" in entry.note
    assert water_staff.notifications.filter(kind="case.forward").exists()
    go(case, water_staff, "start")  # the responsible body now handles it


def test_responsibility_list_is_kept_on_the_bodies_page(client, world, make_user):
    street = make_user(Role.STREET_MANAGER, world.street.code)
    body = make_body()
    road, lamp = make_category(), make_category("lamp", "路灯")
    verified_login(client, street)  # a street manager signs in with two factors
    url = reverse("configuration:bodies")
    page = client.get(url, {"street": world.street.code, "body": body.pk}).content.decode()
    assert 'data-testid="body-categories"' in page
    resp = client.post(url, {"street": world.street.code, "body": body.pk, "action": "categories",
                             "categories": [road.pk, lamp.pk, "x"]})
    assert resp.status_code == 302
    assert set(body.categories.all()) == {road, lamp}
    assert AuditEvent.objects.filter(action="cases.body_categories").count() == 1
    other = make_user(Role.STREET_MANAGER, world.other_street.code)
    with pytest.raises(NotAllowed):
        handling_body_set_categories(actor=other, body=body, categories=[])


def test_demo_steps_give_responsibility_lists_and_default_templates(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    ctx = DemoContext(persons=0, stdout=lambda s: None)
    regions(ctx=ctx)
    accounts(ctx=ctx)
    cases(ctx=ctx)
    build_responsibilities(ctx=ctx)
    replies(ctx=ctx)
    replies(ctx=ctx)  # idempotent
    assert HandlingBody.objects.filter(categories__isnull=False).distinct().count() >= 2
    assert ResponseTemplate.objects.filter(region_code="").count() == 8


def test_bulk_dispatch_shares_the_batch_work_and_tells_each_body_member_once_per_case(world, people,
                                                                                      django_assert_max_num_queries):
    p = people
    second = make_body_staff(p["body"])
    t = template_create(actor=None, region_code="", kind="case_reply", step="dispatch", title="t", body="{编号}请办理")

    def run(n):
        ids = [x.pk for x in _accepted(world, p, n)]
        with CaptureQueriesContext(connection) as ctx:
            report = bulk.case_bulk_apply(actor=p["staff"], action="dispatch", ids=ids,
                                          data={"body": p["body"].pk, "template": t.pk, "note": t.body})
        assert report["ok"] == n
        return ids, len(ctx.captured_queries)

    ids, few = run(3)
    _ids, more = run(9)
    assert (more - few) / 6 <= 12  # per item: its own transition only (was about 20 with the shared reads)
    for user in (p["body_staff"], second):
        told = Notification.objects.filter(recipient=user, kind="case.dispatch", object_id__in=[str(i) for i in ids])
        assert sorted(int(n.object_id) for n in told) == sorted(ids)
    assert not Notification.objects.filter(recipient=p["staff"], kind="case.dispatch").exists()  # not of one's own act


def test_a_refused_item_in_a_chunk_rolls_back_alone_with_its_messages(world, people, monkeypatch):
    p = people
    cases = _accepted(world, p, 4)
    real = services.case_transition

    def flaky(*, actor, case, action, data=None, **kw):
        if case.pk == cases[1].pk:  # fails after its writes and messages: all of them must go
            real(actor=actor, case=case, action=action, data=data, **kw)
            raise ServiceError("模拟失败")
        return real(actor=actor, case=case, action=action, data=data, **kw)

    monkeypatch.setattr(services, "case_transition", flaky)
    report = bulk.case_bulk_apply(actor=p["staff"], action="dispatch", ids=[x.pk for x in cases],
                                  data={"body": p["body"].pk})
    assert report["ok"] == 3 and report["results"][0] == {**report["results"][0], "id": cases[1].pk, "ok": False}
    assert Case.objects.get(pk=cases[1].pk).state == c.State.ACCEPTED
    assert not Notification.objects.filter(kind="case.dispatch", object_id=str(cases[1].pk)).exists()
    assert Notification.objects.filter(kind="case.dispatch", object_id__in=[str(x.pk) for x in cases if x != cases[1]]).count() == 3
