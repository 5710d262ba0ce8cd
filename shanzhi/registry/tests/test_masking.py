"""Masks as a set (issue 10, item 2): whatever each role's list, detail page, XLSX export and API actually
return about a person must leave at least 10,000 possible ID numbers and phone numbers.

The counts are computed from the responses (HTML cells by their labels, XLSX headers, JSON keys), not from
the code that renders them; a full birth date, ID number or phone anywhere in a response also fails."""

import datetime
import io
import re

import pytest
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from shanzhi.api.tokens import token_create
from shanzhi.core.masking import MIN_CANDIDATES, candidate_count
from shanzhi.core.roles import STAFF_ROLES, Role
from shanzhi.core.testing import verified_login
from shanzhi.registry.api import PersonOut
from shanzhi.registry.testing import person_in

from .conftest import make_id

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1980, 5, 17)
ID = make_id(birth=BIRTH, seq=46, male=False)
PHONE = "13851234567"
_TAGS = re.compile(r"<[^>]+>")
_ID_SHOWN = re.compile(r"[0-9Xx*]{15,18}")
_PHONE_SHOWN = re.compile(r"[0-9*]{7,12}")
_DATE = re.compile(r"(\d{4})\s*(?:-|年)\s*(\d{1,2})\s*(?:-|月)\s*(\d{1,2})")


def _text(html: str) -> str:
    return " ".join(_TAGS.sub(" ", html).split())


def fields_shown(labelled: dict) -> dict:
    """What a view showed, from {label or key: shown text}: the input of `candidate_count`."""
    shown = {}
    for label, value in labelled.items():
        value = "" if value is None else str(value)
        if not value.strip():
            continue
        if "身份证" in label or "证件号" in label or label == "id_number":
            if m := _ID_SHOWN.search(value):
                shown["id_number"] = m.group(0)
        elif "电话" in label or label == "phone":
            if m := _PHONE_SHOWN.search(value):
                shown["phone"] = m.group(0)
        elif "出生日期" in label or label == "birth_date":
            if m := _DATE.search(value):
                shown["birth_date"] = datetime.date(*map(int, m.groups()))
        elif "出生年" in label or label == "birth_year":
            shown["birth_year"] = int(re.search(r"\d{4}", value).group(0))
        elif "年龄" in label or label == "age":
            shown["age"] = int(re.search(r"\d+", value).group(0))
        elif "性别" in label or label == "sex":
            shown["sex"] = {"男": "male", "女": "female"}.get(value.strip(), value.strip())
    return shown


def _assert_safe(content: str, labelled: dict, where: str):
    for secret in (ID, PHONE, BIRTH.isoformat(), f"{BIRTH:%Y%m%d}", f"{BIRTH.year}年{BIRTH.month}月{BIRTH.day}日"):
        assert secret not in content, f"{where} shows {secret}"
    shown = fields_shown(labelled)
    assert "id_number" in shown and "phone" in shown or where.startswith("list"), (where, labelled)
    assert candidate_count(shown) >= MIN_CANDIDATES, (where, shown, candidate_count(shown))


def _list_row(html: str, name: str) -> dict:
    row = next(r for r in html.split("<tr")[1:] if name in r)
    return {label: _text(cell) for label, cell in re.findall(r'data-label="([^"]+)"[^>]*>(.*?)</td>', row, re.S)}


def _detail(html: str) -> dict:
    return {_text(dt): _text(dd) for dt, dd in re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)}


def _xlsx_row(content: bytes, name: str) -> dict:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    row = next(r for r in sheet[1:] if r[0] == name)
    return dict(zip(sheet[0], row, strict=True))


@pytest.fixture
def resident(world):
    return person_in(world.grid.code, name="钱多多", id_number=ID, phone=PHONE, birth_date=BIRTH, sex="female",
                     current_address="文昌路1号")


def test_candidate_count_of_the_old_mask_is_one():
    """The old mask beside a full birth date rebuilt the number; the count says so."""
    old = {"id_number": ID[:6] + "********" + ID[-4:], "birth_date": BIRTH, "sex": "female"}
    assert candidate_count(old) == 1
    assert candidate_count({"phone": "138****4567"}) < MIN_CANDIDATES


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_every_staff_view_leaves_enough_candidates(client, world, make_user, resident, role):
    user = make_user(role, world.grid.code)
    verified_login(client, user)
    pages = {
        "list": client.get("/registry/persons/", {"q": "钱多多"}),
        "detail": client.get(f"/registry/persons/{resident.pk}/"),
        "household": client.get(f"/registry/households/{resident.household_id}/"),
        "export": client.get("/registry/persons/", {"q": "钱多多", "export": "xlsx"}),
        "api": client.get("/api/registry/persons"),
        "api detail": client.get(f"/api/registry/persons/{resident.pk}"),
    }
    for where, response in pages.items():
        assert response.status_code == 200, (role, where)
    content = {k: b"".join(r.streaming_content) if r.streaming else r.content for k, r in pages.items()}
    labelled = {
        "list": _list_row(content["list"].decode(), "钱多多"),
        "household": _list_row(content["household"].decode(), "钱多多"),
        "detail": _detail(content["detail"].decode()),
        "export": _xlsx_row(content["export"], "钱多多"),
        "api": next(p for p in pages["api"].json()["items"] if p["id"] == resident.pk),
        "api detail": pages["api detail"].json(),
    }
    # what one role sees together, from every view at once
    together = {}
    for where, row in labelled.items():
        text = str(row) if where == "export" else content[where].decode()
        _assert_safe(text, row, f"{where}:{role}" if where not in ("list", "household") else f"list {where}:{role}")
        together.update(fields_shown(row))
    assert candidate_count(together) >= MIN_CANDIDATES, (role, together)


def test_department_token_with_every_field_leaves_enough_candidates(client, world, make_user, resident):
    dept = make_user(Role.DEPARTMENT_VIEWER, world.district.code)
    _token, plain = token_create(actor=None, user=dept, regions=[world.grid.code],
                                 fields=list(PersonOut.model_fields), days=30)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    listed = client.get("/api/registry/persons", **headers)
    one = client.get(f"/api/registry/persons/{resident.pk}", **headers)
    assert listed.status_code == 200 and one.status_code == 200
    row = next(p for p in listed.json()["items"] if p["id"] == resident.pk)
    _assert_safe(listed.content.decode(), row, "token list")
    _assert_safe(one.content.decode(), one.json(), "token detail")
    assert candidate_count({**fields_shown(row), **fields_shown(one.json())}) >= MIN_CANDIDATES


def test_candidate_count_is_exact_by_checksum():
    """Count by brute force over one birth year and compare: the residue method counts exactly."""
    masked = ID[:6] + "*" * 11 + ID[-1]
    expected = 0
    day = datetime.date(1980, 1, 1)
    while day.year == 1980:
        for seq in range(0, 1000, 2):  # even: female
            body = f"{ID[:6]}{day:%Y%m%d}{seq:03d}"
            expected += ric.calc_check_digit(body + "0") == ID[-1]
        day += datetime.timedelta(days=1)
    assert candidate_count({"id_number": masked, "birth_year": 1980, "sex": "female"}) == expected >= MIN_CANDIDATES
    assert candidate_count({"id_number": masked, "birth_date": BIRTH, "sex": "female"}) < MIN_CANDIDATES


def test_tokens_that_allowed_birth_date_get_the_birth_year(client, world, make_user, resident):
    dept = make_user(Role.DEPARTMENT_VIEWER, world.district.code)
    _token, plain = token_create(actor=None, user=dept, regions=[world.grid.code], fields=["birth_date"], days=30)
    row = client.get(f"/api/registry/persons/{resident.pk}", HTTP_AUTHORIZATION=f"Bearer {plain}").json()
    assert row == {"id": resident.pk, "birth_year": 1980}
