from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import choices as c
from .render import PLACEHOLDERS


class TemplateForm(forms.Form):
    region_code = forms.ChoiceField(label=_("适用区域"))
    kind = forms.ChoiceField(label=_("用途"), choices=c.Kind.choices)
    step = forms.ChoiceField(label=_("环节"), choices=[("", _("各环节"))] + list(c.Step.choices), required=False)
    category_code = forms.CharField(label=_("类别编码"), max_length=40, required=False,
                                    help_text=_("民情类别或议题类型的编码；不填则所有类别可用"))
    title = forms.CharField(label=_("名称"), max_length=40)
    body = forms.CharField(label=_("模板正文"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=lazy(lambda: gettext("可用占位符：") + "、".join(
                               f"{{{k}}}{v}" for k, v in PLACEHOLDERS.items()), str)())
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = list(areas)
