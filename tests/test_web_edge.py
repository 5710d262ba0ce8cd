"""The browser edge: the Content-Security-Policy on every kind of page, templates without inline script,
the 500 page, the favicon, the API docs served from our own static files, the front-end asset list."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.urls import path

from shanzhi.core.management.commands.assets import ASSETS
from shanzhi.core.roles import Role

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "shanzhi").glob("**/templates/**/*.html"))


def _script_src(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    return directives["script-src"]


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["workbench", "public", "login", "api_docs", "not_found", "server_error"])
def test_every_kind_of_page_sends_a_policy_without_inline_script(page, client, world, make_user):
    url = {"workbench": "/", "public": f"/public/?c={world.community.code}", "login": "/accounts/login/",
           "api_docs": "/api/docs", "not_found": "/no-such-page/", "server_error": "/boom/"}[page]
    if page in ("workbench", "api_docs"):
        client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    if page == "server_error":
        with override_settings(ROOT_URLCONF=__name__):
            response = Client(raise_request_exception=False).get(url)
        assert response.status_code == 500
    else:
        response = client.get(url)
        assert response.status_code == (404 if page == "not_found" else 200)
    assert _script_src(response) == ["'self'"]


def _inline_script_problems(html: str) -> list[str]:
    problems = []
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I):
        if "src=" in attrs:
            if body.strip():
                problems.append("script with src and a body")
        elif 'type="application/json"' not in attrs and body.strip():
            problems.append(f"inline script: {body.strip()[:40]!r}")
    problems += [f"event handler {m}" for m in re.findall(r"\son[a-z]+\s*=\s*[\"']", html, flags=re.I)]
    problems += ["javascript: URL" for _ in re.findall(r"[\"']\s*javascript:", html, flags=re.I)]
    problems += [f"script expression {m}" for m in re.findall(r"\s(?:x-[a-z]+|@[a-z.]+|:[a-z]+)=\"", html)]
    return problems


def test_the_checker_finds_inline_code():
    assert _inline_script_problems("<script>alert(1)</script>")
    assert _inline_script_problems('<button onclick="go()">')
    assert _inline_script_problems('<div x-data="{a: 1}">')
    assert _inline_script_problems('<a href="javascript:void(0)">')
    assert not _inline_script_problems('<script src="/static/a.js"></script><script type="application/json">{}</script>')


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "shanzhi")))
def test_no_template_carries_inline_code(template):
    assert _inline_script_problems(template.read_text()) == []


def test_server_error_page_is_styled_and_keeps_the_way_back():
    with override_settings(ROOT_URLCONF=__name__):
        response = Client(raise_request_exception=False).get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500 and "<style>" in html
    assert 'href="/"' in html and "data-sz-back" in html and "返回首页" in html


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


@pytest.mark.django_db
def test_api_docs_load_swagger_ui_from_our_static_files(client, world, make_user):
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    html = client.get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in sources
    assert all(s.startswith("/static/") for s in sources), sources
    assert not _inline_script_problems(html)
    for name in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css", "shanzhi/swagger-init.js"):
        assert finders.find(name), name


def test_front_end_assets_are_the_used_ones():
    packages = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert "tom-select" not in packages and "alpinejs" not in packages and "swagger-ui-dist" in packages
    copied = {src.split("/")[0] if not src.startswith("@") else "/".join(src.split("/")[:2])
              for items in ASSETS.values() for src, _name in items}
    assert copied == set(packages)
    assert not any("tabler.min.js" in src for items in ASSETS.values() for src, _name in items)
