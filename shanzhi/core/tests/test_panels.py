"""core.panels: a lower app's page shows cards that higher apps register."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from shanzhi.core import panels


@pytest.fixture
def slot(monkeypatch):
    monkeypatch.setattr(panels, "PANELS", {})
    return "test.page"


def test_panels_render_in_order_and_a_none_context_leaves_one_out(slot, tmp_path, settings):
    (tmp_path / "p.html").write_text("[{{ obj }}:{{ tag }}]")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    panels.register_panel(slot, "b", "p.html", lambda request, obj: {"obj": obj, "tag": "b"}, order=20)
    panels.register_panel(slot, "a", "p.html", lambda request, obj: {"obj": obj, "tag": "a"}, order=10)
    panels.register_panel(slot, "hidden", "p.html", lambda request, obj: None)
    panels.register_panel(slot, "a", "p.html", lambda request, obj: {"obj": obj, "tag": "again"})  # once per key
    request = RequestFactory().get("/")
    html = Template('{% panels "test.page" x %}').render(Context({"request": request, "x": "<o>"}))
    assert html == "[&lt;o&gt;:a][&lt;o&gt;:b]"
    assert Template('{% panels "nothing.here" %}').render(Context({"request": request})) == ""
