"""Writes to the region tree."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.writes import versioned_update

from .choices import CODE_LENGTH, LEVEL_BY_LENGTH, Level
from .models import Region
from .permissions import CHANGE


def choice_lookup(choices) -> dict[str, str]:
    """What people type in a spreadsheet cell → choice value: the value, the Chinese label (whatever language
    is active) and the label without its parenthesis ("改造型(村改居)" → "改造型")."""
    with translation.override("zh-hans"):
        labels = [(v, str(label)) for v, label in choices]
    return {v: v for v, _l in labels} | {label: v for v, label in labels} | {
        label.split("(")[0]: v for v, label in labels}


LEVEL_NAMES = choice_lookup(Level.choices) | {
    "区": Level.DISTRICT, "县": Level.DISTRICT, "街道": Level.STREET, "乡镇": Level.STREET, "镇": Level.STREET,
    "社区": Level.COMMUNITY, "村": Level.COMMUNITY,
}
UPDATABLE = ["name", "community_kind", "community_type", "housing_form", "boundary", "centroid_lat",
             "centroid_lng", "area_km2", "population", "households"]


def validate_code(code: str, level: str, parent: Region | None) -> None:
    if not code.isdigit():
        raise ServiceError(_("区划代码只能是数字"), field="code")
    if len(code) != CODE_LENGTH[level]:
        raise ServiceError(_("“%(level)s”的代码应为 %(n)d 位") % {"level": Level(level).label, "n": CODE_LENGTH[level]},
                           field="code")
    if parent is not None and not code.startswith(parent.code):
        raise ServiceError(_("代码 %(code)s 不以上级代码 %(parent)s 开头") % {"code": code, "parent": parent.code},
                           field="code")
    if parent is not None and LEVEL_BY_LENGTH.get(len(parent.code)) is None:
        raise ServiceError(_("上级区域层级无效"), field="parent")


@transaction.atomic
def region_create(*, actor, code: str, name: str, level: str, parent: Region | None = None, **fields) -> Region:
    """A new region; `actor` None is the system (commands, imports run from the shell)."""
    code = code.strip()
    if actor is not None:
        require(actor, CHANGE.action, code)
    validate_code(code, level, parent)
    if Region.objects.filter(code=code).exists():
        raise ServiceError(_("区划代码 %(code)s 已存在") % {"code": code}, field="code")
    region = Region(code=code, name=name.strip(), level=level, parent=parent, **fields)
    region.full_clean()
    region.save()
    audit_log(actor=actor, action="region.create", obj=region, after={"code": code, "name": name, "level": level})
    return region


@transaction.atomic
def region_update(*, actor, region: Region, version: int | None = None, **fields) -> Region:
    if actor is not None:
        require(actor, CHANGE.action, region)
    changed = {k: v for k, v in fields.items() if k in UPDATABLE and getattr(region, k) != v}
    if not changed:
        return region
    # one conditional UPDATE of the changed fields and the version (no update-then-save double write)
    return versioned_update(region, version, actor=actor, action="region.update", **changed)
