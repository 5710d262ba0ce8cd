from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.roles import STAFF_ROLES, Role
from shanzhi.core.scoping import ScopedQuerySet

from .choices import CODE_LENGTH, CommunityKind, CommunityType, HousingForm, Level


class Region(models.Model):
    """A node of the region tree: city → district → street → community/village → grid → micro grid."""

    scope_field = "code"
    scope_roles = {
        "view": set(STAFF_ROLES) | {Role.HANDLING_BODY_STAFF, Role.DEPARTMENT_VIEWER},
        "change": {Role.STREET_MANAGER, Role.DISTRICT_MANAGER},
    }

    code = models.CharField(_("区划代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级"))
    community_kind = models.CharField(_("社区类别"), max_length=10, choices=CommunityKind.choices, blank=True)
    community_type = models.CharField(_("社区类型"), max_length=12, choices=CommunityType.choices, blank=True)
    housing_form = models.CharField(_("居住形态"), max_length=16, choices=HousingForm.choices, blank=True)
    boundary = models.JSONField(_("边界(GeoJSON)"), null=True, blank=True)
    centroid_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    centroid_lng = models.FloatField(_("中心经度"), null=True, blank=True)
    area_km2 = models.FloatField(_("面积(平方公里)"), null=True, blank=True)
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def region_code(self) -> str:
        return self.code

    @property
    def ancestor_codes(self) -> list[str]:
        return [self.code[:n] for n in sorted(set(CODE_LENGTH.values())) if n < len(self.code)]
