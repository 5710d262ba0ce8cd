import gettext
from pathlib import Path

from django.conf import settings as django_settings

from shanzhi.core.testing import compile_catalogues


def test_chinese_by_default_even_for_english_browsers(client, db):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in html and "Sign in" not in html


def test_english_when_chosen(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert "Sign in" in html


def test_the_catalogue_is_compiled_from_the_po_for_the_tests(settings):
    """The English tests above read a catalogue the test run compiled from the .po, not one left by setup."""
    source = Path(django_settings.BASE_DIR) / "locale"
    (compiled,) = settings.LOCALE_PATHS
    assert Path(compiled) != source
    mo = Path(compiled) / "en" / "LC_MESSAGES" / "django.mo"
    po = source / "en" / "LC_MESSAGES" / "django.po"
    assert mo.stat().st_mtime >= po.stat().st_mtime


def test_compile_catalogues_turns_a_po_into_what_gettext_reads(tmp_path):
    src = tmp_path / "src" / "en" / "LC_MESSAGES"
    src.mkdir(parents=True)
    (src / "django.po").write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                                   'msgid "工作台"\nmsgstr "Workbench"\n', encoding="utf-8")
    out = compile_catalogues([tmp_path / "src"], tmp_path / "out")
    with (out / "en" / "LC_MESSAGES" / "django.mo").open("rb") as f:
        assert gettext.GNUTranslations(f).gettext("工作台") == "Workbench"
