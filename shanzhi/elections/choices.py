"""Choices of 社区直选."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    SETUP = "setup", _("筹备")
    ROLL = "roll", _("选民名单公布")
    CANDIDATES = "candidates", _("候选人公布")
    VOTING = "voting", _("投票中")
    COUNTING = "counting", _("计票中")
    DECIDED = "decided", _("已产生结果")
    PUBLISHED = "published", _("结果已公示")
    VOID = "void", _("选举无效")


class Office(models.TextChoices):
    DIRECTOR = "director", _("主任")
    DEPUTY = "deputy", _("副主任")
    MEMBER = "member", _("委员")


class VoterKind(models.TextChoices):
    HUKOU = "hukou", _("户籍选民")
    REGISTERED = "registered", _("登记参选的非户籍居民")


class CandidateSource(models.TextChoices):
    NOMINATED = "nominated", _("提名")
    WRITE_IN = "write_in", _("另选他人（海选）")
    RUNOFF = "runoff", _("另行选举候选人")


class StationKind(models.TextChoices):
    FIXED = "fixed", _("投票站")
    MOBILE = "mobile", _("流动票箱")


class StaffRole(models.TextChoices):
    CHIEF = "chief", _("负责人")
    CLERK = "clerk", _("计票员")
    SCRUTINEER = "scrutineer", _("监票员")
    ISSUER = "issuer", _("发票员")


class CorrectionKind(models.TextChoices):
    ADD = "add", _("补登")
    REMOVE = "remove", _("除名")
