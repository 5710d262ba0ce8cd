"""Receipts in a batch: all rows checked first, all or nothing, one voucher on the ledger, books reconcile."""

import datetime as dt
import io

import pytest
import xlsxwriter
from django.utils import timezone

from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.ledger.models import Transfer
from shanzhi.property import choices as c
from shanzhi.property import importing, selectors, services
from shanzhi.property.models import Collection, FeeBill, SelfManagedEstate
from shanzhi.property.testing import make_estate

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    estate = make_estate(world.grid.code, dwellings=6)
    sme = services.sme_create(actor=staff, estate=estate, group_name="施井自管小组", started_on=dt.date(2025, 1, 1))
    SelfManagedEstate.objects.filter(pk=sme.pk).update(fee_basis=c.FeeBasis.PER_DWELLING, fee_amount=3000)
    sme.refresh_from_db()
    month = timezone.localdate().replace(day=1)
    services.bills_generate(actor=staff, sme=sme, month=month)
    return staff, sme, month


def _xlsx(rows):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for i, r in enumerate([[col.header for col in importing.COLUMNS], *rows]):
        ws.write_row(i, 0, [v for v in r if v is not None])
    wb.close()
    return buf.getvalue()


def _row(sme, room, amount, receipt, month, method="现金"):
    return [sme.pk, "1栋", 1, room, month.isoformat(), amount, method, receipt, None]


def test_a_good_file_is_receipted_in_one_voucher(books):
    staff, sme, month = books
    rooms = ["101", "102", "103", "104", "201", "202"]
    data = _xlsx([_row(sme, r, "30.00", f"B{i}", month) for i, r in enumerate(rooms)])
    dry = importing.collections_import(actor=staff, data=data, filename="cash.xlsx", dry_run=True)
    assert dry["rejected"] == 0 and dry["created"] == 6 and not Collection.objects.exists()
    report = importing.collections_import(actor=staff, data=data, filename="cash.xlsx", dry_run=False)
    assert report["created"] == 6 and report["amount"] == "180.00"
    assert set(FeeBill.objects.filter(estate=sme, month=month).values_list("paid", flat=True)) == {3000}
    vouchers = Transfer.objects.filter(idempotency_key__startswith=f"sme:{sme.pk}:batch:")
    assert vouchers.count() == 1 and vouchers.get().amount == 18000
    assert selectors.reconcile_estate(sme).ok
    # the same file again: the receipt numbers are taken, nothing changes
    again = importing.collections_import(actor=staff, data=data, filename="cash.xlsx", dry_run=False)
    assert Collection.objects.count() == 6 and Transfer.objects.filter(
        idempotency_key__startswith=f"sme:{sme.pk}:batch:").count() == 1
    assert again["created"] == 6 or again["rejected"] == 6


def test_one_bad_row_writes_nothing_and_names_row_and_column(books):
    staff, sme, month = books
    data = _xlsx([_row(sme, "101", "30.00", "C1", month),
                  _row(sme, "102", "-5", "C2", month),            # not a payment
                  _row(sme, "999", "30.00", "C3", month),         # no such dwelling
                  _row(sme, "103", "20.00", "C4", month),
                  _row(sme, "103", "20.00", "C5", month),         # together more than is due
                  _row(sme, "104", "30.00", "C1", month)])        # receipt number twice
    report = importing.collections_import(actor=staff, data=data, filename="bad.xlsx", dry_run=False)
    got = {(e["row"], e["field"]) for e in report["errors"]}
    assert {(3, "金额(元)"), (4, "房号"), (6, "金额(元)"), (7, "收据号")} <= got
    assert (2, "金额(元)") not in got and report["created"] == 0
    assert not Collection.objects.exists() and not FeeBill.objects.filter(paid__gt=0).exists()
    assert selectors.reconcile_estate(sme).ok


def test_an_estate_out_of_scope_is_not_found(books, world, make_user):
    _staff, sme, month = books
    other = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    with pytest.raises(ServiceError, match="没有找到"):
        importing.collections_import(actor=other, data=_xlsx([_row(sme, "101", "30", "D1", month)]),
                                     filename="x.xlsx", dry_run=True)


def test_the_batch_service_checks_every_line_before_writing(books):
    staff, sme, month = books
    bills = list(FeeBill.objects.filter(estate=sme, month=month).order_by("pk"))
    items = [services.CollectionItem(row=1, bill=bills[0], amount=3000, method="cash", receipt_no="E1"),
             services.CollectionItem(row=2, bill=bills[1], amount=3001, method="cash", receipt_no="E2")]
    with pytest.raises(ServiceError, match="第2行"):
        services.collections_record_batch(actor=staff, sme=sme, items=items, idempotency_key="k1")
    assert not Collection.objects.exists()
    items[1] = services.CollectionItem(row=2, bill=bills[1], amount=3000, method="transfer", receipt_no="E2")
    first = services.collections_record_batch(actor=staff, sme=sme, items=items, idempotency_key="k2")
    again = services.collections_record_batch(actor=staff, sme=sme, items=items, idempotency_key="k2")
    assert len(first) == len(again) == 2 and Collection.objects.count() == 2
