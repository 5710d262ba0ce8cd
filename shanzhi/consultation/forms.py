from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MeetingKind, Source


class TopicForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    matter_type = forms.ChoiceField(label=_("事项类型"))
    title = forms.CharField(label=_("议题"), max_length=120)
    description = forms.CharField(label=_("内容"), max_length=5000, widget=forms.Textarea, required=False)
    source_kind = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    source_id = forms.CharField(label=_("来源编号（如民情事件编号）"), required=False, max_length=40)
    amount = forms.DecimalField(label=_("涉及金额(元)"), required=False, min_value=0, max_digits=12, decimal_places=2)
    buildings = forms.MultipleChoiceField(label=_("受影响楼栋（不选则为全社区）"), required=False)


class MeetingForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=120)
    starts_at = forms.DateTimeField(label=_("召开时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("地点"), max_length=120)
    agenda = forms.CharField(label=_("议程"), max_length=5000, widget=forms.Textarea, required=False)
    materials = forms.CharField(label=_("会议材料"), max_length=20000, widget=forms.Textarea, required=False)
    topics = forms.MultipleChoiceField(label=_("议题"), required=False)
