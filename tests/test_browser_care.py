"""Browser stories of issue 17 in Debian Chromium: a grid worker logs a due 帮教 visit on a phone and the overdue
alert clears; a staff member outside the team is refused, breaks the glass with a reason, and the security admin
sees it; an election runs from the roll to a published result, with a write-in winner and one station's tally
mismatch caught and fixed. Screenshots in test-artifacts/ (and var/screenshots/)."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.elections.models import Election, Result, Station, Voter
from shanzhi.notifications.models import Notification
from shanzhi.registry.testing import household_in, person_in
from shanzhi.support import services as support
from shanzhi.support.models import Category, GlassGrant, Visit

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def snap(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(page.shot(f"care-{name}"), ARTIFACTS / f"care-{name}.png")


def _record(world, officer, worker, name="帮教对象甲"):
    support.categories_ensure()
    person = person_in(world.grid.code, name=name)
    return support.record_create(actor=officer, person=person, category=Category.objects.get(code="corrections"),
                                 risk="high", risk_reasons="缓刑期内两次未按时报到", started_on=dt.date(2026, 5, 1),
                                 source_document="扬广矫决字〔2026〕第031号", responsible=worker)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_grid_worker_logs_a_due_visit_on_a_phone_and_the_alert_clears(browser_page, world):
    officer = make_user(Role.SAFETY_OFFICER, world.community.code, username="qian", display_name="钱综治")
    worker = make_user(Role.GRID_WORKER, world.grid.code, username="wang", display_name="王网格")
    make_user(Role.GRID_LEADER, world.grid.code, username="li", display_name="李网格长")
    record = _record(world, officer, worker)
    Visit.objects.filter(record=record).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    assert support.overdue_alerts() == 1

    page = browser_page("phone")
    page.login("wang", PASSWORD)
    page.goto("/inbox/")
    assert "帮教走访已逾期" in page.inner_text("body")
    page.goto("/support/visits/")
    assert "已逾期" in page.inner_text("body")
    snap(page, "visits-overdue")
    page.click(f"[data-testid=visit-{Visit.objects.get(record=record).pk}]")
    page.wait_for_url(re.compile(r"/support/visits/\d+/log/"))
    page.select_option("#id_kind", value="home")
    page.fill("#id_notes", "上门走访：本人在家，已按时报到，情绪稳定")
    snap(page, "visit-log")
    page.click("form button.btn-primary")
    page.wait_for_url(re.compile(r"/support/visits/$"))
    assert "已逾期" not in page.inner_text("body")  # the next visit is due, not overdue
    snap(page, "visits-after")
    assert Visit.objects.filter(record=record, done_at__isnull=False).count() == 1
    assert not Notification.objects.filter(kind="support.visit_overdue", read_at__isnull=True).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_outside_the_team_breaks_the_glass_and_the_security_admin_sees_it(browser_page, world):
    officer = make_user(Role.SAFETY_OFFICER, world.community.code)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhang", display_name="张社工")
    sec = make_user(Role.SECURITY_ADMIN, world.city.code, username="secadmin", display_name="安全管理员")
    device = TOTPDevice.objects.create(user=sec, name="phone", confirmed=True)
    record = _record(world, officer, worker, name="帮教对象乙")

    staff = browser_page("desktop")
    staff.login("zhang", PASSWORD)
    resp = staff.goto(f"/support/records/{record.pk}/")
    assert resp.status == 403 and "无权查阅" in staff.inner_text("body")
    assert "帮教对象乙" not in staff.content()
    staff.fill("#id_reason", "该居民走失，家属报警，需核实其帮教联系人")
    staff.select_option("#id_hours", value="2")
    snap(staff, "refused")
    staff.click("[data-testid=break-glass]")
    staff.wait_for_url(re.compile(rf"/support/records/{record.pk}/$"))
    assert "帮教对象乙" in staff.inner_text("body") and staff.locator("[data-testid=glass-banner]").count() == 1
    snap(staff, "glass-open")

    admin = browser_page("desktop")
    admin.login("secadmin", PASSWORD)
    admin.fill("input[name=token]", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}")
    admin.click(".page-body button[type=submit]")
    admin.wait_for_load_state("networkidle")
    admin.goto("/support/glass/")
    grant = GlassGrant.objects.get(record=record)
    row = admin.locator(f"[data-testid=glass-{grant.pk}]")
    assert "该居民走失" in row.inner_text() and "张社工" in row.inner_text()
    assert "帮教对象乙" not in admin.content()  # the security admin sees the event, not the record
    snap(admin, "glass-log")
    row.locator("button.btn-danger").click()
    admin.wait_for_load_state("networkidle")
    staff.goto(f"/support/records/{record.pk}/")
    assert "无权查阅" in staff.inner_text("body")
    assert Notification.objects.filter(recipient=sec, kind="support.glass").exists()


def _post_form(page, action_value):
    page.click(f"form:has(input[name=action][value={action_value}]) button")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_election_from_roll_to_published_result(browser_page, world):
    make_user(Role.ELECTION_COMMITTEE, world.community.code, username="sun", display_name="孙选委")
    make_user(Role.ELECTION_COMMITTEE, world.community.code, username="zheng", display_name="郑计票")
    make_user(Role.COMMUNITY_SECRETARY, world.community.code, username="chen", display_name="陈书记")
    make_user(Role.COMMUNITY_SECRETARY, world.community.code, username="lin", display_name="林副书记")
    h = household_in(world.grid.code)
    for i in range(8):
        person_in(world.grid.code, household=h, name=f"选民{i + 1}", birth_date=dt.date(1970 + i, 1, 1))

    p = browser_page("phone")
    p.login("sun", PASSWORD)
    p.goto("/elections/new/")
    p.fill("#id_vote_on", "2026-12-20")
    p.fill("#id_objection_days", "0")
    p.fill("#id_member", "1")
    p.click("form button.btn-primary")
    p.wait_for_url(re.compile(r"/elections/\d+/$"))
    e = Election.objects.get()
    p.click("text=从人口库生成选民名单")
    p.wait_for_url(re.compile(r"/roll/$"))
    assert Voter.objects.filter(election=e).count() == 8
    snap(p, "election-roll")
    serial = {v.person.name: v.serial for v in Voter.objects.filter(election=e).select_related("person")}
    p.goto(f"/elections/{e.pk}/cards/")
    assert p.locator("svg").count() >= 8
    snap(p, "election-cards")
    p.goto(f"/elections/{e.pk}/")
    _post_form(p, "publish_roll")
    p.fill("#id_serial", serial["选民1"])
    p.select_option("#id_office", value="director")
    p.click("form[action$='/nominate/'] button")
    p.wait_for_load_state("networkidle")
    _post_form(p, "publish_candidates")
    for name, kind in (("第一投票站", "fixed"), ("流动票箱", "mobile")):
        p.fill("form[action$='/stations/'] #id_name", name)
        p.select_option("form[action$='/stations/'] #id_kind", value=kind)
        p.fill("form[action$='/stations/'] #id_staff", "王五,计票员\n赵六,监票员")
        p.click("form[action$='/stations/'] button")
        p.wait_for_load_state("networkidle")
    s1, s2 = Station.objects.filter(election=e).order_by("code")
    for st in (s1, s2):
        p.goto(f"/elections/stations/{st.pk}/")
        p.fill("#id_count", "10")
        p.click("form[action$='/ballots/print/'] button")
        p.wait_for_load_state("networkidle")
    p.goto(f"/elections/stations/{s1.pk}/ballots/")
    snap(p, "election-ballots")
    p.goto(f"/elections/{e.pk}/")
    _post_form(p, "open_voting")
    for i in range(1, 7):
        st = s1 if i <= 4 else s2
        p.goto(f"/elections/stations/{st.pk}/")
        p.fill("#id_serial", serial[f"选民{i}"])
        p.click("form[action$='/vote/'] button")
        p.wait_for_load_state("networkidle")
    p.goto(f"/elections/stations/{s2.pk}/")
    p.fill("#id_serial", serial["选民1"])  # already voted at the first station
    p.click("form[action$='/vote/'] button")
    p.wait_for_load_state("networkidle")
    assert "已在“第一投票站”投过票" in p.inner_text("body")
    snap(p, "election-double-vote")
    p.goto(f"/elections/{e.pk}/")
    _post_form(p, "close_voting")

    def enter(page, station, cast, director, write_in, write_votes, member):
        page.goto(f"/elections/stations/{station.pk}/")
        page.fill("#id_ballots_cast", str(cast))
        page.fill(f"#v-director-{serial['选民1']}", str(director))
        page.fill("input[name='w:deputy:0']", serial[write_in])
        page.fill("input[name='wn:deputy:0']", str(write_votes))
        page.fill("input[name='w:member:0']", serial["选民2"])
        page.fill("input[name='wn:member:0']", str(member))
        page.click("form[action$='/tally/'] button")
        page.wait_for_load_state("networkidle")

    enter(p, s1, 4, 4, "选民7", 3, 4)
    enter(p, s2, 2, 2, "选民7", 2, 2)
    clerk = browser_page("phone")
    clerk.login("zheng", PASSWORD)
    enter(clerk, s1, 4, 3, "选民7", 3, 4)  # a slip: 3 for the director instead of 4
    assert "两份录入不一致" in clerk.inner_text("body")
    snap(clerk, "election-tally-mismatch")
    enter(clerk, s2, 2, 2, "选民7", 2, 2)
    p.goto(f"/elections/{e.pk}/")
    p.click("[data-testid=count]")
    p.wait_for_load_state("networkidle")
    assert "第一投票站" in p.inner_text("body") and Election.objects.get().stage == "counting"
    enter(clerk, s1, 4, 4, "选民7", 3, 4)  # checked against the sheet and corrected
    assert "两份录入一致" in clerk.inner_text("body")
    p.goto(f"/elections/{e.pk}/")
    p.click("[data-testid=count]")
    p.wait_for_load_state("networkidle")
    assert Election.objects.get().stage == "decided"
    winner = Result.objects.get(election=e, office="deputy", elected=True)
    assert winner.write_in and winner.voter.person.name == "选民7"
    snap(p, "election-result")

    sec = browser_page("desktop")
    sec.login("chen", PASSWORD)
    sec.goto(f"/elections/{e.pk}/")
    _post_form(sec, "publish")
    entry = DisclosureEntry.objects.get(pk=Election.objects.get().disclosure_entry_id)
    rev = browser_page("desktop")
    rev.login("lin", PASSWORD)
    rev.goto(f"/public/manage/{entry.pk}/")
    # the result names the elected, so the privacy scan holds it: the reviewer publishes with a reason
    rev.fill("#privacy-override-reason", "选举结果公告依法载明当选人姓名")
    rev.click("[data-testid=override]")
    rev.wait_for_load_state("networkidle")
    pub = browser_page("phone")
    pub.goto(f"/public/?c={world.community.code}&entry={entry.pk}")
    body = pub.inner_text("body")
    assert "选举结果公告" in body and "选民7" in body and "另选他人" in body
    snap(pub, "election-published")
