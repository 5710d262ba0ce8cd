"""Checking and normalising what people type: ID numbers (GB 11643), phones, USCC (GB 32100).

Each check returns the normalised value or raises `ServiceError` with a Chinese message naming the field.
Full-width digits and letters, spaces, dashes and a lowercase x are normalised first.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent, ValidationError

from shanzhi.core.errors import ServiceError
from shanzhi.core.tabular import normalise

from .choices import Sex

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landline: area code 0xx/0xxx + 7-8 digit number, optional extension; or a bare 7-8 digit local number.
LANDLINE_RE = re.compile(r"^(0\d{2,3})?[2-9]\d{6,7}(转\d{1,6})?$")

__all__ = ["normalise", "normalise_phone", "normalise_uscc", "parse_id_number", "parse_id_numbers", "check_id_agrees", "upgrade_15"]


@dataclass
class IdInfo:
    number: str
    birth_date: datetime.date
    sex: str
    warnings: list[str] = field(default_factory=list)


def upgrade_15(number: str) -> str:
    """A 15-digit legacy number (YYMMDD, 19xx) upgraded to 18 digits with its check digit."""
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def parse_id_number(value: str, *, today: datetime.date | None = None) -> IdInfo:
    return _parse_id(value, today or datetime.date.today(), {}, None)


def parse_id_numbers(values, *, today: datetime.date | None = None) -> list[IdInfo | ServiceError]:
    """parse_id_number of each value (imports): the same checks and messages, each value's IdInfo or its
    ServiceError, with what the values share worked out once: today, the warnings' language, each distinct
    birth date (a file of 100,000 persons has a few thousand)."""
    today = today or datetime.date.today()
    births: dict[str, datetime.date | None] = {}
    language = get_language()
    out: list[IdInfo | ServiceError] = []
    for value in values:
        try:
            out.append(_parse_id(value, today, births, language))
        except ServiceError as e:
            out.append(e)
    return out


def _checked_number(value: str) -> str:
    """The normalised 18-digit number (a 15-digit one upgraded) with a valid check digit, or ServiceError."""
    number = normalise(value)
    if not number:
        raise ServiceError(_("请填写身份证号"), field="id_number")
    if len(number) == 15 and number.isdigit():
        number = upgrade_15(number)
    if len(number) != 18:
        raise ServiceError(_("身份证号应为 18 位（或 15 位旧号），现为 %(n)d 位") % {"n": len(number)}, field="id_number")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ServiceError(_("身份证号前 17 位必须是数字，最后一位是数字或 X"), field="id_number")
    if number[17] != ric.calc_check_digit(number):
        raise ServiceError(_("身份证号校验位错误，请核对号码"), field="id_number")
    return number


def _birth_date(digits: str) -> datetime.date | None:
    """YYYYMMDD as a date; None when there is no such day."""
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _parse_id(value: str, today: datetime.date, births: dict, language: str | None) -> IdInfo:
    """parse_id_number's checks; `births` remembers the birth date of each YYYYMMDD seen, `language` is the
    warnings' (None: the active one, looked up only when there is a warning)."""
    number = _checked_number(value)
    digits = number[6:14]
    birth = births[digits] if digits in births else births.setdefault(digits, _birth_date(digits))
    if birth is None:
        raise ServiceError(_("身份证号中的出生日期无效"), field="id_number")
    if birth > today or birth.year < 1880:
        raise ServiceError(_("身份证号中的出生日期不合理"), field="id_number")
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    warnings = []
    if not _region_known(number[:6], number[6:10]):
        warnings.append(_region_warning(number[:6], language or get_language()))
    return IdInfo(number=number, birth_date=birth, sex=sex, warnings=warnings)


@lru_cache(maxsize=4096)
def _region_warning(code: str, language: str | None) -> str:
    """The unknown-region warning, translated once per code and language (an import may repeat it per row)."""
    return _("身份证号前 6 位地区代码 %(code)s 不在已知行政区划中，请核对") % {"code": code}


@lru_cache(maxsize=16384)
def _region_known(region: str, year: str) -> bool:
    """Whether stdnum's region data knows the code in that year (cached: imports check many numbers)."""
    try:
        ric.get_birth_place(f"{region}{year}0101" + "0000")
    except (InvalidComponent, KeyError, ValueError):
        return False
    return True


def check_id_agrees(info: IdInfo, *, birth_date: datetime.date | None, sex: str | None) -> None:
    if birth_date and birth_date != info.birth_date:
        raise ServiceError(_("出生日期与身份证号不一致（号码中为 %(d)s）") % {"d": info.birth_date.isoformat()},
                           field="birth_date")
    if sex and sex != info.sex:
        raise ServiceError(_("性别与身份证号不一致（号码中为%(s)s）") % {"s": Sex(info.sex).label}, field="sex")


def normalise_phone(value: str | None, *, field_name: str = "phone") -> str:
    """A mobile (11 digits starting 13-19) or landline number; +86/0086 prefixes dropped."""
    number = normalise(value).replace("+", "")
    if not number:
        return ""
    if number.startswith("0086"):
        number = number[4:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if MOBILE_RE.match(number) or LANDLINE_RE.match(number):
        return number
    raise ServiceError(_("电话号码格式不正确：手机号为 11 位，座机为区号+号码（如 0514-87654321）"), field=field_name)


def normalise_uscc(value: str | None) -> str:
    code = normalise(value)
    if not code:
        return ""
    try:
        return uscc.validate(code)
    except ValidationError:
        raise ServiceError(_("统一社会信用代码无效（18 位，含校验位），请核对"), field="uscc") from None
