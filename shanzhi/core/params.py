"""Parameters checked at the edge: one definition of each shared query parameter, as a form field for the
pages and as a constrained type for the API schemas, so that odd input is a form error or a 422, never a 500."""

from typing import Annotated

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from pydantic import Field, StringConstraints

REGION_CODE_PATTERN = r"^[0-9]{1,15}$"  # a region code or a prefix of one (province 2 … grid 15 digits)
YEAR_MIN, YEAR_MAX = 2000, 2100

region_code_validator = RegexValidator(REGION_CODE_PATTERN, _("区划代码只能是 1 到 15 位数字"))


class RegionCodeField(forms.CharField):
    default_validators = [region_code_validator]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 15)
        kwargs.setdefault("label", _("区划代码"))
        super().__init__(**kwargs)


POINTS_LIMIT = 10_000  # the most points one record may give or take


class PointsField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -POINTS_LIMIT)
        kwargs.setdefault("max_value", POINTS_LIMIT)
        kwargs.setdefault("label", _("积分"))
        super().__init__(**kwargs)


class PeriodForm(forms.Form):
    """A year and an optional month (统计周期)."""

    year = forms.IntegerField(label=_("年份"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)
    month = forms.IntegerField(label=_("月份"), required=False, min_value=1, max_value=12)


# in the API an empty region is the same as none (no filter)
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{0,15}$", max_length=15)]
RowId = Annotated[int, Field(ge=0, le=2**63 - 1)]  # a database id as a cursor (fits a 64-bit column)
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
Month = Annotated[int, Field(ge=1, le=12)]
