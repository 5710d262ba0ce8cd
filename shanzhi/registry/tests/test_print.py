"""人+纸: the printed forms come out as PDF with the record's text and a QR code."""

import shutil
import subprocess
from unittest import mock

import pytest

from shanzhi.core.roles import Role
from shanzhi.registry.printing import FORM_HOUSEHOLD, paper_url, qr_data_uri
from shanzhi.registry.testing import dwelling_in, household_in, person_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(world):
    h = household_in(world.grid.code, dwelling=dwelling_in(world.grid.code, floor=3, room="302"))
    person_in(world.grid.code, household=h, name="王秀英", id_number="321002195503120926")
    return h


def _text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_household_form_pdf_has_number_and_name_but_no_full_id(client, world, make_user, household, tmp_path):
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    resp = client.get(f"/registry/households/{household.pk}/print/", {"format": "pdf"})
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    text = _text(resp.content, tmp_path)
    assert household.household_number in text and "王秀英" in text and "入户登记表" in text
    assert "321002195503120926" not in text and "321002***********6" in text


def test_household_form_html_carries_qr_of_the_record(client, world, make_user, household):
    """The code is the signed scan link naming the form, the record and its version (paperforms)."""
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    with mock.patch("django.core.signing.time.time", return_value=1_800_000_000):
        html = client.get(f"/registry/households/{household.pk}/print/").content.decode()
        url = "http://testserver" + paper_url(FORM_HOUSEHOLD, household.pk, household.version)
    assert qr_data_uri(url) in html


def test_blank_building_and_grid_sheets(client, world, make_user, household, tmp_path):
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    for url, words in (("/registry/print/blank/", ["入户登记表", "户主签名"]),
                       (f"/registry/buildings/{household.dwelling.building_id}/print/", ["楼栋汇总表", "302"]),
                       (f"/registry/regions/{world.grid.code}/print/", ["网格汇总表", "实有人口"])):
        resp = client.get(url, {"format": "pdf"})
        assert resp.content.startswith(b"%PDF"), url
        text = _text(resp.content, tmp_path)
        assert all(w in text for w in words), (url, text[:300])


def test_out_of_scope_print_is_404(client, world, make_user, household):
    client.force_login(make_user(Role.GRID_WORKER, world.other_grid.code))
    assert client.get(f"/registry/households/{household.pk}/print/", {"format": "pdf"}).status_code == 404
