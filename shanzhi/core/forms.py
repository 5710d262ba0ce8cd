"""Form pieces shared by every app: the version an edit form was loaded at, and the rows of a
conflict page (what you typed beside what is stored now)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Fields whose stored value a conflict page never shows (personal numbers are masked elsewhere).
PRIVATE_FIELDS = {"id_number", "phone"}


class VersionedForm(forms.Form):
    """An edit form that carries the version of the record it was loaded from (a hidden field), so
    the save is a conditional write and a stale form gets a conflict instead of reverting an edit."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0,
                                 error_messages={"required": gettext_lazy("表单缺少版本号，请刷新页面后重新填写")})

    def clean(self):
        data = super().clean()
        if "version" in self.errors:  # a hidden field's error would show nowhere: say it above the form
            self.add_error(None, self.errors["version"][0])
        return data

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


def _shown(field: forms.Field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(field, forms.BooleanField):
        return _("是") if value else _("否")
    choices = dict(getattr(field, "choices", ()) or ())
    if choices:
        return str(choices.get(value, choices.get(str(value), value)))
    return str(value)


def conflict_rows(form: forms.Form, stored) -> list[dict]:
    """One row per visible field: label, the value this form sent, the value stored now, and whether
    they differ. Personal numbers are never echoed."""
    rows = []
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        if name in PRIVATE_FIELDS:
            rows.append({"label": field.label, "yours": _("（不显示）"), "stored": _("（不显示）"), "differs": False})
            continue
        yours = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else form.data.get(name)
        now = getattr(stored, name, None) if stored is not None else None
        rows.append({"label": field.label, "yours": _shown(field, yours), "stored": _shown(field, now),
                     "differs": _shown(field, yours) != _shown(field, now)})
    return rows
