"""The unified base-information platform: 人进户、户进房、房进楼、楼进格、格进社区.

Every row stores the code of its grid (estates: of their community, since an estate may span grids)
in `region_code`, so `restrict(user, action)` scopes it with an index range filter. ID numbers and
phones are stored encrypted (`*_enc`) with an HMAC blind index (`*_hash`) for lookup and uniqueness;
see shanzhi/core/pii.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.masking import age_of, shown
from shanzhi.core.pii import decrypt
from shanzhi.core.roles import STAFF_ROLES, Role
from shanzhi.core.scoping import ScopedModel, owner, within

from . import choices as c

EDIT_ROLES = {Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY}
REGISTRY_ROLES = {
    "view": set(STAFF_ROLES),
    "change": EDIT_ROLES,
    "export": set(STAFF_ROLES),
    "reveal": {Role.GRID_LEADER, Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER},
    # The REST API (一次采集、多次使用): staff, and departments reading through scoped tokens. Always masked.
    "api": set(STAFF_ROLES) | {Role.DEPARTMENT_VIEWER},
}
# 特殊人群: sensitive personal information, for purpose-bound roles only.
SPECIAL_ROLES = {"view": {Role.GRID_LEADER, Role.COMMUNITY_SECRETARY}, "change": {Role.GRID_LEADER,
                                                                               Role.COMMUNITY_SECRETARY}}


class RegistryModel(ScopedModel):
    scope_roles = REGISTRY_ROLES

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Estate(RegistryModel):
    """小区/院落. region_code is the community's (an estate may span grids)."""

    name = models.CharField(_("小区名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    housing_form = models.CharField(_("居住形态"), max_length=16, blank=True)
    property_company = models.CharField(_("物业公司"), max_length=100, blank=True)
    owners_committee = models.CharField(_("业主委员会"), max_length=100, blank=True)
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        constraints = [models.UniqueConstraint(fields=["region_code", "name"], name="uniq_estate_name")]

    def __str__(self):
        return self.name


class Building(RegistryModel):
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, null=True, blank=True, related_name="buildings",
                               verbose_name=_("小区"))
    name = models.CharField(_("楼栋"), max_length=50, help_text=_("如 3栋、12号楼"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    building_type = models.CharField(_("类型"), max_length=12, choices=c.BuildingType.choices,
                                     default=c.BuildingType.RESIDENTIAL)
    floors = models.PositiveSmallIntegerField(_("层数"), default=1)
    entrances = models.PositiveSmallIntegerField(_("单元数"), default=1)
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    captain = models.ForeignKey("Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("楼栋长"))

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        constraints = [models.UniqueConstraint(fields=["region_code", "estate", "name"], name="uniq_building_name")]

    def __str__(self):
        return f"{self.estate.name if self.estate_id else ''}{self.name}"


class Dwelling(RegistryModel):
    """房屋: one address — building + entrance + floor + room."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="dwellings", verbose_name=_("楼栋"))
    entrance = models.PositiveSmallIntegerField(_("单元"), default=1)
    floor = models.SmallIntegerField(_("楼层"))
    room = models.CharField(_("房号"), max_length=20)
    area = models.DecimalField(_("建筑面积(㎡)"), max_digits=8, decimal_places=2, null=True, blank=True)
    use = models.CharField(_("用途"), max_length=12, choices=c.DwellingUse.choices, default=c.DwellingUse.RESIDENTIAL)
    occupancy = models.CharField(_("房屋状态"), max_length=16, choices=c.Occupancy.choices,
                                 default=c.Occupancy.OWNER_OCCUPIED, db_index=True)
    owner = models.ForeignKey("Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_dwellings",
                              verbose_name=_("产权人"))
    owner_name = models.CharField(_("产权人姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        constraints = [models.UniqueConstraint(fields=["building", "entrance", "room"], name="uniq_dwelling_address")]
        indexes = [models.Index(fields=["building", "floor"])]

    def __str__(self):
        return f"{self.building} {self.entrance}单元 {self.room}"


class Household(RegistryModel):
    # the grid's helpers (网格辅助员, 专属网格员) find the household they visit (go-live): view only, masked
    scope_roles = {**REGISTRY_ROLES, "view": REGISTRY_ROLES["view"] | {Role.GRID_ASSISTANT, Role.DEDICATED_GRID_WORKER}}

    household_number = models.CharField(_("户号"), max_length=30)
    kind = models.CharField(_("户类型"), max_length=12, choices=c.HouseholdKind.choices, default=c.HouseholdKind.FAMILY)
    head = models.ForeignKey("Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("户主"))
    dwelling = models.ForeignKey(Dwelling, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="households", verbose_name=_("房屋"))
    registered_here = models.BooleanField(_("户籍在本地"), default=True)
    living_here = models.BooleanField(_("在本地居住"), default=True)
    dissolved = models.BooleanField(_("已注销"), default=False)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        constraints = [models.UniqueConstraint(fields=["household_number"], name="uniq_household_number")]

    def __str__(self):
        return self.household_number


class LivingTally(ScopedModel):
    """实有人口 per grid, kept by the database itself: triggers on registry_person add and subtract as persons
    are inserted, moved, change status or are deleted (in the same transaction, whatever wrote them: the
    services, the importer's COPY, a migration). Counting a district of millions is then a sum over its grids'
    rows instead of a scan of the person table; `stats.living_count` reads it and equals
    `living_persons(...).count()` at every moment (tests/test_living_tally.py). Scoped exactly like Person."""

    scope_roles = {"view": REGISTRY_ROLES["view"]}

    region_code = models.CharField("区划代码", max_length=20, primary_key=True)
    living = models.BigIntegerField(default=0)

    class Meta:
        db_table = "registry_livingtally"


# Person's indexes are the ones its queries use (each one is paid again by every person an import writes):
# the scope's range on region_code and status (region_code, status); region_code__startswith (pattern index);
# name, pinyin and initials typed in the search box: prefix matches (pattern indexes, which serve equality
# too), name with birth date (duplicates); exact lookups of the blind indexes; birth-date ranges (age bands);
# residence type; the foreign keys. No plain index repeats a composite's first column, and no column that is
# never matched by prefix (hashes, status, residence type) gets a pattern index.
PATTERN = ["varchar_pattern_ops"]  # PostgreSQL: LIKE 'x%' under any collation; elsewhere a plain index


class Person(RegistryModel):
    region_code = models.CharField("区划代码", max_length=20)  # indexed in Meta (ScopedModel's db_index adds two)
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, blank=True)
    name_initials = models.CharField(_("拼音首字母"), max_length=50, blank=True)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=c.IdType.choices, default=c.IdType.RESIDENT_ID)
    id_number_enc = models.CharField(_("证件号码(密文)"), max_length=200, blank=True)
    id_number_hash = models.CharField(_("证件号码索引"), max_length=64, blank=True)
    sex = models.CharField(_("性别"), max_length=8, choices=c.Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, db_index=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    phone_enc = models.CharField(_("联系电话(密文)"), max_length=200, blank=True)
    phone_hash = models.CharField(_("联系电话索引"), max_length=64, blank=True)
    registered_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    current_address = models.CharField(_("现住址"), max_length=200, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=16, choices=c.PoliticalStatus.choices, blank=True)
    education = models.CharField(_("文化程度"), max_length=16, choices=c.Education.choices, blank=True)
    employment = models.CharField(_("就业状况"), max_length=16, choices=c.Employment.choices, blank=True)
    workplace = models.CharField(_("工作单位"), max_length=100, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=12, choices=c.MaritalStatus.choices, blank=True)
    residence_type = models.CharField(_("人口类型"), max_length=12, choices=c.ResidenceType.choices,
                                      default=c.ResidenceType.REGISTERED)
    separated = models.BooleanField(_("人户分离"), default=False)
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members",
                                  verbose_name=_("户"))
    relation_to_head = models.CharField(_("与户主关系"), max_length=16, choices=c.Relation.choices, blank=True)
    dwelling = models.ForeignKey(Dwelling, on_delete=models.SET_NULL, null=True, blank=True, related_name="residents",
                                 verbose_name=_("居住房屋"))
    move_in_date = models.DateField(_("迁入日期"), null=True, blank=True)
    move_out_date = models.DateField(_("迁出日期"), null=True, blank=True)
    move_out_destination = models.CharField(_("迁往地"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=c.PersonStatus.choices, default=c.PersonStatus.LIVING)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="person", verbose_name=_("平台账号"))

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], condition=~Q(id_number_hash=""),
                                    name="uniq_person_id_number"),
        ]
        indexes = [
            models.Index(fields=["region_code", "status"]), models.Index(fields=["name", "birth_date"]),
            models.Index(fields=["region_code"], opclasses=PATTERN, name="person_region_prefix"),
            models.Index(fields=["name"], opclasses=PATTERN, name="person_name_prefix"),
            models.Index(fields=["name_pinyin"], opclasses=PATTERN, name="person_pinyin_prefix"),
            models.Index(fields=["name_initials"], opclasses=PATTERN, name="person_initials_prefix"),
            models.Index(fields=["id_number_hash"], name="person_id_number_hash"),
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
            models.Index(fields=["residence_type"], name="person_residence_type"),
        ]

    def __str__(self):
        return self.name

    # Masked by default (ARCHITECTURE §6): templates, exports and the API show these, never the plain values;
    # what each shows is decided by core.masking.shown (the full birth date only comes with a reveal).
    @property
    def id_number_masked(self) -> str:
        return shown("id_number", decrypt(self.id_number_enc))

    @property
    def phone_masked(self) -> str:
        return shown("phone", decrypt(self.phone_enc))

    @property
    def birth_year(self) -> int | None:
        return shown("birth_date", self.birth_date)

    @property
    def age(self) -> int | None:
        return age_of(self.birth_date)


class Unit(RegistryModel):
    """驻区单位: enterprises, institutions, schools, hospitals, shops in a grid."""

    name = models.CharField(_("单位名称"), max_length=150)
    kind = models.CharField(_("单位类型"), max_length=16, choices=c.UnitKind.choices, default=c.UnitKind.ENTERPRISE)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone_enc = models.CharField(_("联系电话(密文)"), max_length=200, blank=True)
    contact_phone_hash = models.CharField(_("联系电话索引"), max_length=64, blank=True)
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    building = models.ForeignKey(Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="units",
                                 verbose_name=_("所在楼栋"))
    dedicated_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="dedicated_units", verbose_name=_("专属网格员"))

    class Meta:
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        constraints = [models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="uniq_unit_uscc")]

    def __str__(self):
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return shown("phone", decrypt(self.contact_phone_enc))


class CareTag(RegistryModel):
    """关爱对象 tag on a person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_tags", verbose_name=_("人员"))
    tag = models.CharField(_("关爱类别"), max_length=20, choices=c.CareTagKind.choices, db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("关爱对象")
        verbose_name_plural = _("关爱对象")
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="uniq_care_tag")]

    def __str__(self):
        return f"{self.person} · {self.get_tag_display()}"


class Need(RegistryModel):
    """民生需求: a person's or household's need with category and status."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="needs",
                               verbose_name=_("人员"))
    household = models.ForeignKey(Household, on_delete=models.CASCADE, null=True, blank=True, related_name="needs",
                                  verbose_name=_("户"))
    category = models.CharField(_("需求类别"), max_length=16, choices=c.NeedCategory.choices, db_index=True)
    description = LimitedTextField(_("需求描述"), max_length=1000, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=c.NeedStatus.choices, default=c.NeedStatus.OPEN,
                              db_index=True)

    class Meta:
        verbose_name = _("民生需求")
        verbose_name_plural = _("民生需求")
        constraints = [models.CheckConstraint(condition=Q(person__isnull=False) | Q(household__isnull=False),
                                              name="need_has_subject")]

    def __str__(self):
        return f"{self.get_category_display()} · {self.person or self.household}"


class SpecialPopulationRecord(ScopedModel):
    """特殊人群: sensitive personal information. Never in default lists, exports or the department API."""

    scope_roles = SPECIAL_ROLES

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("人员"))
    category = models.CharField(_("类别"), max_length=24, choices=c.SpecialCategory.choices)
    since = models.DateField(_("起始日期"), null=True, blank=True)
    until = models.DateField(_("结束日期"), null=True, blank=True)
    support_plan = LimitedTextField(_("帮教方案"), max_length=5000, blank=True)
    responsible = models.CharField(_("帮教责任人"), max_length=100, blank=True)
    active = models.BooleanField(_("在册"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("特殊人群记录")
        verbose_name_plural = _("特殊人群记录")


class RegistryEvent(ScopedModel):
    """History: one life event or change of a person, household or dwelling, shown as timelines."""

    scope_roles = REGISTRY_ROLES

    region_code = models.CharField("区划代码", max_length=20)  # scoped by range only: one plain index (Meta)
    kind = models.CharField(_("事件"), max_length=20, choices=c.EventKind.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    date = models.DateField(_("发生日期"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    # An event is of one person, household or dwelling: each key is indexed where it is set (timelines and
    # cascades look up by value, which implies NOT NULL on PostgreSQL and SQLite alike).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                               db_index=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                                  db_index=False)
    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                                 db_index=False)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("变更记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["region_code"], name="registryevent_region"),
            models.Index(fields=["person"], condition=Q(person__isnull=False), name="registryevent_person"),
            models.Index(fields=["household"], condition=Q(household__isnull=False), name="registryevent_household"),
            models.Index(fields=["dwelling"], condition=Q(dwelling__isnull=False), name="registryevent_dwelling"),
        ]


class MoveRequest(ScopedModel):
    """迁入 approval: moving a person into another community waits for the destination's staff.
    region_code is the destination grid, so the destination sees and approves it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        CANCELLED = "cancelled", _("已撤回")

    scope_roles = {"view": set(STAFF_ROLES), "change": {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY}}

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="move_requests")
    from_region_code = models.CharField(max_length=20, db_index=True)
    to_dwelling = models.ForeignKey(Dwelling, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING, db_index=True)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    move_date = models.DateField(_("迁入日期"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("迁入申请")
        verbose_name_plural = _("迁入申请")

    def __str__(self):
        return f"{self.person} → {self.to_dwelling or self.to_household or self.region_code}"


# --- change requests (issue 22.6) -----------------------------------------------------------------------------
# Who edits the registry how, as data: "direct" roles write at once through the services; "propose" roles make a
# change request that an "approve" role of the record's community decides (approvers also edit directly).
# SHANZHI_REGISTRY_EDIT_POLICY (role → mode) in settings overrides entries.
EDIT_POLICY = {
    Role.GRID_WORKER: "direct",
    Role.GRID_LEADER: "direct",
    Role.COMMUNITY_STAFF: "approve",
    Role.COMMUNITY_SECRETARY: "approve",
    Role.GRID_ASSISTANT: "propose",
    Role.DEDICATED_GRID_WORKER: "propose",
    Role.BUILDING_CAPTAIN: "propose",
    Role.CASE_COLLECTOR: "propose",
    **getattr(settings, "SHANZHI_REGISTRY_EDIT_POLICY", {}),
}
PROPOSE_ROLES = frozenset(r for r, mode in EDIT_POLICY.items() if mode == "propose")
APPROVE_ROLES = frozenset(r for r, mode in EDIT_POLICY.items() if mode == "approve")
DIRECT_ROLES = frozenset(r for r, mode in EDIT_POLICY.items() if mode in {"direct", "approve"})


class ChangeSource(models.TextChoices):
    STAFF = "staff", _("工作人员提出")
    RESIDENT = "resident", _("居民申请更正")
    IMPORT = "import", _("表格导入")


class ChangeState(models.TextChoices):
    DRAFT = "draft", _("待确认")
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已生效")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class ChangeBatch(ScopedModel):
    """One re-import of a grid's roster (the Excel round-trip): its change requests are drafts until the person
    who uploaded it confirms the preview. Owned by that person."""

    scope_roles = {"own": DIRECT_ROLES | PROPOSE_ROLES}
    scope_strategies = {"own": owner}
    owner_path = "created_by"
    owner_field = "created_by"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=ChangeState.choices, default=ChangeState.DRAFT)
    mode = models.CharField(max_length=10, default="direct")  # direct | propose: what confirming does
    rows = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self):
        return self.filename or f"#{self.pk}"


class ChangeRequest(ScopedModel):
    """A proposed change of one registry record, field by field (before/after), decided by the community.

    `diff` is a list of {"field", "label", "old", "new"}; a sensitive field (ID number, phone) keeps only masked
    values and the new value encrypted ({"sensitive": true, "old": masked, "new": masked, "new_enc": …}); an entry
    may carry "new_enc" alone (moved from the portal's correction requests) and is decrypted when shown.
    `base_version` is the record's version the proposal was made against: approving a request whose record
    changed since is refused as a conflict."""

    scope_roles = {"view": set(STAFF_ROLES) | PROPOSE_ROLES, "decide": APPROVE_ROLES,
                   "own": DIRECT_ROLES | PROPOSE_ROLES | {Role.RESIDENT}}
    scope_strategies = {"view": ((within, STAFF_ROLES), (owner, PROPOSE_ROLES)), "own": owner}
    owner_path = "requested_by"
    owner_field = "requested_by"

    source = models.CharField(_("来源"), max_length=10, choices=ChangeSource.choices, default=ChangeSource.STAFF,
                              db_index=True)
    state = models.CharField(_("状态"), max_length=12, choices=ChangeState.choices, default=ChangeState.PENDING,
                             db_index=True)
    target_type = models.CharField(_("记录类型"), max_length=12)
    target_id = models.PositiveIntegerField(_("记录编号"))
    target_label = models.CharField(_("记录"), max_length=200, blank=True)
    base_version = models.PositiveIntegerField(_("提出时的版本"))
    diff = models.JSONField(default=list)
    note = LimitedTextField(_("说明"), max_length=300, blank=True)
    batch = models.ForeignKey(ChangeBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="changes")
    row_no = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("提出人"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("驳回理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("变更申请")
        verbose_name_plural = _("变更申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "state"])]

    def __str__(self):
        return f"{self.target_label} · {self.get_state_display()}"


# Proposing a change (or editing directly through the same page) needs the record in scope for one of those roles.
for _model in (Person, Household, Dwelling):
    _model.scope_roles = {**_model.scope_roles, "propose": DIRECT_ROLES | PROPOSE_ROLES}
