"""Forms of the change-request and round-trip pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import changes


class ProposeForm(forms.Form):
    """The record's proposable fields, filled with their values now; ID number and phone start empty (left empty:
    unchanged)."""

    note = forms.CharField(label=_("修改说明"), max_length=300, required=False,
                           help_text=_("写明依据，例如“户主本人到社区说明”"))

    def __init__(self, *args, obj, **kwargs):
        kind = changes.kind_of(obj)
        plain = [f for f in changes.FIELDS[kind] if f not in changes.SENSITIVE]
        initial = {f: getattr(obj, f) for f in plain}
        super().__init__(*args, initial=initial, **kwargs)
        model_fields = forms.fields_for_model(type(obj), fields=plain)
        fields = {}
        for name in changes.FIELDS[kind]:
            if name in changes.SENSITIVE:
                fields[name] = forms.CharField(label=changes.field_label(kind, name), max_length=40, required=False,
                                               help_text=_("不修改请留空"))
            else:
                fields[name] = model_fields[name]
        self.fields = {**fields, "note": self.fields["note"]}

    def values(self) -> dict:
        d = self.cleaned_data
        return {k: v for k, v in d.items() if k != "note" and not (k in changes.SENSITIVE and not v)}


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    reason = forms.CharField(max_length=300, required=False)


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("证件号码")), ("phone", _("联系电话"))])
    reason = forms.CharField(max_length=200)


class RoundtripUploadForm(forms.Form):
    grid = forms.ChoiceField(label=_("网格"))
    file = forms.FileField(label=_("修改后的花名册"), help_text=_("从本页导出、在 WPS 或 Excel 中修改过的文件（XLSX、XLS、ODS 或 CSV）"))

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(g.code, f"{g.name}（{g.code}）") for g in grids]
