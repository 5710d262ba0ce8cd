"""The cheaper template helpers of core.templatetags.ui give what the template code they replace gave."""

from django import forms
from django.template import Context, Template
from django.utils import translation

from shanzhi.cases import choices as c
from shanzhi.cases.models import Case
from shanzhi.core.templatetags.ui import display, select_options

OLD_OPTIONS = Template('{% for value, label in field.field.choices %}<option value="{{ value }}"'
                       '{% if field.value|stringformat:"s" == value|stringformat:"s" %} selected{% endif %}>'
                       '{{ label }}</option>{% endfor %}')


class Pick(forms.Form):
    kind = forms.ChoiceField(choices=[("", "请选择"), ("a", "<甲>"), ("1", "一 & 二")], required=False)
    number = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int, required=False)


def test_select_options_renders_what_the_template_loop_rendered():
    for data in (None, {"kind": "1", "number": "2"}, {"kind": "a"}, {"kind": "nonsense"}):
        form = Pick(data)
        for name in ("kind", "number"):
            field = form[name]
            assert str(select_options(field)) == OLD_OPTIONS.render(Context({"field": field}))
    assert '<option value="1" selected>一 &amp; 二</option>' in str(select_options(Pick({"kind": "1"})["kind"]))


def test_display_is_get_field_display_in_the_active_language():
    case = Case(state=c.State.REPORTED, urgency="urgent", channel=c.Channel.PATROL)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert display(case, "state") == case.get_state_display()
            assert display(case, "urgency") == case.get_urgency_display()
            assert display(case, "channel") == case.get_channel_display()
    assert display(Case(state="no-such-state"), "state") == "no-such-state"
