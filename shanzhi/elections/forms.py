"""Forms of the election pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import choices as c


class ElectionForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    title = forms.CharField(label=_("名称"), max_length=100, initial="社区居民委员会换届选举")
    term = forms.CharField(label=_("届别"), max_length=30, initial="第十二届")
    vote_on = forms.DateField(label=_("投票日"), widget=forms.DateInput(attrs={"type": "date"}))
    objection_days = forms.IntegerField(label=_("异议期（天）"), min_value=0, max_value=30, initial=5)
    write_ins = forms.BooleanField(label=_("允许另选他人（海选）"), required=False, initial=True)
    director = forms.IntegerField(label=_("主任名额"), min_value=1, max_value=1, initial=1)
    deputy = forms.IntegerField(label=_("副主任名额"), min_value=0, max_value=3, initial=1)
    member = forms.IntegerField(label=_("委员名额"), min_value=0, max_value=7, initial=3)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(r.code, r.name) for r in communities]


class VoterAddForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    reason = forms.CharField(label=_("登记或补登理由"), max_length=300)
    raised_by = forms.CharField(label=_("申请人或异议人"), max_length=50, required=False)


class VoterRemoveForm(forms.Form):
    serial = forms.CharField(label=_("选民证号"), max_length=20)
    reason = forms.CharField(label=_("除名理由"), max_length=300)
    raised_by = forms.CharField(label=_("异议人"), max_length=50, required=False)


class NominateForm(forms.Form):
    serial = forms.CharField(label=_("被提名人选民证号"), max_length=20)
    office = forms.ChoiceField(label=_("职务"), choices=c.Office.choices)
    nominated_by = forms.CharField(label=_("提名人"), max_length=100, required=False,
                                   help_text=_("如：选民十人以上联名、居民小组"))


class StationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    kind = forms.ChoiceField(label=_("类型"), choices=c.StationKind.choices)
    place = forms.CharField(label=_("地点或线路"), max_length=120, required=False)
    staff = forms.CharField(label=_("工作人员"), max_length=300, required=False,
                            help_text=_("每人一行：姓名,职责（负责人/计票员/监票员/发票员）"),
                            widget=forms.Textarea(attrs={"rows": 3}))


class ProxyForm(forms.Form):
    grantor = forms.CharField(label=_("委托人选民证号"), max_length=20)
    holder = forms.CharField(label=_("受托人选民证号"), max_length=20)
    document = forms.CharField(label=_("委托书编号"), max_length=60, required=False)


class BallotsForm(forms.Form):
    count = forms.IntegerField(label=_("印制张数"), min_value=1, max_value=50000)


class VoteForm(forms.Form):
    serial = forms.CharField(label=_("选民证号（扫码或输入）"), max_length=20,
                             widget=forms.TextInput(attrs={"autofocus": "autofocus", "autocomplete": "off"}))
    proxy_serial = forms.CharField(label=_("受托人选民证号（委托投票时填写）"), max_length=20, required=False)
