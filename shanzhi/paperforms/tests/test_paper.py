"""人+纸 comes back: the signed QR payload (form type, record, version), the scan page's answers and the
entry page that refuses to overwrite a record that changed after printing."""

from unittest import mock

import pytest

from shanzhi.cases.testing import make_case
from shanzhi.core.roles import Role
from shanzhi.registry import printing
from shanzhi.registry.models import Household
from shanzhi.registry.printing import paper_token, paper_url, qr_data_uri, read_paper_token
from shanzhi.registry.services import household_update
from shanzhi.registry.testing import dwelling_in, household_in, person_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(world):
    h = household_in(world.grid.code, dwelling=dwelling_in(world.grid.code, floor=3, room="302"))
    person_in(world.grid.code, household=h, name="王秀英")
    return h


@pytest.fixture
def worker(world, make_user):
    return make_user(Role.GRID_WORKER, world.grid.code)


def test_token_names_form_record_and_version_and_is_short():
    token = paper_token("hh", 12, 3)
    assert read_paper_token(token) == printing.PaperRef("hh", 12, 3)
    assert len(paper_url("hh", 12, 3)) < 70


@pytest.mark.parametrize("change", [
    lambda t: t.replace("hh.12.3", "hh.13.3"),   # another record
    lambda t: t.replace("hh.12.3", "hh.12.4"),   # another version
    lambda t: t.replace("hh.12.3", "cs.12.3"),   # another form type
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature itself
    lambda t: "hh.12.3",                         # no signature at all
])
def test_an_altered_token_is_refused(change):
    assert read_paper_token(change(paper_token("hh", 12, 3))) is None


def test_a_token_signed_with_another_key_is_refused(settings):
    token = paper_token("hh", 12, 3)
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert read_paper_token(token) is None


def test_an_expired_token_is_refused(settings):
    with mock.patch("django.core.signing.time.time", return_value=1_700_000_000):
        token = paper_token("hh", 12, 3)
    settings.SHANZHI_PAPER_TOKEN_DAYS = 30
    with mock.patch("django.core.signing.time.time", return_value=1_700_000_000 + 29 * 86400):
        assert read_paper_token(token) is not None
    with mock.patch("django.core.signing.time.time", return_value=1_700_000_000 + 31 * 86400):
        assert read_paper_token(token) is None


def test_household_form_qr_carries_the_signed_scan_link(client, worker, household):
    client.force_login(worker)
    with mock.patch("django.core.signing.time.time", return_value=1_800_000_000):
        html = client.get(f"/registry/households/{household.pk}/print/").content.decode()
        expected = "http://testserver" + paper_url("hh", household.pk, household.version)
    assert qr_data_uri(expected) in html
    assert 'data-testid="paper-ref"' in html


def test_scan_opens_the_entry_page_with_the_printed_version(client, worker, household):
    client.force_login(worker)
    resp = client.get(paper_url("hh", household.pk, household.version))
    assert resp.status_code == 302 and resp["Location"].startswith(f"/paper/households/{household.pk}/?t=")
    page = client.get(resp["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-printed="{household.version}"' in html and "王秀英" in html
    # the paper's order: 户号, 户类型, 户籍 before the members
    assert html.index('name="household_number"') < html.index('name="kind"') < html.index('name="registered_here"')
    assert html.index('name="registered_here"') < html.index('data-testid="paper-members"')


@pytest.mark.parametrize("bad", ["garbage", ""])
def test_scan_of_a_forged_code_is_404(client, worker, bad):
    client.force_login(worker)
    resp = client.get("/paper/scan/", {"t": bad})
    assert resp.status_code == 404 and 'data-testid="scan-refused"' in resp.content.decode()


def test_forged_token_on_the_entry_page_is_404(client, worker, household):
    client.force_login(worker)
    url = f"/paper/households/{household.pk}/"
    other = paper_token("hh", household.pk + 1, 1)
    assert client.get(url, {"t": other}).status_code == 404
    assert client.get(url, {"t": paper_token("cs", household.pk, 1)}).status_code == 404
    assert client.get(url, {"t": "x" + paper_token("hh", household.pk, 1)}).status_code == 404
    assert client.get(url).status_code == 200  # opened by hand, without a code: the current version


def test_a_valid_code_for_a_record_out_of_scope_is_404(client, world, make_user, household):
    client.force_login(make_user(Role.GRID_WORKER, world.other_grid.code))
    resp = client.get(paper_url("hh", household.pk, household.version), follow=True)
    assert resp.status_code == 404
    before = household.household_number
    resp = client.post(f"/paper/households/{household.pk}/?t={paper_token('hh', household.pk, household.version)}",
                       {"household_number": "X-1", "kind": "family", "version": household.version})
    assert resp.status_code == 404
    household.refresh_from_db()
    assert household.household_number == before


def test_scan_of_a_blank_form_leads_to_the_registry(client, worker):
    client.force_login(worker)
    resp = client.get(paper_url("hb", 0, printing.BLANK_LAYOUT_VERSION))
    assert resp.status_code == 302 and resp["Location"] == "/registry/"


def _post(household, version, **values):
    data = {"household_number": household.household_number, "kind": household.kind, "version": version}
    if household.registered_here:
        data["registered_here"] = "on"
    if household.living_here:
        data["living_here"] = "on"
    data.update(values)
    return data


def test_entering_an_unchanged_record_saves(client, worker, household):
    client.force_login(worker)
    token = paper_token("hh", household.pk, household.version)
    resp = client.post(f"/paper/households/{household.pk}/?t={token}",
                       _post(household, household.version, kind="collective"))
    assert resp.status_code == 302
    household.refresh_from_db()
    assert household.kind == "collective" and household.version == 2


def test_a_record_changed_after_printing_shows_the_difference_and_saves_only_the_choice(client, worker, household):
    client.force_login(worker)
    printed = household.version
    token = paper_token("hh", household.pk, printed)
    household_update(actor=worker, household=household, household_number="A99")  # after printing
    household.refresh_from_db()
    assert household.version == printed + 1

    page = client.get(f"/paper/households/{household.pk}/", {"t": token}).content.decode()
    assert f'data-printed="{printed}"' in page and f'data-current="{household.version}"' in page

    paper_values = _post(household, printed, household_number="A01", kind="collective")
    resp = client.post(f"/paper/households/{household.pk}/?t={token}", paper_values)
    assert resp.status_code == 409
    html = resp.content.decode()
    assert 'data-testid="diff-household_number"' in html and 'data-testid="diff-kind"' in html
    assert 'data-testid="diff-registered_here"' not in html
    stored = Household.objects.get(pk=household.pk)
    assert (stored.household_number, stored.kind, stored.version) == ("A99", "family", printed + 1)

    # the worker keeps the stored 户号 and the paper's 户类型
    resp = client.post(f"/paper/households/{household.pk}/?t={token}",
                       _post(household, household.version, household_number="A99", kind="collective"))
    assert resp.status_code == 302
    stored.refresh_from_db()
    assert (stored.household_number, stored.kind, stored.version) == ("A99", "collective", printed + 2)


def test_blank_form_has_one_box_per_digit(client, worker):
    client.force_login(worker)
    html = client.get("/registry/print/blank/").content.decode()
    person = html[html.index('data-testid="blank-person"'):]
    id_boxes = person[person.index('data-testid="id-boxes"'):].split("</span></span>")[0]
    phone_boxes = person[person.index('data-testid="phone-boxes"'):].split("</span></span>")[0]
    assert id_boxes.count('class="box"') == 18 and phone_boxes.count('class="box"') == 11


def test_case_form_and_visit_record_carry_codes_that_lead_back(client, world, worker, household):
    case = make_case(world.grid.code, actor=worker)
    client.force_login(worker)
    with mock.patch("django.core.signing.time.time", return_value=1_800_000_000):
        html = client.get(f"/cases/{case.pk}/print/").content.decode()
        assert qr_data_uri("http://testserver" + paper_url("cs", case.pk, case.version)) in html
        html = client.get(f"/cases/visits/{household.pk}/print/").content.decode()
        assert qr_data_uri("http://testserver" + paper_url("hv", household.pk, household.version)) in html
    blank = client.get("/cases/print/blank/").content.decode()
    phone_boxes = blank[blank.index('data-testid="phone-boxes"'):].split("</span></span>")[0]
    assert phone_boxes.count('class="box"') == 11
    assert client.get(paper_url("cs", case.pk, case.version))["Location"] == f"/cases/{case.pk}/"
    assert client.get(paper_url("hv", household.pk, 1))["Location"] == f"/cases/visits/?household={household.pk}"
    assert client.get(paper_url("cb", 0, 2))["Location"] == "/cases/new/"


def test_case_and_visit_codes_out_of_scope_are_404(client, world, make_user, household):
    case = make_case(world.grid.code)
    client.force_login(make_user(Role.GRID_WORKER, world.other_grid.code))
    assert client.get(paper_url("cs", case.pk, case.version), follow=True).status_code == 404
    assert client.get(paper_url("hv", household.pk, household.version), follow=True).status_code == 404
    assert client.get(f"/cases/{case.pk}/print/").status_code == 404
    assert client.get(f"/cases/visits/{household.pk}/print/").status_code == 404
