"""Browser stories of issue 22 (items 2 and 4), at 1280 px and 375 px: a community staff member filters the case
list, takes all 50 matching cases and bulk-dispatches them to one body with a response template, and reads the
per-item report (the two not yet accepted are refused with the reason); a resident reopens a case closed as
fixed with new evidence, it goes back to the same handler and the reopen rate counts it; a 'not our
responsibility' closure without a body is refused, with one it forwards."""

import os
import re

import pytest

from shanzhi.cases import choices as c
from shanzhi.cases.models import Case, CaseAssignment, CaseHistory, HandlingBodyMember
from shanzhi.cases.services import case_transition
from shanzhi.cases.testing import image_upload, make_body, make_case, make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user
from shanzhi.replies.services import template_create
from tests import a11y

os.makedirs(os.path.join(os.path.dirname(__file__), "..", "var", "screenshots", "casework"), exist_ok=True)


def go(case, actor, action, **data):
    return case_transition(actor=actor, case=case, action=action, data=data)


@pytest.fixture
def cast(world):
    lamp = make_category(code="lamp", name="路灯损坏")
    make_category(code="road", name="道路破损")
    body = make_body(name="曲江街道城管科", region_code=world.street.code)
    people = {
        "worker": make_user(Role.GRID_WORKER, world.grid.code, username="wang", display_name="王网格"),
        "leader": make_user(Role.GRID_LEADER, world.grid.code, username="li", display_name="李网格长"),
        "staff": make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhang", display_name="张社工"),
        "resident": make_user(Role.RESIDENT, world.grid.code, username="wu", display_name="吴居民"),
        "handler": make_user(Role.HANDLING_BODY_STAFF, world.street.code, username="sun", display_name="孙办事员"),
    }
    HandlingBodyMember.objects.create(body=body, user=people["handler"])
    return {"lamp": lamp, "body": body, **people}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_bulk_dispatch_of_fifty_filtered_cases_with_a_template(browser_page, world, cast):
    p = cast
    template_create(actor=None, region_code=world.community.code, kind="case_reply", step="dispatch",
                    title="路灯限时修复", body="请于{期限}前修复{编号}，完成后上传照片")
    accepted = [go(make_case(world.grid.code, actor=p["worker"], category=p["lamp"], title=f"路灯不亮{i}"),
                   p["leader"], "accept") for i in range(48)]
    fresh = [make_case(world.grid.code, actor=p["worker"], category=p["lamp"], title=f"新报路灯{i}") for i in range(2)]
    make_case(world.grid.code, actor=p["worker"], title="别的类别")  # filtered out
    outside = make_case(world.other_grid.code, category=p["lamp"], title="别的街道")

    for viewport in ("desktop", "phone"):
        page = browser_page(viewport)
        page.login("zhang", PASSWORD)
        page.goto("/cases/")
        if viewport == "phone":  # the filters are folded behind one button on phones
            page.click("[data-testid=filter-toggle]")
        page.select_option("select[name=category]", value="lamp")
        page.wait_for_url(re.compile(r"category=lamp"))
        page.wait_for_selector("text=共 50 件")
        page.shot("casework/bulk-filtered")
        if viewport == "phone":
            break  # the phone shows the same bar; the run happens once, below, on the desktop page
        page.check("[data-testid=bulk-all]")
        page.select_option("[data-testid=bulk-action]", value="dispatch")
        page.select_option("[data-testid=bulk-body]", label="曲江街道城管科")
        page.click("[data-testid=template-picker] button:has-text('路灯限时修复')")
        assert "{编号}" in page.input_value("[data-testid=bulk-note]")
        page.shot("casework/bulk-form")
        page.click("[data-testid=bulk-submit]")
        page.wait_for_url(re.compile(r"/cases/bulk/[0-9a-f-]+/"))
        assert page.inner_text("[data-testid=bulk-ok]") == "48"
        assert page.inner_text("[data-testid=bulk-refused]") == "2"
        assert page.locator("tr[data-ok='0']").count() == 2
        assert "不能执行" in page.locator("tr[data-ok='0']").first.inner_text()
        page.shot("casework/bulk-report")
        report_url = page.url

    phone = browser_page("phone")
    phone.login("zhang", PASSWORD)
    phone.goto(report_url)
    phone.wait_for_selector("[data-testid=bulk-results]")
    phone.shot("casework/bulk-report")

    assert Case.objects.filter(pk__in=[x.pk for x in accepted], state=c.State.DISPATCHED,
                               lead_body=p["body"]).count() == 48
    assert Case.objects.filter(pk__in=[x.pk for x in fresh], state=c.State.REPORTED).count() == 2
    assert Case.objects.get(pk=outside.pk).state == c.State.REPORTED
    notes = CaseHistory.objects.filter(case__in=accepted, action="dispatch", template__isnull=False)
    assert notes.count() == 48 and all(h.case.number in h.note for h in notes.select_related("case"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_reopens_a_fixed_case_and_the_kpi_counts_it(browser_page, world, cast):
    p = cast
    case = make_case(world.grid.code, actor=p["resident"], channel=c.Channel.RESIDENT, category=p["lamp"],
                     title="5栋路灯不亮")
    case = go(go(case, p["leader"], "accept"), p["leader"], "dispatch", body=p["body"].pk)
    case = go(go(case, p["handler"], "start"), p["handler"], "complete", outcome=c.Outcome.FIXED, note="已更换灯泡")
    case = go(go(case, p["leader"], "verify"), p["leader"], "feedback", note="路灯已修复")

    res = browser_page("phone")
    res.login("wu", PASSWORD)
    res.goto(f"/cases/mine/{case.pk}/")
    res.wait_for_selector("[data-testid=recur]")
    res.fill("#recur-note", "修好两天又不亮了，晚上很黑")
    upload = image_upload(size=(800, 600), colour="navy", name="又坏了.jpg")
    res.set_input_files("#recur-photos", files=[{"name": upload.name, "mimeType": "image/jpeg",
                                                  "buffer": upload.read()}])
    res.shot("casework/reopen-form")
    res.click("[data-testid=recur-submit]")
    res.wait_for_selector("[data-testid=state]:has-text('处置中')")
    res.shot("casework/reopen-done")

    case.refresh_from_db()
    assert case.state == c.State.HANDLING and case.lead_body == p["body"] and case.reopen_count == 1
    assert list(CaseAssignment.objects.filter(case=case, active=True).values_list("body_id", flat=True)) == [
        p["body"].pk]
    assert case.photos.filter(history__action="recur").count() == 1

    # the handler sees it back on their list; the community's dashboard counts the reopen
    h = browser_page("desktop")
    h.login("sun", PASSWORD)
    h.goto(f"/cases/{case.pk}/")
    h.wait_for_selector("text=问题复发，重新办理")
    h.shot("casework/reopen-handler")
    for viewport in ("desktop", "phone"):
        boss = browser_page(viewport)
        boss.login("zhang", PASSWORD)
        boss.goto("/cases/dashboard/")
        assert boss.inner_text("[data-testid=reopen-rate]") == "100.0%"  # one reopen over one closure
        boss.shot("casework/dashboard-reopen-rate")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_not_our_responsibility_needs_a_body_and_forwards(browser_page, world, cast):
    p = cast
    water = make_body(name="自来水公司", kind=c.HandlerType.UTILITY, region_code=world.district.code)
    water.categories.add(p["lamp"])
    case = make_case(world.grid.code, actor=p["worker"], category=p["lamp"], title="路灯下水管漏水")
    case = go(go(go(case, p["leader"], "accept"), p["leader"], "dispatch", body=p["body"].pk), p["handler"], "start")

    for viewport in ("desktop", "phone"):
        h = browser_page(viewport)
        h.login("sun", PASSWORD)
        h.goto(f"/cases/{case.pk}/")
        form = "form:has(button[data-action=complete])"
        h.select_option(f"{form} select[name=outcome]", value=c.Outcome.NOT_OUR_RESPONSIBILITY)
        h.fill(f"{form} textarea[name=note]", "供水管道不属城管职责")
        if viewport == "desktop":
            h.click("button[data-action=complete]")
            h.wait_for_selector("text=须写明负责单位")
            h.shot("casework/forward-refused")
            assert Case.objects.get(pk=case.pk).state == c.State.HANDLING
            continue
        h.select_option(f"{form} [data-testid=forward-body]", label="自来水公司（公用事业单位）")
        h.shot("casework/forward-form")
        h.click("button[data-action=complete]")
        h.wait_for_selector("text=已分派")
        h.shot("casework/forward-done")

    case.refresh_from_db()
    assert case.state == c.State.DISPATCHED and case.lead_body == water
    assert "自来水公司" in CaseHistory.objects.get(case=case, action="forward").note


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_casework_pages_pass_axe_at_both_widths(browser_page, world, cast):
    """The pages this work adds or changes, with their new parts showing: the list's bulk bar, the template
    picker and the responsible-body choice on a case, the bulk report, the resident's reopen form and the
    template page."""
    p = cast
    template_create(actor=None, region_code="", kind="case_reply", step="complete", title="已修复", body="{编号}已修复")
    template_create(actor=None, region_code="", kind="case_reply", step="dispatch", title="限时", body="{编号}")
    handling = go(go(go(make_case(world.grid.code, actor=p["worker"], category=p["lamp"]), p["leader"], "accept"),
                     p["leader"], "dispatch", body=p["body"].pk), p["handler"], "start")
    mine = make_case(world.grid.code, actor=p["resident"], channel=c.Channel.RESIDENT, category=p["lamp"])
    mine = go(go(mine, p["leader"], "accept"), p["leader"], "dispatch", body=p["body"].pk)
    mine = go(go(mine, p["handler"], "start"), p["handler"], "complete", outcome=c.Outcome.FIXED, note="好了")
    mine = go(mine, p["leader"], "verify")
    visits = {"zhang": ["/cases/", "/replies/", "/cases/dashboard/"], "sun": [f"/cases/{handling.pk}/"],
              "wu": [f"/cases/mine/{mine.pk}/"]}
    found = {}
    for viewport in ("desktop", "phone"):
        for who, urls in visits.items():
            page = browser_page(viewport)
            page.login(who, PASSWORD)
            if who == "zhang" and viewport == "desktop":  # a bulk report of their own (bulk work is a desk job)
                page.goto("/cases/")
                page.check("[data-testid=bulk-pick] >> nth=0")
                page.select_option("[data-testid=bulk-action]", value="accept")
                page.click("[data-testid=bulk-submit]")
                page.wait_for_url(re.compile(r"/cases/bulk/[0-9a-f-]+/"))
                urls = [*urls, page.url]
            for url in urls:
                page.goto(url)
                page.wait_for_load_state("load")
                problems = [f"axe {v['id']} {v['nodes'][:2]}" for v in a11y.axe_violations(page)]
                problems += a11y.structure_problems(page)
                if problems:
                    found[f"{url} {viewport}"] = problems
        if viewport == "desktop":
            page.goto("/replies/")
            page.shot("casework/templates-page")
    assert not found, found
