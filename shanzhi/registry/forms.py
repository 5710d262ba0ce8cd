"""Forms of the registry pages: list filters, reveal reason, and the edit/life-event forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shanzhi.core.forms import VersionedForm
from shanzhi.core.params import RegionCodeField

from . import choices as c


def _with_blank(choices):
    return [("", _("全部")), *choices]


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名/拼音"), required=False)
    region = RegionCodeField(required=False)
    residence_type = forms.ChoiceField(label=_("人口类型"), required=False,
                                       choices=_with_blank(c.ResidenceType.choices))
    care_tag = forms.ChoiceField(label=_("关爱对象"), required=False, choices=_with_blank(c.CareTagKind.choices))
    sex = forms.ChoiceField(label=_("性别"), required=False, choices=_with_blank(c.Sex.choices))
    age_min = forms.IntegerField(label=_("最小年龄"), required=False, min_value=0, max_value=150)
    age_max = forms.IntegerField(label=_("最大年龄"), required=False, min_value=0, max_value=150)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[*c.PersonStatus.choices, ("all", _("全部"))])

    def clean_q(self):
        q = self.cleaned_data["q"].strip()
        if sum(ch.isdigit() for ch in q) >= 7:
            # list filters live in the URL; numbers that identify a person must not
            raise forms.ValidationError(_("证件号和电话请用页面上方的搜索框查找，它们不会出现在网址中。"))
        return q

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("身份证号")), ("phone", _("联系电话"))],
                              widget=forms.HiddenInput)
    reason = forms.CharField(label=_("查看理由"), min_length=4, max_length=200,
                             help_text=_("如：核对入户登记信息。查看会记入审计日志。"))


# --- edit forms: the fields a grid worker may change; services validate and save ------------------------

class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), required=False,
                                help_text=_("留空表示不修改；已登记的号码不回显"))
    phone = forms.CharField(label=_("联系电话"), required=False, help_text=_("留空表示不修改"))
    ethnicity = forms.CharField(label=_("民族"), required=False)
    relation_to_head = forms.ChoiceField(label=_("与户主关系"), choices=_with_blank(c.Relation.choices), required=False)
    residence_type = forms.ChoiceField(label=_("人口类型"), choices=c.ResidenceType.choices)
    political_status = forms.ChoiceField(label=_("政治面貌"), choices=_with_blank(c.PoliticalStatus.choices),
                                         required=False)
    education = forms.ChoiceField(label=_("文化程度"), choices=_with_blank(c.Education.choices), required=False)
    employment = forms.ChoiceField(label=_("就业状况"), choices=_with_blank(c.Employment.choices), required=False)
    marital_status = forms.ChoiceField(label=_("婚姻状况"), choices=_with_blank(c.MaritalStatus.choices),
                                       required=False)
    registered_address = forms.CharField(label=_("户籍地址"), required=False)
    current_address = forms.CharField(label=_("现住址"), required=False)

    def values(self) -> dict:
        """Service keyword arguments; empty personal numbers mean "unchanged" on edit."""
        data = dict(self.cleaned_data)
        for key in ("id_number", "phone"):
            if not data.get(key):
                data.pop(key, None)
        return data


class PersonEditForm(VersionedForm, PersonForm):
    def values(self) -> dict:
        data = PersonForm.values(self)
        data.pop("version", None)
        return data


class NewPersonForm(PersonForm):
    """迁入 / 登记 a newcomer into a household."""

    id_number = forms.CharField(label=_("身份证号"), required=False)
    phone = forms.CharField(label=_("联系电话"), required=False)
    move_in_date = forms.DateField(label=_("迁入日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class HouseholdForm(forms.Form):
    household_number = forms.CharField(label=_("户号"), max_length=30)
    kind = forms.ChoiceField(label=_("户类型"), choices=c.HouseholdKind.choices)
    registered_here = forms.BooleanField(label=_("户籍在本地"), required=False)
    living_here = forms.BooleanField(label=_("在本地居住"), required=False)


class DwellingForm(forms.Form):
    entrance = forms.IntegerField(label=_("单元"), min_value=1, initial=1)
    floor = forms.IntegerField(label=_("楼层"), min_value=-5, max_value=200)
    room = forms.CharField(label=_("房号"), max_length=20)
    area = forms.DecimalField(label=_("建筑面积(㎡)"), required=False, max_digits=8, decimal_places=2)
    use = forms.ChoiceField(label=_("用途"), choices=c.DwellingUse.choices)
    owner_name = forms.CharField(label=_("产权人姓名"), required=False)


class BuildingForm(forms.Form):
    name = forms.CharField(label=_("楼栋"), max_length=50, help_text=_("如 3栋、12号楼"))
    address = forms.CharField(label=_("地址"), required=False)
    building_type = forms.ChoiceField(label=_("类型"), choices=c.BuildingType.choices)
    floors = forms.IntegerField(label=_("层数"), min_value=1, max_value=200)
    entrances = forms.IntegerField(label=_("单元数"), min_value=1, max_value=50)
    year_built = forms.IntegerField(label=_("建成年份"), required=False, min_value=1800, max_value=2100)


class HouseholdEditForm(VersionedForm, HouseholdForm):
    pass


class DwellingEditForm(VersionedForm, DwellingForm):
    pass


class BuildingEditForm(VersionedForm, BuildingForm):
    pass


# --- life events ------------------------------------------------------------------------------------------

def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class MoveOutForm(forms.Form):
    destination = forms.CharField(label=_("迁往地"), max_length=200)
    date = _date(_("迁出日期"))


class DeathForm(forms.Form):
    date = _date(_("死亡日期"))


class MoveForm(forms.Form):
    household_number = forms.CharField(label=_("迁入户的户号"), help_text=_("迁往另一社区需对方社区审批"))
    reason = forms.CharField(label=_("说明"), required=False)


class BirthForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=c.Sex.choices)
    birth_date = _date(_("出生日期"))
    id_number = forms.CharField(label=_("身份证号"), required=False)


class ChangeHeadForm(forms.Form):
    head = forms.TypedChoiceField(label=_("新户主"), coerce=int)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].choices = [(m.pk, m.name) for m in members]


class SplitForm(forms.Form):
    members = forms.TypedMultipleChoiceField(label=_("分出的成员"), coerce=int, widget=forms.CheckboxSelectMultiple)
    head = forms.TypedChoiceField(label=_("新户户主"), coerce=int)
    household_number = forms.CharField(label=_("新户号"), max_length=30)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(m.pk, m.name) for m in members]
        self.fields["members"].choices = self.fields["head"].choices = choices


class MergeForm(forms.Form):
    household_number = forms.CharField(label=_("并入的户号"))


class RentOutForm(forms.Form):
    tenant_name = forms.CharField(label=_("承租人"), required=False)
    date = _date(_("出租日期"))


class VacateForm(forms.Form):
    date = _date(_("空置日期"))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    note = forms.CharField(label=_("审批意见"), required=False, max_length=300)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=[("persons", _("人员")), ("households", _("户")),
                                                          ("dwellings", _("房屋")), ("buildings", _("楼栋")),
                                                          ("units", _("驻区单位"))])
    region_code = forms.ChoiceField(label=_("导入到区域"))
    file = forms.FileField(label=_("表格文件"), help_text=_("XLSX、XLS、ODS 或 CSV（UTF-8/GBK），表头为中文列名"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, f"{r.name}（{r.code}）") for r in regions]


# --- care tags, needs, merging duplicates -----------------------------------------------------------------

class CareTagForm(forms.Form):
    tag = forms.ChoiceField(label=_("关爱类别"), choices=c.CareTagKind.choices,
                            error_messages={"required": _("请选择关爱类别"),
                                            "invalid_choice": _("未知的关爱类别")})
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class NeedStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=c.NeedStatus.choices,
                               error_messages={"required": _("请选择状态"), "invalid_choice": _("未知的状态")})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NeedFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_with_blank(c.NeedStatus.choices))
    category = forms.ChoiceField(label=_("需求类别"), required=False, choices=_with_blank(c.NeedCategory.choices))
    region = forms.RegexField(regex=r"^\d{1,15}$", required=False, widget=forms.HiddenInput)

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class MergeSearchForm(forms.Form):
    q = forms.CharField(label=_("查找重复登记的人员"), max_length=50,
                        help_text=_("姓名、拼音首字母、身份证号或电话；只列出您可以修改的人员"),
                        error_messages={"required": _("请输入姓名或拼音查找")})


class MergeConfirmForm(forms.Form):
    duplicate = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("合并理由"), min_length=4, max_length=200,
                             help_text=_("如：同一人重复登记（核对身份证后确认）。合并会记入审计日志。"),
                             error_messages={"required": _("请填写合并理由"),
                                             "min_length": _("合并理由至少 %(limit_value)d 个字")})
