"""A batch of fee receipts from a spreadsheet (收款批量登记): a day's cash book or a month's bank statement of a
self-managed estate, one row per receipt. Every row is checked first and the message names its row and column;
nothing is written unless every row is right (money is all or nothing); then `collections_record_batch` receipts
them in one transaction with one ledger voucher. The same file again is refused by its receipt numbers."""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.importing import Col, Importer, parse_rows, register_importer, template_workbook

from . import choices as c
from .models import COMMITTEE, STAFF, FeeBill, SelfManagedEstate
from .services import CollectionItem, _batch_problems, collections_record_batch

KIND = "property_collections"
COLUMNS = [
    Col("自管小区编号", "sme", "自管小区页面地址中的编号", required=True, kind="int", example="3"),
    Col("楼栋", "building", "与房屋登记一致", required=True, max_length=50, example="3栋"),
    Col("单元", "entrance", "默认 1", kind="int", example="1"),
    Col("房号", "room", "", required=True, max_length=20, example="201"),
    Col("账单月份", "month", "该月任一天", required=True, kind="date", example="2026-11-01"),
    Col("金额(元)", "amount", "最多两位小数", required=True, kind="decimal", example="45.00"),
    Col("方式", "method", "", required=True, kind="choice", choices=c.PayMethod, example="现金"),
    Col("收据号", "receipt_no", "每张收据一个号码，不可重复", required=True, max_length=30, example="SJ-2026-0001"),
    Col("收款日期", "date", "默认今天", kind="date", example="2026-11-28"),
]
FIELD_HEADERS = {"bill": "房号", "amount": "金额(元)", "method": "方式", "receipt_no": "收据号"}


def import_template() -> bytes:
    return template_workbook("收款批量登记", COLUMNS)


def _item(row_no: int, values: dict, sme: SelfManagedEstate, bills: dict) -> tuple[CollectionItem | None, tuple]:
    month = values["month"].replace(day=1)
    bill = bills.get((values["building"].strip(), values.get("entrance") or 1, values["room"].strip(), month))
    if bill is None:
        return None, ("房号", _("该小区%(m)s没有这户的账单，请先出账或核对楼栋、单元、房号") % {"m": month.strftime("%Y-%m")})
    return CollectionItem(row=row_no, bill=bill, amount=int(values["amount"] * 100), method=values["method"], receipt_no=values["receipt_no"],
                          date=values.get("date")), ()


def _estate(actor, rows) -> SelfManagedEstate:
    ids = {values.get("sme") for _row, values, _problems in rows if values.get("sme")}
    if len(ids) != 1:
        raise ServiceError(_("一个文件只登记一个自管小区的收款，请按小区分开"), field="file")
    sme = SelfManagedEstate.objects.restrict(actor, "change").filter(pk=ids.pop()).select_related("estate").first()
    if sme is None:
        raise ServiceError(_("没有找到您可以记账的这个自管小区"), field="file")
    return sme


def collections_import(*, actor, data: bytes, filename: str, region_code: str = "", dry_run: bool,
                       progress_id=None) -> dict:
    table = IMPORTER.read(data, filename)
    rows = parse_rows(COLUMNS, table, progress_id=progress_id)
    report = {"kind": KIND, "dry_run": dry_run, "rows": len(table.rows), "created": 0, "amount": "0.00",
              "rejected": 0, "errors": []}
    sme = _estate(actor, rows)
    bills = {(b.dwelling.building.name, b.dwelling.entrance, b.dwelling.room, b.month): b
             for b in FeeBill.objects.filter(estate=sme).select_related("dwelling__building")}
    items, by_row = [], {}
    for row_no, values, problems in rows:
        if not problems:
            item, problem = _item(row_no, values, sme, bills)
            problems = [problem] if problem else []
            if item:
                items.append(item)
        by_row[row_no] = problems
    for row, field, message in _batch_problems(sme, items):
        by_row[row].append((FIELD_HEADERS.get(field, ""), message))
    for row_no, problems in by_row.items():
        report["errors"] += [{"row": row_no, "field": h, "message": m} for h, m in problems]
        report["rejected"] += bool(problems)
    if report["rejected"] or dry_run:
        report["created"] = 0 if report["rejected"] else len(items)
        return report
    key = hashlib.sha256(data).hexdigest()[:32]
    cols = collections_record_batch(actor=actor, sme=sme, items=items, idempotency_key=key)
    report["created"] = len(cols)
    report["amount"] = f"{sum(col.amount for col in cols) / 100:.2f}"
    audit_log(actor=actor, action="property.collections.import", obj=sme, object_repr=filename[:200],
              after={"rows": report["rows"], "created": report["created"]})
    return report


IMPORTER = Importer(
    kind=KIND, label=_l("自管小区收款"), run=collections_import, template=import_template, needs_region=False,
    summary=(("created", _l("登记收款")), ("amount", _l("合计(元)")), ("rejected", _l("有错误"))),
    roles=STAFF | COMMITTEE, columns=lambda: COLUMNS, done_url="property:index")


def register() -> None:
    register_importer(IMPORTER)
