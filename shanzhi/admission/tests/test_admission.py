"""社区准入 end to end through the services, selectors, permissions and pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from shanzhi.admission import selectors, services
from shanzhi.admission.choices import DeliveryState, ListKind, ListState, WorkState
from shanzhi.admission.forms import PushForm
from shanzhi.admission.models import Delivery, Department, WorkItem
from shanzhi.core.errors import ServiceError
from shanzhi.core.indicators import compute
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.regions.models import Region

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


@pytest.fixture
def setup(world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    lists = {}
    for kind, rows in {ListKind.DUTY: [("居委会选举", False)],
                       ListKind.ASSIST: [("高龄津贴初审", True), ("退役军人信息采集", False)],
                       ListKind.NEGATIVE: [("出具无犯罪记录证明", False)]}.items():
        lst = services.list_create(actor=manager, district_code=world.district.code, kind=kind)
        for name, funded in rows:
            services.list_item_add(actor=manager, lst=lst, name=name, legal_basis="法", funding_required=funded)
        lists[kind] = services.list_publish(actor=manager, lst=lst)
    staff_user = make_user(Role.HANDLING_BODY_STAFF, world.street.code)
    dept = services.department_create(actor=manager, region_code=world.street.code, name="曲江街道城管科",
                                      kind="street_section", members=[staff_user])
    community = make_user(Role.COMMUNITY_STAFF, world.community.code)
    return {"manager": manager, "lists": lists, "sender": staff_user, "dept": dept, "community": community,
            "items": {i.name: i for lst in lists.values() for i in lst.items.all()}}


def _push(s, world, **kw):
    args = {"actor": s["sender"], "sender": s["dept"], "kind": "ledger", "title": "创卫台账",
            "deadline": TODAY + timedelta(days=10), "communities": [world.community.code], "today": TODAY}
    args.update(kw)
    return services.work_item_push(**args)


def test_lists_are_versioned_and_a_new_version_starts_from_the_one_in_force(setup, world):
    m = setup["manager"]
    v1 = setup["lists"][ListKind.ASSIST]
    v2 = services.list_create(actor=m, district_code=world.district.code, kind=ListKind.ASSIST, note="修订")
    assert v2.number == v1.number + 1 and v2.items.count() == 2
    services.list_item_add(actor=m, lst=v2, name="人口普查入户", funding_required=True)
    with pytest.raises(ServiceError, match="草稿"):
        services.list_item_add(actor=m, lst=v1, name="x")
    services.list_publish(actor=m, lst=v2)
    v1.refresh_from_db()
    assert v1.state == ListState.SUPERSEDED
    assert [lst.number for lst in selectors.public_lists(world.district.code) if lst.kind == ListKind.ASSIST] == [2]
    with pytest.raises(ServiceError, match="协助"):
        services.list_item_add(actor=m, lst=services.list_create(actor=m, district_code=world.district.code,
                                                                   kind=ListKind.DUTY), name="y", funding_required=True)


def test_only_the_district_manager_keeps_the_lists(setup, world, make_user):
    street = make_user(Role.STREET_MANAGER, world.street.code)
    with pytest.raises(ServiceError, match="区级管理员"):
        services.list_create(actor=street, district_code=world.district.code, kind=ListKind.DUTY)


def test_a_listed_item_reaches_the_community_at_once(setup, world):
    item = _push(setup, world, list_item=setup["items"]["退役军人信息采集"], kind="report")
    assert item.state == WorkState.SENT
    seen = list(selectors.my_deliveries(actor=setup["community"]))
    assert [d.work_item_id for d in seen] == [item.pk] and seen[0].listed


def test_an_unlisted_item_waits_for_review_and_a_rejected_one_reaches_nobody(setup, world):
    item = _push(setup, world)
    assert item.state == WorkState.REVIEW and not selectors.my_deliveries(actor=setup["community"]).exists()
    assert list(selectors.review_queue(actor=setup["manager"])) == [item]
    with pytest.raises(ServiceError, match="驳回理由"):
        services.work_item_review(actor=setup["manager"], item=item, action="reject")
    item = services.work_item_review(actor=setup["manager"], item=item, action="reject", reason="多头报送")
    assert item.state == WorkState.REJECTED and item.review_reason == "多头报送"
    assert not Delivery.objects.exists()


def test_an_approved_unlisted_item_may_be_refused_in_one_step_and_refusals_count_per_sender(setup, world):
    item = services.work_item_review(actor=setup["manager"], item=_push(setup, world), action="approve",
                                     today=TODAY)
    delivery = Delivery.objects.get(work_item=item)
    with pytest.raises(ServiceError, match="拒收理由"):
        services.delivery_handle(actor=setup["community"], delivery=delivery, action="refuse")
    services.delivery_handle(actor=setup["community"], delivery=delivery, action="refuse", reason="无经费")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.REFUSED and delivery.reason == "无经费"
    assert selectors.refusals_by_sender(actor=setup["community"]) == [{"sender__name": "曲江街道城管科", "n": 1}]
    assert compute("admission.refusals", codes=[world.community.code, world.other_community.code],
                   start=TODAY.replace(day=1), end=TODAY + timedelta(days=1)) == {
        world.community.code: 1, world.other_community.code: 0}


def test_a_listed_item_cannot_be_refused(setup, world):
    _push(setup, world, list_item=setup["items"]["居委会选举"])
    delivery = Delivery.objects.get()
    with pytest.raises(ServiceError, match="清单内事项不能拒收"):
        services.delivery_handle(actor=setup["community"], delivery=delivery, action="refuse", reason="忙")


def test_negative_list_items_are_never_pushed(setup, world):
    with pytest.raises(ServiceError, match="负面清单"):
        _push(setup, world, list_item=setup["items"]["出具无犯罪记录证明"])
    assert not WorkItem.objects.exists()


def test_money_follows_the_task_in_the_service(setup, world):
    funded = setup["items"]["高龄津贴初审"]
    with pytest.raises(ServiceError, match="经费金额") as e:
        _push(setup, world, list_item=funded)
    assert e.value.field == "funding_amount"
    with pytest.raises(ServiceError, match="经费来源"):
        _push(setup, world, list_item=funded, funding_amount=Decimal("3000"))
    item = _push(setup, world, list_item=funded, funding_amount=Decimal("3000"), funding_source="区级财政")
    assert item.state == WorkState.SENT and Delivery.objects.filter(work_item=item).count() == 1


def test_money_follows_the_task_in_the_form(setup, world):
    senders = Department.objects.all()
    items = selectors.citable_items(district_codes=[world.district.code])
    funded = setup["items"]["高龄津贴初审"]
    data = {"sender": setup["dept"].pk, "kind": "report", "title": "名册", "list_item": funded.pk,
            "deadline": (TODAY + timedelta(days=5)).isoformat()}
    form = PushForm(data, senders=senders, items=items)
    assert not form.is_valid() and "须费随事转" in form.errors["funding_amount"][0]
    assert "须费随事转" in form.errors["funding_source"][0]
    assert not items.filter(list__kind="negative").exists()


def test_senders_push_only_as_their_department_to_their_communities(setup, world, make_user):
    outsider = make_user(Role.HANDLING_BODY_STAFF, world.street.code)  # not a member
    with pytest.raises(ServiceError, match="科室或部门"):
        _push(setup, world, actor=outsider)
    with pytest.raises(ServiceError, match="管辖范围"):
        _push(setup, world, communities=[world.other_community.code])
    street = make_user(Role.STREET_MANAGER, world.street.code)
    assert _push(setup, world, actor=street).created_by == street
    assert list(selectors.sender_departments(actor=street)) == [setup["dept"]]


def test_dashboard_warns_where_a_count_rises(setup, world):
    item = setup["items"]["退役军人信息采集"]
    last = TODAY.replace(day=1) - timedelta(days=10)
    _push(setup, world, kind="inspection", list_item=item, today=last)
    for _ in range(2):
        _push(setup, world, kind="inspection", list_item=item)
    _push(setup, world, kind="certificate", list_item=item, today=last)
    figures = selectors.community_burden(actor=setup["community"], community_code=world.community.code, end=TODAY)
    assert figures["by_kind"]["检查评比"][-2:] == [1, 2]
    assert "检查评比" in figures["rising"] and "证明" not in figures["rising"]
    assert figures["by_kind"]["证明"][-2:] == [1, 0]
    public = selectors.public_summary(district_code=world.district.code, end=TODAY)
    assert public["totals"][-2:] == [2, 2] and public["unlisted"] == 0


def test_pages_push_review_refuse_and_out_of_scope(client, setup, world, make_user):
    client.force_login(setup["sender"])
    resp = client.get("/admission/push/")
    assert resp.status_code == 200 and "清单外事项" in resp.content.decode()
    funded = setup["items"]["高龄津贴初审"]
    post = {"sender": setup["dept"].pk, "kind": "report", "title": "名册", "list_item": funded.pk,
            "deadline": (date.today() + timedelta(days=5)).isoformat(), "communities": [world.community.code]}
    resp = client.post("/admission/push/", post)
    assert resp.status_code == 200 and "须费随事转" in resp.content.decode() and not WorkItem.objects.exists()
    resp = client.post("/admission/push/", {**post, "list_item": "", "title": "台账"})
    item = WorkItem.objects.get()
    assert resp.status_code == 302 and item.state == WorkState.REVIEW
    verified_login(client, setup["manager"])
    resp = client.post(f"/admission/items/{item.pk}/review/", {"action": "reject", "reason": "不予准入"})
    item.refresh_from_db()
    assert item.state == WorkState.REJECTED
    other = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    pushed = _push(setup, world, list_item=funded, funding_amount=Decimal(1), funding_source="财政",
                   today=date.today(), deadline=date.today() + timedelta(days=3))
    delivery = Delivery.objects.get(work_item=pushed)
    client.force_login(other)
    assert client.post(f"/admission/deliveries/{delivery.pk}/handle/", {"action": "done"}).status_code == 404
    client.force_login(setup["community"])
    body = client.get("/admission/").content.decode()
    assert pushed.title in body
    client.post(f"/admission/deliveries/{delivery.pk}/handle/", {"action": "done"})
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DONE
    client.logout()
    public = client.get(f"/admission/public/?district={world.district.code}").content.decode()
    assert "负面清单" in public and "出具无犯罪记录证明" in public


def test_figures_agree_whether_asked_for_few_or_many_regions(setup, world):
    """core.indicators takes many codes by their common prefix's range: the same numbers as a few at a time."""
    codes = [world.community.code]
    for n in range(2, 12):
        code = f"{world.street.code}{n:03d}"
        Region.objects.create(code=code, name=f"社区{n}", level="community", parent=world.street)
        codes.append(code)
    _push(setup, world, communities=codes[:6], list_item=setup["items"]["居委会选举"])
    _push(setup, world, communities=codes[3:], list_item=setup["items"]["居委会选举"])
    period = {"start": TODAY.replace(day=1), "end": TODAY + timedelta(days=1)}
    many = compute("admission.work_items", codes=codes + [world.street.code, world.other_community.code], **period)
    few = {c: compute("admission.work_items", codes=[c], **period)[c] for c in many}
    assert many == few and many[world.street.code] == 14 and many[codes[4]] == 2 and many[world.other_community.code] == 0
