"""物业三位一体 and self-managed estates.

Property companies (USCC, qualification, contract with the estates they serve) are handling bodies of the cases
app, so a complaint about one is a case routed to it; its credit is read from those cases, inspections,
residents' ratings and deposit deductions. Owners' committees hold 三方联席会议 as consultation meetings and
业主大会 votes decided by 双过半 (dwellings and floor area). A self-managed estate (施井's 自管小组) bills each
dwelling, receipts collections, records expenses with receipts and returns the year's surplus; every yuan of it
moves on the ledger core (ledger `estate`, in fen), double entry, never negative.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import COMMUNITY_ROLES, STAFF_ROLES, Role
from shanzhi.core.scope import user_roles
from shanzhi.core.scoping import CommunityModel, ScopedModel, community_widened, within

from . import choices as c

STAFF = frozenset(STAFF_ROLES)
MANAGERS = frozenset(COMMUNITY_ROLES | {Role.STREET_MANAGER, Role.DISTRICT_MANAGER})
PROPERTY = frozenset({Role.PROPERTY_STAFF})
COMMITTEE = frozenset({Role.OWNERS_COMMITTEE})
RESIDENTS = frozenset({Role.RESIDENT})


# --- scope strategies of this app: property staff reach their company, committees and groups their estate ---
def estate_ids_of(user) -> set[int]:
    """Estates a user works for: as an owners' committee member, a 自管小组 member or their company's staff."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = set(CommitteeMember.objects.filter(user=user).values_list("committee__estate_id", flat=True))
    ids |= set(GroupMember.objects.filter(user=user).values_list("estate__estate_id", flat=True))
    ids |= set(ServiceContract.objects.filter(company__staff__user=user).values_list("estate_id", flat=True))
    return ids


def _estate_rows(model, user, action, roles):
    if not (user_roles(user) & set(roles)):
        return None
    return Q(**{f"{model.estate_path}__in": estate_ids_of(user)})


def estate_member(actor, obj, roles) -> bool:
    """One of `roles` and working for the object's estate (every estate-scoped model names it `estate`)."""
    return bool(user_roles(actor) & set(roles)) and obj.estate_id in estate_ids_of(actor)


estate_member.rows = _estate_rows


def _company_rows(model, user, action, roles):
    if not (user_roles(user) & set(roles)):
        return None
    return Q(**{f"{model.company_path}__in": CompanyStaff.objects.filter(user=user).values("company_id")})


def company_member(actor, obj, roles) -> bool:
    company_id = obj.pk if isinstance(obj, PropertyCompany) else obj.company_id
    return bool(user_roles(actor) & set(roles)) and CompanyStaff.objects.filter(user=actor,
                                                                                 company_id=company_id).exists()


company_member.rows = _company_rows


# --- property companies ------------------------------------------------------------------------------------------
class PropertyCompany(ScopedModel):
    """A property company registered with the street (or district) that supervises it."""

    scope_roles = {"view": STAFF | PROPERTY, "change": MANAGERS}
    scope_strategies = {"view": ((within, STAFF), (company_member, PROPERTY))}
    company_path = "pk"

    name = models.CharField(_("企业名称"), max_length=120)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    qualification = models.CharField(_("资质等级"), max_length=8, choices=c.Qualification.choices,
                                     default=c.Qualification.NONE)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    service_phone = models.CharField(_("服务电话"), max_length=30, blank=True, help_text=_("企业公开的服务热线"))
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    body = models.OneToOneField("cases.HandlingBody", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="property_company", verbose_name=_("承办单位"))
    deposit_required = models.PositiveBigIntegerField(_("应缴信用保证金(分)"), default=0)
    active = models.BooleanField(_("在管"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("物业公司")
        verbose_name_plural = _("物业公司")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class CompanyStaff(models.Model):
    company = models.ForeignKey(PropertyCompany, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.CharField(_("岗位"), max_length=50, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="uniq_company_staff")]


class ServiceContract(ScopedModel):
    """The company serves an estate from `starts_on` to `ends_on`; region code = the estate's."""

    scope_roles = {"view": STAFF | PROPERTY | COMMITTEE, "change": MANAGERS}
    scope_strategies = {"view": ((within, STAFF), (estate_member, PROPERTY | COMMITTEE))}
    estate_path = "estate"

    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="contracts")
    estate = models.ForeignKey("registry.Estate", on_delete=models.PROTECT, related_name="property_contracts",
                               verbose_name=_("小区"))
    starts_on = models.DateField(_("合同开始"))
    ends_on = models.DateField(_("合同结束"))
    fee_note = models.CharField(_("收费标准"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("物业服务合同")
        ordering = ["-starts_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")),
                                              name="contract_ends_after_start")]


class Inspection(ScopedModel):
    """An inspection of a company's service at an estate (routine, or before/after a renovation)."""

    scope_roles = {"view": STAFF | PROPERTY, "change": MANAGERS}
    scope_strategies = {"view": ((within, STAFF), (company_member, PROPERTY))}
    company_path = "company"

    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="inspections",
                                null=True, blank=True)
    estate = models.ForeignKey("registry.Estate", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区"))
    renovation = models.ForeignKey("RenovationProject", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="inspections")
    phase = models.CharField(_("类型"), max_length=8, choices=c.InspectionPhase.choices,
                             default=c.InspectionPhase.ROUTINE)
    date = models.DateField(_("日期"))
    score = models.PositiveSmallIntegerField(_("得分"))
    findings = models.CharField(_("发现问题"), max_length=500, blank=True)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="inspection_score_100")]


class ResidentRating(models.Model):
    """A resident's rating of the company serving their estate, once per quarter."""

    company = models.ForeignKey(PropertyCompany, on_delete=models.CASCADE, related_name="ratings")
    estate = models.ForeignKey("registry.Estate", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("期间"), max_length=7)
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "user", "period"], name="uniq_rating_per_quarter"),
                       models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_1_5")]


class DepositMovement(models.Model):
    """One movement of the 信用保证金 (pay, deduct with a reason, refund); the money is on the ledger."""

    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="deposit_movements")
    kind = models.CharField(_("类型"), max_length=8, choices=c.DepositKind.choices)
    amount = models.PositiveBigIntegerField(_("金额(分)"))
    reason = models.CharField(_("事由"), max_length=200)
    transfer = models.OneToOneField("ledger.Transfer", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]


class PropertyOffice(CommunityModel):
    """物业管理工作室: the community's desk for property matters, and who staffs it."""

    scope_roles = {"view": STAFF | PROPERTY | COMMITTEE, "change": MANAGERS}
    scope_strategies = {"change": within}

    name = models.CharField(_("名称"), max_length=100)
    location = models.CharField(_("地点"), max_length=200)
    hours = models.CharField(_("接待时间"), max_length=100, blank=True)
    staff_names = models.CharField(_("工作人员"), max_length=300, blank=True, help_text=_("姓名与分工，如 张三（站长）"))

    class Meta:
        verbose_name = _("物业管理工作室")


# --- owners' committees and 业主大会 --------------------------------------------------------------------------------
class OwnersCommittee(ScopedModel):
    scope_roles = {"view": STAFF | COMMITTEE | PROPERTY, "change": MANAGERS}
    scope_strategies = {"view": ((within, STAFF), (estate_member, COMMITTEE | PROPERTY))}
    estate_path = "estate"

    estate = models.ForeignKey("registry.Estate", on_delete=models.PROTECT, related_name="owners_committees",
                               verbose_name=_("小区"))
    name = models.CharField(_("名称"), max_length=100)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))

    class Meta:
        verbose_name = _("业主委员会")
        ordering = ["-term_start"]

    def __str__(self):
        return self.name


class CommitteeMember(models.Model):
    committee = models.ForeignKey(OwnersCommittee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    position = models.CharField(_("职务"), max_length=10, choices=c.Position.choices, default=c.Position.MEMBER)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))

    class Meta:
        ordering = ["position", "id"]


class JointMeeting(models.Model):
    """三方联席会议 (居委会、业委会、物业公司), held as a consultation meeting with its minutes."""

    committee = models.ForeignKey(OwnersCommittee, on_delete=models.CASCADE, related_name="joint_meetings")
    company = models.ForeignKey(PropertyCompany, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    meeting = models.OneToOneField("consultation.Meeting", on_delete=models.CASCADE, related_name="+")


class OwnersVote(ScopedModel):
    """业主大会表决: one ballot per dwelling; decided by 双过半 of dwellings and of floor area."""

    scope_roles = {"view": STAFF | COMMITTEE | RESIDENTS, "change": STAFF | COMMITTEE}
    scope_strategies = {"view": ((within, STAFF), (estate_member, COMMITTEE), (community_widened, RESIDENTS)),
                        "change": ((within, STAFF), (estate_member, COMMITTEE))}
    estate_path = "estate"

    estate = models.ForeignKey("registry.Estate", on_delete=models.PROTECT, related_name="owner_votes",
                               verbose_name=_("小区"))
    title = models.CharField(_("表决事项"), max_length=120)
    motion = LimitedTextField(_("表决内容"), max_length=3000)
    subject = models.CharField(_("类别"), max_length=14, choices=c.VoteSubject.choices, default=c.VoteSubject.OTHER)
    payload = models.JSONField(_("方案参数"), default=dict, blank=True)
    threshold = models.CharField(_("表决规则"), max_length=8, choices=c.Threshold.choices,
                                 default=c.Threshold.ORDINARY)
    state = models.CharField(_("状态"), max_length=8, choices=c.VoteState.choices, default=c.VoteState.OPEN,
                             db_index=True)
    closes_on = models.DateField(_("截止日期"))
    eligible_count = models.PositiveIntegerField(_("专有部分总数"), default=0)
    eligible_area = models.DecimalField(_("专有部分总面积"), max_digits=12, decimal_places=2, default=0)
    voted_count = models.PositiveIntegerField(_("参与表决户数"), default=0)
    voted_area = models.DecimalField(_("参与表决面积"), max_digits=12, decimal_places=2, default=0)
    for_count = models.PositiveIntegerField(_("同意户数"), default=0)
    for_area = models.DecimalField(_("同意面积"), max_digits=12, decimal_places=2, default=0)
    result_reason = models.CharField(_("结果说明"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("业主大会表决")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class OwnerBallot(models.Model):
    """One dwelling's ballot (online by its owner, or a paper ballot entered by staff); never two per dwelling."""

    vote = models.ForeignKey(OwnersVote, on_delete=models.CASCADE, related_name="ballots")
    dwelling = models.ForeignKey("registry.Dwelling", on_delete=models.PROTECT, related_name="+")
    area = models.DecimalField(_("面积"), max_digits=8, decimal_places=2)
    choice = models.CharField(_("意见"), max_length=8, choices=c.BallotChoice.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=c.BallotChannel.choices)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "dwelling"], name="uniq_ballot_per_dwelling")]


# --- self-managed estates -------------------------------------------------------------------------------------------
class SelfManagedEstate(ScopedModel):
    """An estate run by its residents' 自管小组, with the fee standard and surplus rule they adopted by vote."""

    scope_roles = {"view": STAFF | COMMITTEE | RESIDENTS, "change": STAFF | COMMITTEE}
    scope_strategies = {"view": ((within, STAFF), (estate_member, COMMITTEE), (community_widened, RESIDENTS)),
                        "change": ((within, STAFF), (estate_member, COMMITTEE))}
    estate_path = "estate"

    estate = models.OneToOneField("registry.Estate", on_delete=models.PROTECT, related_name="self_management",
                                  verbose_name=_("小区"))
    group_name = models.CharField(_("自管小组"), max_length=100)
    fee_basis = models.CharField(_("计费方式"), max_length=14, choices=c.FeeBasis.choices, blank=True)
    fee_amount = models.PositiveIntegerField(_("收费标准(分/月)"), default=0,
                                             help_text=_("按户：每户每月；按面积：每平方米每月"))
    fee_vote = models.ForeignKey(OwnersVote, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    surplus_rule = models.CharField(_("结余返还办法"), max_length=8, choices=c.SurplusRule.choices, blank=True)
    surplus_vote = models.ForeignKey(OwnersVote, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_on = models.DateField(_("自管开始"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("自管小区")

    def __str__(self):
        return self.group_name

    def account_key(self, kind: str) -> str:
        return f"sme:{self.pk}:{kind}"


class GroupMember(models.Model):
    estate = models.ForeignKey(SelfManagedEstate, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    duty = models.CharField(_("分工"), max_length=10, choices=c.Duty.choices, default=c.Duty.MEMBER)

    class Meta:
        ordering = ["duty", "id"]


class FeeBill(models.Model):
    """The month's bill of one dwelling, from the adopted standard."""

    estate = models.ForeignKey(SelfManagedEstate, on_delete=models.CASCADE, related_name="bills")
    dwelling = models.ForeignKey("registry.Dwelling", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))
    amount = models.PositiveIntegerField(_("应收(分)"))
    paid = models.PositiveIntegerField(_("已收(分)"), default=0)

    class Meta:
        ordering = ["month", "dwelling_id"]
        constraints = [models.UniqueConstraint(fields=["estate", "dwelling", "month"], name="uniq_bill_month"),
                       models.CheckConstraint(condition=Q(paid__lte=models.F("amount")), name="bill_not_overpaid")]
        indexes = [models.Index(fields=["estate", "month"])]


class Collection(models.Model):
    """A collection against a bill, with its receipt number; the money moves on the ledger."""

    estate = models.ForeignKey(SelfManagedEstate, on_delete=models.PROTECT, related_name="collections")
    bill = models.ForeignKey(FeeBill, on_delete=models.PROTECT, related_name="collections")
    amount = models.PositiveIntegerField(_("金额(分)"))
    method = models.CharField(_("方式"), max_length=8, choices=c.PayMethod.choices)
    receipt_no = models.CharField(_("收据号"), max_length=30)
    date = models.DateField(_("日期"), db_index=True)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    # one transfer per receipt at the desk; a batch of receipts (property.importing) shares one 收款凭证
    transfer = models.ForeignKey("ledger.Transfer", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["estate", "receipt_no"], name="uniq_collection_receipt"),
                       models.CheckConstraint(condition=Q(amount__gt=0), name="collection_positive")]


def _receipt_path(instance, filename):
    return f"property/receipts/{instance.estate_id}/{filename[-60:]}"


class Expense(models.Model):
    estate = models.ForeignKey(SelfManagedEstate, on_delete=models.PROTECT, related_name="expenses")
    date = models.DateField(_("日期"), db_index=True)
    amount = models.PositiveIntegerField(_("金额(分)"))
    payee = models.CharField(_("收款方"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=200)
    receipt_no = models.CharField(_("票据号"), max_length=40)
    receipt_scan = models.FileField(_("票据照片"), upload_to=_receipt_path, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    transfer = models.OneToOneField("ledger.Transfer", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expense_positive")]


class MonthlyStatement(models.Model):
    """The month's statement: prepared, reviewed by a second person, then published on 阳光五务."""

    estate = models.ForeignKey(SelfManagedEstate, on_delete=models.CASCADE, related_name="statements")
    month = models.DateField(_("月份"))
    opening = models.BigIntegerField(_("期初结余(分)"))
    income = models.BigIntegerField(_("本月收入(分)"))
    expense = models.BigIntegerField(_("本月支出(分)"))
    returned = models.BigIntegerField(_("本月返还(分)"), default=0)
    closing = models.BigIntegerField(_("期末结余(分)"))
    bills_due = models.BigIntegerField(_("本月应收(分)"), default=0)
    paid_dwellings = models.PositiveIntegerField(_("已缴户数"), default=0)
    dwellings = models.PositiveIntegerField(_("户数"), default=0)
    state = models.CharField(_("状态"), max_length=10, choices=c.StatementState.choices,
                             default=c.StatementState.DRAFT)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    disclosure = models.OneToOneField("disclosure.DisclosureEntry", on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["estate", "month"], name="uniq_statement_month")]


class SurplusReturn(models.Model):
    """The year-end surplus returned per dwelling by the adopted rule (shares sum exactly to the total)."""

    estate = models.ForeignKey(SelfManagedEstate, on_delete=models.PROTECT, related_name="surplus_returns")
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.PositiveBigIntegerField(_("返还总额(分)"))
    rule = models.CharField(_("办法"), max_length=8, choices=c.SurplusRule.choices)
    transfer = models.OneToOneField("ledger.Transfer", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["estate", "year"], name="uniq_surplus_year")]


class SurplusShare(models.Model):
    surplus = models.ForeignKey(SurplusReturn, on_delete=models.CASCADE, related_name="shares")
    dwelling = models.ForeignKey("registry.Dwelling", on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField(_("返还(分)"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["surplus", "dwelling"], name="uniq_surplus_share")]


# --- 老旧院落改造 ----------------------------------------------------------------------------------------------------
class RenovationProject(ScopedModel):
    scope_roles = {"view": STAFF | COMMITTEE | PROPERTY, "change": MANAGERS}
    scope_strategies = {"view": ((within, STAFF), (estate_member, COMMITTEE | PROPERTY))}
    estate_path = "estate"

    estate = models.ForeignKey("registry.Estate", on_delete=models.PROTECT, related_name="renovations",
                               verbose_name=_("小区"))
    title = models.CharField(_("项目名称"), max_length=120)
    budget = models.PositiveBigIntegerField(_("预算(元)"), default=0)
    scope_note = models.CharField(_("改造内容"), max_length=500, blank=True)
    stage = models.CharField(_("阶段"), max_length=14, choices=c.RenovationStage.choices,
                             default=c.RenovationStage.PLANNING, db_index=True)
    topic = models.ForeignKey("consultation.Topic", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("协商议题"))
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("老旧院落改造")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title
