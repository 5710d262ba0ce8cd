"""民生大数据: monthly rollups of every registered indicator, community types with targets, the facility inventory,
balance standards and the monthly reports.

`Rollup` holds one row per region code × month × indicator (value, and a rate's numerator and denominator), so a
dashboard, the pivot page, the 大屏 and open data read a handful of rows instead of scanning cases or persons.
`TypeMedian` keeps, per district, type and month, the median of the communities of one type (分类施策: a
community is compared with its own type, not only with the street's average).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import COMMUNITY_ROLES, GRID_ROLES, MANAGER_ROLES, Role
from shanzhi.core.scoping import ScopedModel
from shanzhi.regions.choices import CommunityType as RegionCommunityType
from shanzhi.regions.choices import HousingForm

VIEW_ROLES = set(GRID_ROLES | COMMUNITY_ROLES | MANAGER_ROLES) | {Role.CITY_MANAGER}
MANAGE_ROLES = set(MANAGER_ROLES) | {Role.CITY_MANAGER}
INVENTORY_ROLES = {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY} | MANAGE_ROLES


class Rollup(ScopedModel):
    scope_roles = {"view": VIEW_ROLES}

    month = models.DateField(_("月份"))  # the first day of the month
    indicator = models.CharField(_("指标"), max_length=80)
    value = models.FloatField(_("数值"), null=True)
    numerator = models.FloatField(_("分子"), null=True)
    denominator = models.FloatField(_("分母"), null=True)
    refreshed_at = models.DateTimeField(_("刷新时间"))

    class Meta:
        verbose_name = _("指标汇总")
        verbose_name_plural = _("指标汇总")
        constraints = [models.UniqueConstraint(fields=["region_code", "month", "indicator"], name="uniq_rollup_cell")]
        # the pivot page and the 大屏 read one indicator for many regions and months
        indexes = [models.Index(fields=["indicator", "region_code", "month"], name="rollup_indicator_region")]


class TypeMedian(models.Model):
    """The median over the communities of one type within a district, for one indicator and month."""

    district_code = models.CharField(max_length=20)
    type_key = models.CharField(max_length=30)
    month = models.DateField()
    indicator = models.CharField(max_length=80)
    median = models.FloatField(null=True)
    communities = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district_code", "type_key", "month", "indicator"],
                                               name="uniq_type_median")]


class RollupRun(models.Model):
    """One refresh: which months and modules, how many cells changed, how long it took."""

    started_at = models.DateTimeField(auto_now_add=True)
    months = models.CharField(max_length=200)
    modules = models.CharField(max_length=300, blank=True)
    cells = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")

    class Meta:
        ordering = ["-started_at"]


class CommunityType(models.Model):
    """A community type for 分类施策 (老旧小区型、商品房型、村改居 …): which communities it covers, as data."""

    key = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    # a community belongs to the first type (by `order`) whose non-blank conditions all match its region record
    region_type = models.CharField(_("社区类型条件"), max_length=12, choices=RegionCommunityType.choices, blank=True)
    housing_form = models.CharField(_("居住形态条件"), max_length=16, choices=HousingForm.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=10)
    description = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("社区分类")
        verbose_name_plural = _("社区分类")
        ordering = ["order", "key"]

    def __str__(self):
        return self.name


class TypeTarget(models.Model):
    """The target value of one indicator for communities of one type."""

    community_type = models.ForeignKey(CommunityType, on_delete=models.CASCADE, related_name="targets",
                                       verbose_name=_("社区分类"))
    indicator = models.CharField(_("指标"), max_length=80)
    target = models.FloatField(_("目标值"))

    class Meta:
        verbose_name = _("分类目标")
        verbose_name_plural = _("分类目标")
        constraints = [models.UniqueConstraint(fields=["community_type", "indicator"], name="uniq_type_target")]


class FacilityKind(models.TextChoices):
    NEIGHBOURHOOD_CENTRE = "neighbourhood", _("邻里中心")
    DAY_CARE = "day_care", _("日间照料中心")
    HEALTH = "health", _("卫生服务站")
    ACTIVITY = "activity", _("文体活动室")
    PARTY_SERVICE = "party_service", _("党群服务中心")
    OTHER = "other", _("其他")


class Facility(ScopedModel):
    """A service facility of a community (region_code: the community's code)."""

    scope_roles = {"view": VIEW_ROLES, "change": INVENTORY_ROLES}

    kind = models.CharField(_("设施类型"), max_length=16, choices=FacilityKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    area_m2 = models.DecimalField(_("面积(平方米)"), max_digits=9, decimal_places=1)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    # a bookable venue of the services app (a community room, a school playground opened to residents) is the same
    # place: the inventory links it instead of keeping a second record of it
    venue = models.OneToOneField("services.Venue", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="facility", verbose_name=_("预约场地"))
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("服务设施")
        verbose_name_plural = _("服务设施")
        ordering = ["region_code", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region_code", "name"], name="uniq_facility_name"),
                       models.CheckConstraint(condition=models.Q(area_m2__gt=0), name="facility_area_positive")]

    def __str__(self):
        return self.name


class CommunityResource(ScopedModel):
    """A community's staffing and funding (region_code: the community's code): 社工 and the year's funding."""

    scope_roles = {"view": VIEW_ROLES, "change": INVENTORY_ROLES}

    social_workers = models.PositiveIntegerField(_("持证社工"), default=0)
    staff = models.PositiveIntegerField(_("社区工作者"), default=0)
    funding_yuan = models.DecimalField(_("本年到位经费(元)"), max_digits=12, decimal_places=2, default=0)
    note = LimitedTextField(_("说明"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("社区人力与经费")
        verbose_name_plural = _("社区人力与经费")
        constraints = [models.UniqueConstraint(fields=["region_code"], name="uniq_community_resource")]


class BalanceStandard(models.Model):
    """A resource standard (e.g. 每百户服务用房 ≥ 30 m²): numerator indicator ÷ denominator indicator × per."""

    key = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    numerator = models.CharField(_("分子指标"), max_length=80)
    denominator = models.CharField(_("分母指标"), max_length=80)
    per = models.PositiveIntegerField(_("每"), default=100)
    minimum = models.FloatField(_("最低标准"))
    unit = models.CharField(_("单位"), max_length=20)

    class Meta:
        verbose_name = _("配置标准")
        verbose_name_plural = _("配置标准")
        ordering = ["key"]

    def __str__(self):
        return self.name


class MonthlyReport(ScopedModel):
    """The monthly PDF of a street or district (region_code), kept for download."""

    scope_roles = {"view": VIEW_ROLES}

    month = models.DateField(_("月份"))
    pdf = models.BinaryField(_("PDF"))
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("月度报告")
        verbose_name_plural = _("月度报告")
        ordering = ["-month", "region_code"]
        constraints = [models.UniqueConstraint(fields=["region_code", "month"], name="uniq_monthly_report")]


class StaleMonth(models.Model):
    """A past month whose source rows changed after its rollups were built (a back-dated case, a late volunteer
    record, a corrected move-in date): the hourly refresh recomputes it for that module, then deletes the mark."""

    month = models.DateField()
    module = models.CharField(max_length=40)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "module"], name="uniq_stale_month")]
