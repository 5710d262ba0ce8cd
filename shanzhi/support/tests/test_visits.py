"""Plans, reviews on the risk's schedule, visits with due dates, overdue alerts that clear, and closure."""

import datetime as dt

import pytest
from django.utils import timezone

from shanzhi.core.errors import ServiceError
from shanzhi.core.models import TransitionHistory
from shanzhi.core.testing import verified_login
from shanzhi.notifications.models import Notification
from shanzhi.registry.testing import person_in
from shanzhi.support import choices as c
from shanzhi.support import services as s
from shanzhi.support.models import Category, Record, Visit

pytestmark = pytest.mark.django_db


def test_create_sets_the_first_visit_and_review_by_risk(record, worker):
    visit = Visit.objects.get(record=record)
    assert visit.responsible == worker and visit.due_on == timezone.localdate() + dt.timedelta(days=7)
    assert record.next_review_on == record.started_on + dt.timedelta(days=30)


def test_only_purpose_roles_create(world, worker, staff):
    s.categories_ensure()
    for actor in (worker, staff):
        with pytest.raises(ServiceError):
            s.record_create(actor=actor, person=person_in(world.grid.code), category=Category.objects.first(),
                            risk="low", risk_reasons="x", started_on=dt.date(2026, 1, 1), source_document="x",
                            responsible=worker)


def test_one_open_record_per_person_and_category(record, officer, worker):
    with pytest.raises(ServiceError):
        s.record_create(actor=officer, person=record.person, category=record.category, risk="low",
                        risk_reasons="重复", started_on=dt.date(2026, 2, 1), source_document="x", responsible=worker)


def test_plan_and_review_lowering_risk_reschedules(record, officer):
    plan = s.plan_add(actor=officer, record=record, goals="稳定就业", help_kinds=["job", "dibao"],
                      help_given="推荐至物业公司")
    assert plan.help_labels() == ["就业", "低保"]
    with pytest.raises(ServiceError):
        s.plan_add(actor=officer, record=record, goals="x", help_kinds=["flying"])
    s.review_add(actor=officer, record=record, findings="表现良好", risk_after=c.Risk.LOW)
    record.refresh_from_db()
    assert record.risk == c.Risk.LOW and record.next_review_on == timezone.localdate() + dt.timedelta(days=180)
    s.review_add(actor=officer, record=record, findings="再次违规", risk_after=c.Risk.HIGH)
    visit = Visit.objects.get(record=record, done_at__isnull=True)
    assert visit.due_on <= timezone.localdate() + dt.timedelta(days=7)


def test_overdue_alerts_the_worker_and_grid_leader_once_and_clear_on_logging(record, worker, leader):
    Visit.objects.filter(record=record).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    assert s.overdue_alerts() == 1
    assert s.overdue_alerts() == 0  # once per visit
    notes = Notification.objects.filter(kind="support.visit_overdue")
    assert set(notes.values_list("recipient_id", flat=True)) == {worker.pk, leader.pk}
    assert all(n.read_at is None for n in notes)
    visit = Visit.objects.get(record=record)
    s.visit_log(actor=worker, visit=visit, kind="home", notes="在家，情绪稳定")
    assert all(n.read_at is not None for n in Notification.objects.filter(kind="support.visit_overdue"))
    nxt = Visit.objects.get(record=record, done_at__isnull=True)
    assert nxt.due_on == timezone.localdate() + dt.timedelta(days=7)
    with pytest.raises(ServiceError):
        s.visit_log(actor=worker, visit=visit, kind="home", notes="再登记一次")


def test_visit_needs_notes(record, worker):
    with pytest.raises(ServiceError):
        s.visit_log(actor=worker, visit=Visit.objects.get(record=record), kind="home", notes=" ")


def test_the_visit_page_on_a_phone(client, record, worker):
    client.force_login(worker)
    visit = Visit.objects.get(record=record)
    assert client.get("/support/visits/").status_code == 200
    r = client.post(f"/support/visits/{visit.pk}/log/", {"kind": "phone", "notes": "电话联系，已就业"})
    assert r.status_code == 302
    assert Visit.objects.get(pk=visit.pk).done_at is not None


def test_closure_needs_reason_and_review_and_keeps_history(record, officer, leader, secretary):
    with pytest.raises(ServiceError):
        s.record_transition(actor=leader, record=record, action="request_close", data={})
    record = s.record_transition(actor=leader, record=record, action="request_close",
                                 data={"reason": "矫正期满"})
    with pytest.raises(ServiceError):  # the grid leader does not approve
        s.record_transition(actor=leader, record=record, action="approve_close", data={"review": "同意"})
    record = s.record_transition(actor=secretary, record=record, action="approve_close",
                                 data={"review": "期满，表现良好，同意结案"})
    record.refresh_from_db()
    assert record.state == c.State.CLOSED and record.closed_on == timezone.localdate()
    assert record.close_reason == "矫正期满"
    assert list(TransitionHistory.objects.filter(object_id=str(record.pk), workflow="support.record")
                .values_list("action", flat=True)) == ["request_close", "approve_close"]
    assert not Visit.objects.filter(record=record, done_at__isnull=True).exists()
    with pytest.raises(ServiceError):
        s.plan_add(actor=officer, record=record, goals="x", help_kinds=[])


def test_record_pages_render_for_the_officer(client, record, officer):
    verified_login(client, officer)
    assert client.get("/support/").status_code == 200
    page = client.get(f"/support/records/{record.pk}/").content.decode()
    assert "帮教甲某" in page and "加入小组" in page
    r = client.post(f"/support/records/{record.pk}/team/", {"side": "school", "role": "member", "name": "李老师",
                                                            "unit": "扬州中学"})
    assert r.status_code == 302 and record.team.filter(name="李老师").exists()
    assert client.get("/support/stats/").status_code == 200
    assert client.get("/support/new/").status_code == 200


def test_new_record_from_the_page_finds_the_person_by_id_number(client, officer, worker, world):
    s.categories_ensure()
    person_in(world.grid.code, name="新对象", id_number="321002198005170031")
    verified_login(client, officer)
    cat = Category.objects.get(code="drug")
    data = {"id_number": "321002198005170031", "category": cat.pk, "risk": "medium", "risk_reasons": "复吸风险",
            "started_on": "2026-03-01", "source_document": "戒毒决定书1号", "responsible": worker.pk}
    r = client.post("/support/new/", data)
    assert r.status_code == 302, r.content.decode()[:500]
    assert Record.objects.filter(person__name="新对象", category=cat).exists()
    r = client.post("/support/new/", {**data, "id_number": "110101199003070011"})
    assert r.status_code == 200 and "找不到" in r.content.decode()


def test_a_review_past_its_date_is_told_to_the_safety_officer_once(record, officer):
    Record.objects.filter(pk=record.pk).update(next_review_on=timezone.localdate() - dt.timedelta(days=1))
    assert s.review_alerts() == 1
    s.review_alerts()
    assert Notification.objects.filter(kind="support.review_due", recipient=officer).count() == 1
    s.review_add(actor=officer, record=Record.objects.get(pk=record.pk), findings="按期评估", risk_after="medium")
    assert not Notification.objects.filter(kind="support.review_due", read_at__isnull=True).exists()


def test_team_member_removed_from_the_page(client, record, officer, staff):
    member = s.team_add(actor=officer, record=record, side="community", user=staff)
    verified_login(client, officer)
    assert client.post(f"/support/records/{record.pk}/team/remove/", {"member": member.pk}).status_code == 302
    assert not Record.objects.restrict(staff, "view").filter(pk=record.pk).exists()
