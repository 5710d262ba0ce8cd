"""The go-live story as reusable steps (issue 13): from an empty database (migrate only, no demo) through
`shanzhi setup` to one street configured through the 系统配置 pages, until its checklist shows nothing missing.

Browser tests import the `configured_street` fixture (`from tests.golive import configured_street`) and go on
from there (a resident registers, reports, the case routes …). `STEPS` counts what a new office submits.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")
PASSWORD = "Go-live-2026-ok"
DISTRICT, STREET, COMMUNITY, GRID = "321002", "321002004", "321002004006", "321002004006001"
REGIONS_CSV = (f"代码,名称\n{STREET},曲江街道\n{COMMUNITY},施井社区\n{GRID},施井第1网格\n")
ADMINS = {"system": "sysadmin", "security": "secadmin", "audit": "auditor"}


@dataclass
class Story:
    """What the steps made, and how many submits (commands and page forms) they took."""

    users: dict[str, str] = field(default_factory=dict)  # role key → username
    steps: list[str] = field(default_factory=list)
    setup_output: str = ""

    def step(self, what: str) -> None:
        self.steps.append(what)


def shot(page, name: str, viewport: str) -> str:
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}-{viewport}.png")
    page.screenshot(path=path, full_page=True)
    return path


def run_setup(tmp_path, story: Story) -> str:
    """`shanzhi setup --non-interactive` with the office's three-row region file."""
    path = tmp_path / "streets.csv"
    path.write_text(REGIONS_CSV, encoding="utf-8")
    os.environ["SHANZHI_SETUP_PASSWORD"] = PASSWORD
    out = io.StringIO()
    try:
        call_command("setup", "--non-interactive", "--no-qr", "--district", DISTRICT, "--regions", str(path),
                     "--system-admin", ADMINS["system"], "--security-admin", ADMINS["security"],
                     "--audit-admin", ADMINS["audit"], stdout=out)
    finally:
        del os.environ["SHANZHI_SETUP_PASSWORD"]
    story.step("shanzhi setup")
    story.setup_output = out.getvalue()
    return story.setup_output


def _code(username: str) -> str:
    device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "-id").first()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"


def sign_in(page, username: str, story: Story, password: str = PASSWORD) -> None:
    """The login form, then the authenticator: enrol it (first time, the setup page) or verify it."""
    page.login(username, password)
    story.step(f"{username}: 登录")
    if "/accounts/2fa/" in page.url:
        page.fill("input[name=token]", _code(username))
        with page.expect_navigation():
            page.click(".page-body button[type=submit]")
        story.step(f"{username}: 动态验证码")


def submit(page, form_selector: str, story: Story, what: str) -> None:
    with page.expect_navigation():
        page.click(f".page-body {form_selector} button:not([type=button])")
    story.step(what)


def create_account(page, story: Story, *, username: str, name: str, role: str, region: str) -> None:
    page.goto("/accounts/users/new/")
    page.fill("input[name=username]", username)
    page.fill("input[name=display_name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.select_option("select[name=role]", role)
    page.fill("input[name=region_code]", region)
    submit(page, "form[method=post]", story, f"创建账号 {username}")
    story.users[role] = username


def configure_street(browser_page, tmp_path, viewport: str = "phone") -> Story:
    """Install to a street with nothing missing, through the pages. Returns the story (users, steps)."""
    story = Story(users=dict(ADMINS))
    run_setup(tmp_path, story)

    # the system admin: the district's first category
    page = browser_page(viewport)
    sign_in(page, ADMINS["system"], story)
    page.goto(f"/config/categories/?street={STREET}")
    page.fill("input[name=code]", "safety.gas")
    page.fill("input[name=name]", "燃气隐患")
    page.select_option("select[name=handler_type]", "street_section")
    page.fill("input[name=handle_days]", "1")
    submit(page, "form[method=post]", story, "新建类别 燃气隐患")

    # the security admin: the street manager and the grid worker (三员分立: only the security admin grants)
    page = browser_page(viewport)
    sign_in(page, ADMINS["security"], story)
    create_account(page, story, username="jiedao", name="曲江街道管理员", role="street_manager", region=STREET)
    create_account(page, story, username="wanggrid", name="王网格", role="grid_worker", region=GRID)

    # the street manager: a body with a member, a routing rule, the 议事规则, a store item
    page = browser_page(viewport)
    sign_in(page, "jiedao", story)
    page.goto(f"/config/bodies/?street={STREET}")
    page.fill("input[name=name]", "曲江街道安监科")
    page.select_option("select[name=kind]", "street_section")
    submit(page, "form:has(input[name=action][value=save])", story, "新建承办单位")
    page.fill("input[name=username]", "anjianke")
    page.fill("input[name=display_name]", "李安监")
    page.fill("input[name=password]", PASSWORD)
    submit(page, "form:has(input[name=action][value=member_add])", story, "承办单位添加人员")
    story.users["handling_body_staff"] = "anjianke"
    page.goto(f"/config/routing/?street={STREET}")
    page.select_option(".page-body form[method=post] select[name=category]", label="safety.gas 燃气隐患")
    page.select_option(".page-body form[method=post] select[name=body]", label="曲江街道安监科")
    submit(page, "form[method=post]", story, "派遣规则")
    page.goto(f"/config/rules/?street={STREET}")
    submit(page, "form[method=post]", story, "采用默认议事规则")
    page.goto(f"/config/disclosure/?street={STREET}")
    submit(page, "form:has(input[name=action][value=defaults])", story, "采用默认公开日历")
    page.goto("/volunteering/store/manage/")
    page.fill("input[name=name]", "大米 5kg")
    page.fill("input[name=points_price]", "100")
    page.fill("input[name=stock]", "20")
    submit(page, "form:has(input[name=form][value=item])", story, "爱心超市上架物品")
    story.page = page
    return story


def first_routed_case(browser_page, story: Story, manager_page, viewport: str = "phone") -> str:
    """The grid worker files a 燃气隐患 on patrol; the street manager accepts it and dispatches it to the body
    the routing rule suggests (preselected). Returns the case's detail URL."""
    page = browser_page(viewport)
    sign_in(page, "wanggrid", story)
    page.goto("/cases/new/")
    page.select_option(".page-body select[name=category]", label="燃气隐患")
    page.fill(".page-body input[name=title]", "楼道闻到燃气味")
    page.fill(".page-body textarea[name=description]", "施井小区3栋2单元楼道有明显燃气味，请尽快排查。")
    submit(page, "form[method=post]", story, "网格员上报民情")
    url = page.url
    manager_page.goto(url)
    submit(manager_page, "form:has(input[name=action][value=accept])", story, "受理")
    submit(manager_page, "form:has(input[name=action][value=dispatch])", story, "派遣（预选派遣规则的承办单位）")
    return url


@pytest.fixture
def configured_street(browser_page, tmp_path) -> Story:
    """A fresh installation whose street 曲江街道 (施井社区, 施井第1网格) is fully configured through the pages;
    `story.users` names the accounts (password `PASSWORD`), `story.steps` what it took."""
    return configure_street(browser_page, tmp_path)
