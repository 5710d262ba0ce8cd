"""The Excel round-trip of a grid's roster (issue 19.6, 22.6): export → edit in WPS or Excel → import back.

`roster_workbook` writes the grid's persons in the persons import template (same headers, drop-downs, comment
row) plus two key columns, 记录编号 and 版本. ID numbers and phones go out masked: a masked cell coming back as it
went out means "unchanged". `roundtrip_preview` reads the file back (core.tabular's limits, in a child process),
compares every row with the record as it is now and keeps only the rows that change, as draft change requests of
one `ChangeBatch` — nothing is written to the registry yet. Rows whose record changed since the export (another
version) are conflicts and are not written; place, household and grid columns can't be changed here (moves have
their own services). `roundtrip_confirm` then writes the drafts through the registry's services (a direct role)
or sends them to the community for approval (a proposing role). Unchanged rows are never touched.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

import xlsxwriter
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.export import WORKBOOK_OPTIONS, write_cells
from shanzhi.core.importing import Col, RowError, parse_cell
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.core.tabular import Limits, TableError, read_table
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from . import changes
from .importing import COLUMNS
from .models import DIRECT_ROLES, PROPOSE_ROLES, ChangeBatch, ChangeRequest, ChangeSource, ChangeState, Person
from .workflow import CHANGE_REQUEST

KEY = Col("记录编号", "pk", "请勿修改：用于对应系统中的记录", required=True, kind="int")
VERSION = Col("版本", "version", "请勿修改：导出时记录的版本，用于发现他人的同时修改", required=True, kind="int")
PERSON_COLS: list[Col] = [Col(**{**col.__dict__, "required": col.field == "name"}) for col in COLUMNS["persons"]]
COLS = [*PERSON_COLS, KEY, VERSION]
HEADERS = [col.header for col in COLS]
HEADER_OF = {col.field: col.header for col in COLS}
PLACE = ["household_number", "estate", "building", "entrance", "room", "region_code"]
KEEP_IF_EMPTY = {"sex", "birth_date", "id_type"}  # derived from the ID number: an empty cell leaves them
FIXED = {"id_type"}  # changed on the person page only
LIMITS = Limits(max_bytes=20 * 1024 * 1024, max_rows=50_000, max_cols=60, memory=1024 * 1024 * 1024)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_FORMULA = re.compile(rb"<f[ >/]")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')


# --- which grids ----------------------------------------------------------------------------------------------

def roundtrip_grids(*, actor) -> QuerySet[Region]:
    """The grids whose roster the actor may take out and bring back (direct or proposing roles)."""
    codes = prefixes_for_roles(actor, DIRECT_ROLES | PROPOSE_ROLES)
    if not codes:
        return Region.objects.none()
    return Region.objects.filter(prefix_q("code", codes), level__in=[Level.GRID, Level.MICRO_GRID]
                                 ).order_by("code")


def _grid(actor, code: str) -> Region:
    grid = roundtrip_grids(actor=actor).filter(code=code).first()
    if grid is None:
        raise NotAllowed(_("该网格不在您的管辖范围内"))
    return grid


def _roster(actor, code: str) -> QuerySet[Person]:
    return (changes.proposable(actor, Person).filter(prefix_q("region_code", [code]), status="living")
            .select_related("household", "dwelling__building__estate").order_by("pk"))


# --- export ---------------------------------------------------------------------------------------------------

def _label(obj, name: str) -> str:
    return getattr(obj, f"get_{name}_display")() if getattr(obj, name) else ""


def _place_cells(p: Person) -> dict:
    d = p.dwelling
    b = d.building if d else None
    return {"household_number": p.household.household_number if p.household_id else "",
            "estate": b.estate.name if b and b.estate_id else "", "building": b.name if b else "",
            "entrance": str(d.entrance) if d else "", "room": d.room if d else "", "region_code": p.region_code}


def person_cells(p: Person) -> dict:
    """A person as the roster's cells ({field: text}); ID number and phone masked, birth date left out (it
    follows the ID number)."""
    return {
        "name": p.name, "id_type": _label(p, "id_type"), "id_number": p.id_number_masked, "sex": _label(p, "sex"),
        "birth_date": "", "ethnicity": p.ethnicity, "phone": p.phone_masked, **_place_cells(p),
        "relation_to_head": _label(p, "relation_to_head"), "residence_type": _label(p, "residence_type"),
        "separated": "是" if p.separated else "否", "registered_address": p.registered_address,
        "current_address": p.current_address, "political_status": _label(p, "political_status"),
        "education": _label(p, "education"), "employment": _label(p, "employment"), "workplace": p.workplace,
        "marital_status": _label(p, "marital_status"),
        "move_in_date": p.move_in_date.isoformat() if p.move_in_date else "", "pk": p.pk, "version": p.version,
    }


def roster_workbook(*, actor, region_code: str) -> tuple[bytes, int]:
    """(XLSX bytes, rows): the grid's living persons in the import template, with the key columns. Audited."""
    grid = _grid(actor, region_code)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **WORKBOOK_OPTIONS})
    ws = wb.add_worksheet(_("人员")[:31])
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF9", "border": 1})
    key = wb.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    note = wb.add_format({"italic": True, "font_color": "#667085", "text_wrap": True, "valign": "top"})
    for i, col in enumerate(COLS):
        ws.write_string(0, i, col.header + ("*" if col.required else ""), key if col in (KEY, VERSION) else head)
        options = [str(lbl) for _v, lbl in col.choices.choices] if col.choices is not None else []
        text = col.note + (("；可选：" + "、".join(options)) if options else "")
        ws.write_string(1, i, ("说明：" if i == 0 else "") + text, note)
        ws.set_column(i, i, max(10, len(col.header) * 3))
        if options and len(",".join(options)) < 255:
            ws.data_validation(2, i, 60000, i, {"validate": "list", "ignore_blank": True, "source": options})
    ws.set_row(1, 45)
    ws.freeze_panes(2, 1)
    n = 0
    for n, p in enumerate(_roster(actor, grid.code).iterator(chunk_size=2000), start=1):
        cells = person_cells(p)
        write_cells(ws, n + 1, [cells[col.field] for col in COLS])
    wb.close()
    audit_log(actor=actor, action="registry.roundtrip.export", region_code=grid.code, object_repr=grid.name,
              after={"rows": n})
    return buf.getvalue(), n


# --- reading the file back --------------------------------------------------------------------------------------

def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _formula_cells(data: bytes, filename: str) -> list[tuple[int, int]]:
    """(row, column index) of every formula cell of the first sheet of an XLSX (formulas are refused: what they
    show is not what the file holds)."""
    if not filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] != b"PK":
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
            xml = z.read(names[0]) if names else b""
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    if b"<f" not in xml:
        return []
    found = []
    for m in _FORMULA.finditer(xml):  # the formula's cell is the last one opened before it
        ref = _CELL_REF.match(xml, xml.rfind(b'<c r="', 0, m.start()))
        if ref:
            found.append((int(ref.group(2)), _col_index(ref.group(1).decode())))
    return found


@dataclass
class Preview:
    rows: int = 0
    unchanged: int = 0
    drafts: list = field(default_factory=list)  # ChangeRequest (unsaved)
    problems: list = field(default_factory=list)  # {"row", "field", "message", "kind", "label", "diff"}

    def error(self, row: int, header: str, message: str, label: str = "") -> None:
        self.problems.append({"row": row, "field": header, "message": message, "kind": "error", "label": label})


def _read(data: bytes, filename: str):
    try:
        return read_table(data, filename, HEADERS, [KEY.header, "姓名"], LIMITS)
    except TableError as e:
        raise ServiceError(str(e), field="file") from None


def _check_text(record: dict) -> tuple[str, str] | None:
    for header, value in record.items():
        if CONTROL.search(value or ""):
            return header, _("含有不可见的控制字符，请删除后重新导入")
        if PRIVATE_USE.search(value or ""):
            return header, _("含有无法识别的字符（私用区字符），请改为常用汉字")
    return None


def _parse(record: dict) -> tuple[dict, list[tuple[str, str]]]:
    values, errors = {}, []
    bad = _check_text(record)
    if bad:
        return values, [bad]
    for col in COLS:
        if col.header not in record:
            continue
        try:
            values[col.field] = parse_cell(col, record[col.header])
        except RowError as e:
            errors.append((e.header, e.message))
    return values, errors


def _place_changed(person: Person, record: dict) -> str | None:
    now = _place_cells(person)
    for name in PLACE:
        header = HEADER_OF[name]
        if header in record and unicodedata.normalize("NFKC", record[header]).strip() != now[name]:
            return header
    return None


def _row_values(person: Person, record: dict, values: dict) -> dict:
    """The person fields of the row that may differ (place columns and unchanged masks left out)."""
    out = {}
    for name in changes.FIELDS["person"]:
        header = HEADER_OF.get(name)
        if header not in record:
            continue
        if name in changes.SENSITIVE:
            if record[header].strip() != changes.current_value(person, name):
                out[name] = record[header]
        elif not (name in KEEP_IF_EMPTY and values.get(name) is None):
            out[name] = values.get(name)
    return out


def _row(actor, preview: Preview, row_no: int, record: dict, persons: dict) -> None:
    values, errors = _parse(record)
    if errors:
        for header, message in errors:
            preview.error(row_no, header, message)
        return
    person = persons.get(values["pk"])
    if person is None:
        preview.error(row_no, KEY.header, _("记录编号 %(n)s 不存在或不在所选网格内；新增人员请使用“导入”功能")
                      % {"n": values["pk"]})
        return
    place = _place_changed(person, record)
    if place:
        preview.error(row_no, place, _("住址、户号和网格的变更请在人员页面办理迁移，不能在表格中修改"), person.name)
        return
    if values.get("id_type") is not None and values["id_type"] != person.id_type:
        preview.error(row_no, HEADER_OF["id_type"], _("证件类型请在人员页面修改"), person.name)
        return
    try:
        diff = changes.build_diff(person, _row_values(person, record, values))
    except ServiceError as e:
        preview.error(row_no, HEADER_OF.get(e.field, ""), e.user_message, person.name)
        return
    if not diff:
        preview.unchanged += 1
        return
    if values["version"] != person.version:
        preview.problems.append({"row": row_no, "field": "", "kind": "conflict", "label": person.name,
                                 "message": _("该人员在导出后已被修改（版本 %(a)s → %(b)s），本行不会写入；请重新导出后再改")
                                 % {"a": values["version"], "b": person.version},
                                 "diff": [[changes.field_label("person", e["field"]),
                                           changes.display("person", e["field"], e["old"]),
                                           changes.display("person", e["field"], e["new"])] for e in diff]})
        return
    preview.drafts.append(ChangeRequest(
        source=ChangeSource.IMPORT, state=ChangeState.DRAFT, target_type="person", target_id=person.pk,
        target_label=person.name, base_version=values["version"], diff=diff, row_no=row_no, requested_by=actor,
        region_code=person.region_code))


def _persons(actor, code: str, table) -> dict:
    ids = set()
    for _row_no, record in table.rows:
        raw = unicodedata.normalize("NFKC", record.get(KEY.header, "")).strip()
        if raw.isdigit() and len(raw) < 12:
            ids.add(int(raw))
    found: dict[int, Person] = {}
    keys = sorted(ids)
    for i in range(0, len(keys), 2000):
        found |= {p.pk: p for p in _roster(actor, code).filter(pk__in=keys[i:i + 2000])}
    return found


@transaction.atomic
def roundtrip_preview(*, actor, region_code: str, data: bytes, filename: str) -> ChangeBatch:
    """Read a roster file back and keep what it would change as draft change requests of a new batch; nothing
    of the registry is written. ServiceError(field="file") for a file that can't be read at all."""
    grid = _grid(actor, region_code)
    mode = changes.edit_mode(actor, grid.code)
    table = _read(data, filename)
    preview = Preview(rows=len(table.rows))
    for row_no, col in _formula_cells(data, filename):
        if row_no > table.header_row and col < len(table.columns):
            preview.error(row_no, table.columns[col], _("含有公式，请复制后“粘贴为数值”再导入"))
    formula_rows = {p["row"] for p in preview.problems}
    persons = _persons(actor, grid.code, table)
    seen: dict[int, int] = {}
    for row_no, record in table.rows:
        if row_no in formula_rows:
            continue
        key = record.get(KEY.header, "").strip()
        if key in seen:
            preview.error(row_no, KEY.header, _("与第 %(r)d 行的记录编号重复") % {"r": seen[key]})
            continue
        seen[key] = row_no
        _row(actor, preview, row_no, record, persons)
    batch = ChangeBatch(created_by=actor, filename=(filename or "")[:200], mode=mode, rows=preview.rows,
                        unchanged=preview.unchanged, region_code=grid.code,
                        errors=sorted(preview.problems, key=lambda p: p["row"])[:2000])
    batch.save()
    for req in preview.drafts:
        req.batch = batch
    ChangeRequest.objects.bulk_create(preview.drafts, batch_size=1000)
    audit_log(actor=actor, action="registry.roundtrip.preview", obj=batch, region_code=grid.code,
              object_repr=batch.filename, after={"rows": preview.rows, "changed": len(preview.drafts),
                                                 "unchanged": preview.unchanged, "problems": len(preview.problems)})
    return batch


def _confirm_one(actor, req: ChangeRequest, mode: str) -> str | None:
    """Write (or submit) one draft; the reason it could not be, if so."""
    try:
        with transaction.atomic():
            if mode == "propose":
                CHANGE_REQUEST.apply(obj=req, actor=actor, action="submit")
            else:
                changes.change_write(actor, req)
                CHANGE_REQUEST.apply(obj=req, actor=actor, action="apply")
    except (ConflictError, ServiceError) as e:
        CHANGE_REQUEST.apply(obj=req, actor=actor, action="withdraw")
        return e.user_message
    return None


@transaction.atomic
def roundtrip_confirm(*, actor, batch: ChangeBatch) -> dict:
    """Write the batch's drafts through the services (direct) or send them for approval (propose). A row whose
    record changed after the preview is a conflict and is not written. Returns {"done", "failed"}."""
    batch = ChangeBatch.objects.restrict(actor, "own").select_for_update().filter(pk=batch.pk).first()
    if batch is None:
        raise NotAllowed(_("该记录不在您的管辖范围内"))
    if batch.state != ChangeState.DRAFT:
        raise ConflictError(_("该批次已处理"))
    done, failed = 0, []
    for req in batch.changes.filter(state=ChangeState.DRAFT).order_by("row_no"):
        problem = _confirm_one(actor, req, batch.mode)
        if problem:
            failed.append({"row": req.row_no, "field": "", "message": problem, "kind": "conflict",
                           "label": req.target_label})
        else:
            done += 1
    state = ChangeState.PENDING if batch.mode == "propose" else ChangeState.APPROVED
    ChangeBatch.objects.filter(pk=batch.pk).update(state=state, errors=batch.errors + failed,
                                                   version=batch.version + 1)
    audit_log(actor=actor, action="registry.roundtrip.confirm", obj=batch, region_code=batch.region_code,
              object_repr=batch.filename, after={"done": done, "failed": len(failed), "mode": batch.mode})
    return {"done": done, "failed": failed}


@transaction.atomic
def roundtrip_discard(*, actor, batch: ChangeBatch) -> None:
    batch = ChangeBatch.objects.restrict(actor, "own").select_for_update().filter(pk=batch.pk).first()
    if batch is None:
        raise NotAllowed(_("该记录不在您的管辖范围内"))
    if batch.state != ChangeState.DRAFT:
        raise ConflictError(_("该批次已处理"))
    batch.changes.filter(state=ChangeState.DRAFT).update(state=ChangeState.WITHDRAWN)
    ChangeBatch.objects.filter(pk=batch.pk).update(state=ChangeState.WITHDRAWN, version=batch.version + 1)
    audit_log(actor=actor, action="registry.roundtrip.discard", obj=batch, region_code=batch.region_code,
              object_repr=batch.filename)


def batch_rows(batch: ChangeBatch) -> list[dict]:
    """The preview: per changed row its number, the person and the field-by-field differences."""
    out = []
    for req in batch.changes.order_by("row_no"):
        out.append({"row": req.row_no, "label": req.target_label, "state": req.get_state_display(),
                    "state_code": req.state, "pk": req.pk, "diff": changes.diff_rows(req)})
    return out
