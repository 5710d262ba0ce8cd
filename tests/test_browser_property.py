"""Issue 16's stories at phone width (375 px): a certificate carried by the community's 全程代办 and followed to
the end; a school playground booked; an estate adopting its fee standard by 双过半 with its statement public a
month later; a complaint about the property company becoming a case routed to it that moves its credit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shanzhi.cases.models import Case
from shanzhi.cases.services import case_transition
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.disclosure.services import entry_transition
from shanzhi.property import services as ps
from shanzhi.property.models import FeeBill, MonthlyStatement, OwnersVote, SelfManagedEstate
from shanzhi.property.testing import make_estate, valid_uscc
from shanzhi.registry.models import Building, Dwelling, Person
from shanzhi.services import choices as sc
from shanzhi.services.models import Booking, ProxyRequest
from shanzhi.services.services import booking_decide
from shanzhi.services.testing import make_item, make_point, make_venue


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _submit(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _resident(world, username):
    user = make_user(Role.RESIDENT, world.grid.code, username=username, display_name="王阿姨")
    Person.objects.create(name="王阿姨", region_code=world.grid.code, user=user)
    return user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_certificate_carried_by_the_community_to_the_end(browser_page, world):
    _resident(world, "wang")
    make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhang", display_name="张社工")
    item = make_item(world.street.code, name="居住证明", department="曲江派出所", materials="身份证\n租赁合同",
                     legal_days=3)

    resident = browser_page("phone")
    resident.login("wang", PASSWORD)
    _go(resident, "/services/catalogue/")
    resident.shot("property-proxy-catalogue")
    _submit(resident, f"a[href='/services/requests/new/?item={item.pk}']")
    resident.fill("textarea[name=note]", "孩子上学要用")
    _submit(resident, "form button.btn-primary")
    req = ProxyRequest.objects.get()
    assert resident.locator("[data-testid=request-state]").inner_text() == "已提交"
    resident.shot("property-proxy-submitted")

    staff = browser_page("phone")
    staff.login("zhang", PASSWORD)
    _go(staff, f"/services/requests/{req.pk}/")
    assert staff.locator("[data-testid=act-accept] button").is_disabled()  # materials missing: the reason shows
    assert "材料未收齐" in staff.locator("[data-testid=act-accept]").inner_text()
    for _ in range(2):
        _submit(staff, "[data-testid=material] form button")
    _submit(staff, "[data-testid=act-accept] button")
    staff.fill("[data-testid=act-submit_department] input[name=note]", "递交为民服务中心2号窗口")
    _submit(staff, "[data-testid=act-submit_department] button")
    staff.fill("#step-note", "派出所核对租赁合同原件，已补交")
    _submit(staff, "form:has(#step-note) button")
    staff.fill("[data-testid=act-result] input[name=note]", "居住证明已开具")
    _submit(staff, "[data-testid=act-result] button")
    staff.select_option("#signature_kind", "screen")
    pad = staff.locator("canvas[data-sz-signature]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    staff.mouse.move(box["x"] + 20, box["y"] + 90)
    staff.mouse.down()
    for i in range(1, 12):  # the resident signs on the clerk's phone
        staff.mouse.move(box["x"] + 20 + i * 22, box["y"] + 90 - (i % 3) * 25)
    staff.mouse.up()
    staff.shot("property-proxy-signature-pad")
    _submit(staff, "[data-testid=act-deliver] button[class*=btn-primary]")
    assert staff.locator("[data-testid=request-state]").inner_text() == "已签收"
    assert ProxyRequest.objects.get().signature.read().startswith(b"\x89PNG")
    assert staff.locator("[data-testid=signature-image]").count() == 1
    staff.shot("property-proxy-delivered-staff")

    _go(resident, f"/services/requests/{req.pk}/")
    timeline = resident.locator("[data-testid=timeline]").inner_text()
    for step in ("提交申请", "受理", "递交部门", "办理记录", "结果已出", "送达签收"):
        assert step in timeline
    resident.select_option("#rating", "5")
    resident.fill("#comment", "社区帮忙跑腿，很省心")
    _submit(resident, "[data-testid=own-rate] button")
    assert resident.locator("[data-testid=request-state]").inner_text() == "已评价"
    assert "5 ★" in resident.locator("[data-testid=request-rating]").inner_text()
    resident.shot("property-proxy-rated")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_resident_books_a_school_playground(browser_page, world):
    _resident(world, "wang")
    make_user(Role.STREET_MANAGER, world.street.code, username="zhao")
    venue = make_venue(world.street.code, name="育才小学操场", kind=sc.VenueKind.SCHOOL_PLAYGROUND,
                       provider="育才小学", needs_approval=True, opens_at=dt.time(7), closes_at=dt.time(19),
                       slot_minutes=120, area=4200, capacity=200)
    day = timezone.localdate() + dt.timedelta(days=2)

    page = browser_page("phone")
    page.login("wang", PASSWORD)
    _go(page, "/services/venues/")
    assert "育才小学操场" in page.locator("[data-testid=venue-card]").inner_text()
    page.shot("property-venues")
    _go(page, f"/services/venues/{venue.pk}/?date={day.isoformat()}")
    slot = page.locator("[data-testid=slot]").nth(5)  # 17:00–19:00
    slot.locator("input[name=purpose]").fill("亲子跳绳")
    slot.locator("input[name=people]").fill("12")
    page.shot("property-venue-slots")
    slot.locator("button").click()
    page.wait_for_load_state("networkidle")
    booking = Booking.objects.get()
    assert booking.state == sc.BookingState.PENDING and booking.start == dt.time(17)
    assert page.locator("[data-testid=booking-state]").first.inner_text() == "待审批"

    # the street approves; the resident's booking now carries its check-in QR code
    booking_decide(actor=make_user(Role.STREET_MANAGER, world.street.code), booking=booking, approve=True)
    _go(page, "/services/bookings/")
    assert page.locator("[data-testid=booking-state]").first.inner_text() == "已预约"
    assert page.locator("[data-testid=booking-qr] svg").count() == 1
    page.shot("property-booking-qr")
    # the slot is taken for everyone else
    _go(page, f"/services/venues/{venue.pk}/?date={day.isoformat()}")
    assert "我的预约" in page.locator("[data-testid=slot]").nth(5).inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_estate_votes_its_fee_standard_and_its_statement_is_public_a_month_later(browser_page, world):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhang", display_name="张社工")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    owners = [make_user(Role.RESIDENT, world.grid.code, username=f"owner{i}") for i in range(4)]
    estate = make_estate(world.grid.code, dwellings=4, owners=owners, areas=[Decimal("60"), Decimal("90")],
                         name="施井新村1区")
    sme = ps.sme_create(actor=staff, estate=estate, group_name="施井自管小组", started_on=dt.date(2025, 1, 1))
    treasurer = make_user(Role.OWNERS_COMMITTEE, world.community.code)
    ps.group_member_add(actor=staff, sme=sme, name="刘会计", duty="treasurer", user=treasurer)

    page = browser_page("phone")
    page.login("zhang", PASSWORD)
    _go(page, "/property/votes/new/")
    page.select_option("select[name=estate]", str(estate.pk))
    page.fill("input[name=title]", "物业费标准：每户每月30元")
    page.fill("textarea[name=motion]", "自管小组按每户每月30元收取物业费，用于保洁、照明和维修。")
    page.select_option("select[name=subject]", "fee_standard")
    page.select_option("select[name=fee_basis]", "per_dwelling")
    page.fill("input[name=fee_yuan]", "30")
    _submit(page, "form button.btn-primary")
    vote = OwnersVote.objects.get()

    owner = browser_page("phone")
    owner.login("owner0", PASSWORD)
    _go(owner, f"/property/votes/{vote.pk}/")
    _submit(owner, "[data-testid=ballot-form] button[value=for]")
    assert "已表决" in owner.content()
    owner.shot("property-vote-ballot")
    for user, choice in ((owners[1], "for"), (owners[2], "for"), (owners[3], "against")):
        ps.ballot_cast(actor=user, vote=vote, dwelling=Dwelling.objects.get(owner__user=user), choice=choice)
    _go(page, f"/property/votes/{vote.pk}/")
    _submit(page, "[data-testid=vote-close]")
    assert page.locator("[data-testid=vote-state]").inner_text() == "通过"
    assert page.locator("[data-testid=for-count]").inner_text() == "3"
    assert page.locator("[data-testid=for-area]").inner_text() == "210.00"
    page.shot("property-vote-double-majority")

    # a month of fees by the adopted standard, then the statement
    sme = SelfManagedEstate.objects.get(pk=sme.pk)
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    ps.bills_generate(actor=treasurer, sme=sme, month=month)
    for i, bill in enumerate(FeeBill.objects.filter(estate=sme)[:3]):
        ps.collection_record(actor=treasurer, sme=sme, bill=bill, amount=bill.amount, method="cash",
                             receipt_no=f"SJ{i}", date=month + dt.timedelta(days=2))
    ps.expense_record(actor=treasurer, sme=sme, amount=4000, payee="王师傅", purpose="更换楼道灯泡", receipt_no="F1",
                      date=month + dt.timedelta(days=12))
    ps.statement_prepare(actor=treasurer, sme=sme, month=month)
    _go(page, f"/property/estates/{sme.pk}/")
    assert page.locator("[data-testid=books-ok]").count() == 1
    _submit(page, "[data-testid=statement] form button")
    statement = MonthlyStatement.objects.get()
    assert statement.reviewed_by_id and statement.disclosure_id
    page.shot("property-estate-books")
    entry_transition(actor=secretary, entry=DisclosureEntry.objects.get(pk=statement.disclosure_id), action="approve")

    public = browser_page("phone")
    _go(public, f"/public/?c={world.community.code}&entry={statement.disclosure_id}")
    text = public.content()
    assert "施井自管小组" in text and "物业收支公开" in text and "更换楼道灯泡" in text
    public.shot("property-statement-public")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_complaint_becomes_a_case_routed_to_the_company_and_moves_its_credit(browser_page, world):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhang")
    resident = make_user(Role.RESIDENT, world.grid.code, username="wang")
    estate = make_estate(world.grid.code, dwellings=1, owners=[resident], name="玺园花园一期")
    Person.objects.filter(user=resident).update(dwelling=Dwelling.objects.get(building__estate=estate))
    company = ps.company_register(actor=staff, region_code=world.community.code, name="扬城物业",
                                  uscc=valid_uscc(5), qualification="second")
    employee = make_user(Role.HANDLING_BODY_STAFF, world.community.code, username="he")
    ps.company_staff_add(actor=staff, company=company, user=employee)
    ps.contract_register(actor=staff, company=company, estate=estate, starts_on=dt.date(2025, 1, 1),
                         ends_on=dt.date(2030, 1, 1))

    page = browser_page("phone")
    page.login("wang", PASSWORD)
    _go(page, "/property/complain/")
    page.fill("#title", "电梯停运两天")
    page.fill("#description", "3栋电梯停运两天，老人上下楼困难")
    page.shot("property-complaint-form")
    _submit(page, "form:has(#title) button")
    assert "/cases/mine/" in page.url

    office = browser_page("phone")
    office.login("zhang", PASSWORD)
    _go(office, f"/property/companies/{company.pk}/")
    assert office.locator("[data-testid=credit-score]").inner_text() == "100"

    case = Case.objects.get()
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case = case_transition(actor=leader, case=case, action="accept")
    case_transition(actor=leader, case=case, action="dispatch", data={"body": company.body_id})

    _go(office, f"/property/companies/{company.pk}/")
    assert office.locator("[data-testid=credit-score]").inner_text() == "98"
    assert office.locator("[data-testid=credit-complaints]").inner_text() == "1"
    assert "电梯停运两天" in office.locator("[data-testid=company-case]").inner_text()
    office.shot("property-company-credit")

    body = browser_page("phone")
    body.login("he", PASSWORD)
    _go(body, f"/cases/{case.pk}/")
    assert "电梯停运两天" in body.content()
    body.shot("property-company-case")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_service_map_without_a_tile_server(browser_page, world, viewport):
    user = _resident(world, "wang")
    building = Building.objects.create(region_code=world.grid.code, name="3栋", lat=32.3651, lng=119.4451)
    Person.objects.filter(user=user).update(dwelling=Dwelling.objects.create(
        region_code=world.grid.code, building=building, floor=2, room="201"))
    for i, (name, cat) in enumerate([("玺园卫生服务站", "medical"), ("日间照料中心", "elderly"), ("普惠托育园", "childcare"),
                                     ("便民超市", "store"), ("家电维修", "repair"), ("政务自助服务机", "kiosk")]):
        make_point(world.grid.code, name=name, category=cat, lat=32.362 + i * 0.001, lng=119.442 + i * 0.0012,
                   hours="每天 8:00-20:00")
    make_point(world.other_grid.code, name="别的街道药店", lat=32.366, lng=119.446)

    page = browser_page(viewport)
    _go(page, f"/services/map/?region={world.street.code}")
    page.wait_for_selector("#sz-points-map[data-ready='1']")
    assert page.locator("path.sz-point").count() == 6 and page.locator(".leaflet-tile").count() == 0
    assert "别的街道药店" not in page.content()
    page.shot("property-map-public")

    page.select_option("#point-category", "elderly")
    page.click("#sz-point-filter button")
    page.wait_for_selector("#sz-points-map[data-ready='1']")
    assert page.locator("path.sz-point").count() == 1

    page.login("wang", PASSWORD)
    _go(page, f"/services/map/?region={world.street.code}")
    page.wait_for_selector("#sz-points-map[data-ready='1']")
    first = page.locator("[data-testid=point]").first.inner_text()
    assert "便民超市" in first and "米" in first  # 48 m from the resident's building and page.locator("path.sz-home").count() == 1
    page.locator("path.sz-point-medical").click(force=True)
    page.locator(".leaflet-popup-content").wait_for()
    assert "玺园卫生服务站" in page.locator(".leaflet-popup-content").inner_text()
    page.shot("property-map-nearest")
