from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区(县)")
    STREET = "street", _("街道(乡镇)")
    COMMUNITY = "community", _("社区(村)")
    GRID = "grid", _("网格")
    MICRO_GRID = "micro_grid", _("微网格")


# Length of the code at each level; a child's code extends its parent's.
CODE_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
    Level.MICRO_GRID: 17,
}
LEVEL_ORDER = list(CODE_LENGTH)
LEVEL_BY_LENGTH = {v: k for k, v in CODE_LENGTH.items()}


class CommunityKind(models.TextChoices):
    URBAN = "urban", _("社区(居委会)")
    VILLAGE = "village", _("村(村委会)")


class CommunityType(models.TextChoices):
    MIXED = "mixed", _("混合型")
    CONVERTED = "converted", _("改造型(村改居)")
    NEW = "new", _("新建型")


class HousingForm(models.TextChoices):
    COMMERCIAL = "commercial", _("商品房")
    OLD = "old", _("老旧小区")
    PUBLIC_RENTAL = "public_rental", _("公租廉租房")
    RESETTLEMENT = "resettlement", _("拆迁安置")
