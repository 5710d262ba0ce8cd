from django.db import models
from django.utils.translation import gettext_lazy as _


class BuildingType(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    COMMERCIAL = "commercial", _("商业")
    MIXED = "mixed", _("商住混合")
    PUBLIC = "public", _("公共建筑")
    BUNGALOW = "bungalow", _("平房")


class DwellingUse(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    COMMERCIAL = "commercial", _("商铺")
    OFFICE = "office", _("办公")
    OTHER = "other", _("其他")


class Occupancy(models.TextChoices):
    OWNER_OCCUPIED = "owner_occupied", _("自住")
    RENTED = "rented", _("出租")
    VACANT = "vacant", _("空置")
    BUSINESS = "business", _("经营")


class HouseholdKind(models.TextChoices):
    FAMILY = "family", _("家庭户")
    COLLECTIVE = "collective", _("集体户")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO_TAIWAN = "hmt_permit", _("港澳台居民居住证/通行证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    FLOATING = "floating", _("流动人口")
    FOREIGN = "foreign", _("境外人员")


class PersonStatus(models.TextChoices):
    LIVING = "living", _("在住")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已死亡")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    TENANT = "tenant", _("租户")
    OTHER = "other", _("其他")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE_MEMBER = "league_member", _("共青团员")
    OTHER_PARTY = "other_party", _("民主党派")
    MASSES = "masses", _("群众")


class Education(models.TextChoices):
    NONE = "none", _("未上学")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("在业")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("离退休")
    STUDENT = "student", _("学生")
    PRESCHOOL = "preschool", _("学龄前")
    OTHER = "other", _("其他")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("未婚")
    MARRIED = "married", _("已婚")
    DIVORCED = "divorced", _("离婚")
    WIDOWED = "widowed", _("丧偶")


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("事业单位")
    GOVERNMENT = "government", _("机关")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    SHOP = "shop", _("商铺")
    SOCIAL_ORG = "social_org", _("社会组织")
    OTHER = "other", _("其他")


class CareTagKind(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    EMPTY_NEST = "empty_nest", _("空巢老人")
    DISABLED = "disabled", _("残疾人")
    MINIMUM_LIVING = "minimum_living", _("低保")
    EXTREME_POVERTY = "extreme_poverty", _("特困")
    VETERAN = "veteran", _("退役军人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")


class NeedCategory(models.TextChoices):
    ELDERLY_CARE = "elderly_care", _("养老")
    EMPLOYMENT = "employment", _("就业")
    DISABILITY = "disability", _("助残")
    MEDICAL = "medical", _("医疗")
    EDUCATION = "education", _("教育")
    HOUSING = "housing", _("住房")
    ASSISTANCE = "assistance", _("救助")
    LEGAL = "legal", _("法律")
    OTHER = "other", _("其他")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待响应")
    IN_PROGRESS = "in_progress", _("办理中")
    MET = "met", _("已满足")
    CLOSED = "closed", _("已关闭")


class SpecialCategory(models.TextChoices):
    COMMUNITY_CORRECTION = "community_correction", _("社区矫正")
    RELEASED_PRISONER = "released_prisoner", _("刑满释放")
    DRUG_USER = "drug_user", _("吸毒人员")
    MENTAL_DISORDER = "mental_disorder", _("严重精神障碍")
    AT_RISK_YOUTH = "at_risk_youth", _("重点青少年")


class EventKind(models.TextChoices):
    CREATE = "create", _("登记")
    UPDATE = "update", _("修改")
    MOVE_IN = "move_in", _("迁入")
    MOVE_OUT = "move_out", _("迁出")
    MOVE = "move", _("房屋/户变更")
    BIRTH = "birth", _("出生")
    DEATH = "death", _("死亡")
    SPLIT = "split", _("分户")
    MERGE = "merge", _("合户")
    HEAD_CHANGE = "head_change", _("变更户主")
    RENT_OUT = "rent_out", _("出租")
    VACATE = "vacate", _("空置")
    MERGE_DUPLICATE = "merge_duplicate", _("合并重复")
