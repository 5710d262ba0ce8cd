from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """五议: 提议 → 合议 → 群议 → 决议 → 执行 → 评议, plus the ends a topic can reach."""

    PROPOSED = "proposed", _("提议")
    REVIEW = "review", _("合议")
    DELIBERATION = "deliberation", _("群议")
    RESOLUTION = "resolution", _("决议")
    IMPLEMENTATION = "implementation", _("执行")
    EVALUATION = "evaluation", _("评议")
    PUBLISHED = "published", _("已公布")
    REJECTED = "rejected", _("未采纳")
    MERGED = "merged", _("已合并")
    FAILED = "failed", _("未通过")


PIPELINE = [Stage.PROPOSED, Stage.REVIEW, Stage.DELIBERATION, Stage.RESOLUTION, Stage.IMPLEMENTATION,
            Stage.EVALUATION, Stage.PUBLISHED]
PUBLIC_STAGES = [Stage.DELIBERATION, Stage.RESOLUTION, Stage.IMPLEMENTATION, Stage.EVALUATION, Stage.PUBLISHED,
                 Stage.FAILED]


class Party(models.TextChoices):
    """六方 plus the residents of the affected buildings."""

    PARTY_ORG = "party_org", _("社区党组织")
    RESIDENTS_COMMITTEE = "residents_committee", _("居委会")
    PROPERTY_COMPANY = "property_company", _("物业公司")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    CO_BUILDING_UNIT = "co_building_unit", _("共建单位")
    SOCIAL_ORG = "social_org", _("社会组织")
    RESIDENT = "resident", _("居民代表")


SIX_PARTIES = [p for p in Party if p != Party.RESIDENT]


class MeetingKind(models.TextChoices):
    CONSULTATION_MEETING = "consultation_meeting", _("协商议事会")
    SENTIMENT_FORUM = "sentiment_forum", _("民情恳谈会")
    COORDINATION_MEETING = "coordination_meeting", _("事务协调会")
    HEARING = "hearing", _("工作听证会")
    EVALUATION_MEETING = "evaluation_meeting", _("民主评议会")
    REPRESENTATIVES_MEETING = "representatives_meeting", _("居民代表会议")


class Majority(models.TextChoices):
    SIMPLE = "simple", _("过半数")
    TWO_THIRDS = "two_thirds", _("三分之二以上")


class SupportMode(models.TextChoices):
    ABSOLUTE = "absolute", _("固定人数")
    PERCENT = "percent", _("受影响区域成年居民百分比")


class Source(models.TextChoices):
    RESIDENT_ONLINE = "resident_online", _("居民网上提议")
    RESIDENT_PAPER = "resident_paper", _("居民书面提议")
    COMMITTEE = "committee", _("居委会提议")
    GRID = "grid", _("网格议事")
    CASE = "case", _("民情事件转入")


RESIDENT_SOURCES = {Source.RESIDENT_ONLINE, Source.RESIDENT_PAPER}


class Channel(models.TextChoices):
    ONLINE = "online", _("网上附议")
    PAPER = "paper", _("纸质联署")


class Stance(models.TextChoices):
    FOR = "for", _("赞成")
    AGAINST = "against", _("反对")
    NEUTRAL = "neutral", _("中立")


class VoteChoice(models.TextChoices):
    FOR = "for", _("赞成")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class OpinionKind(models.TextChoices):
    LETTER = "letter", _("征求意见信")
    FORUM = "forum", _("座谈/恳谈")
    HEARING = "hearing", _("听证")
    VISIT = "visit", _("入户走访")


class MeetingState(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    NOTICED = "noticed", _("已公告")
    HELD = "held", _("已召开")
    CLOSED = "closed", _("已结束")


class FollowMode(models.TextChoices):
    IMMEDIATE = "immediate", _("即时通知")
    DIGEST = "digest", _("每日汇总")


class EvaluationKind(models.TextChoices):
    """两评."""

    RESIDENTS_ON_COMMITTEE = "residents_on_committee", _("居民代表评议居委会")
    COMMITTEE_ON_STREET = "committee_on_street", _("居委会评议街道")
    # residents rate a service they received (a 三社联动 project): the same anonymous ballot
    RESIDENTS_ON_SERVICE = "residents_on_service", _("居民满意度测评")


class EvaluationState(models.TextChoices):
    OPEN = "open", _("评议中")
    PUBLISHED = "published", _("已公布")
