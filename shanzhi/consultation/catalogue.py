"""The default catalogue of matter types a street adopts; communities override single entries."""

from __future__ import annotations

from decimal import Decimal

from .choices import SIX_PARTIES, Majority, MeetingKind, Party, SupportMode

ALL_SIX = [p.value for p in SIX_PARTIES]

DEFAULT_RULES = [
    dict(matter_type="public_funds", name="公共资金使用", amount_threshold=Decimal("50000"), mandatory=True,
         description="使用社区公共资金（公益金、福利金等）单笔超过金额起点",
         support_mode=SupportMode.PERCENT, support_value=Decimal("5"), parties=ALL_SIX,
         deciding_meeting=MeetingKind.REPRESENTATIVES_MEETING, quorum_percent=67, majority=Majority.TWO_THIRDS,
         abstentions_count=True, min_deliberation_days=15, notice_days=7),
    dict(matter_type="property_fee", name="物业费标准调整", mandatory=True,
         description="物业服务收费标准、自管小区收费及结余使用",
         support_mode=SupportMode.PERCENT, support_value=Decimal("10"),
         parties=[Party.PARTY_ORG, Party.RESIDENTS_COMMITTEE, Party.PROPERTY_COMPANY, Party.OWNERS_COMMITTEE],
         deciding_meeting=MeetingKind.REPRESENTATIVES_MEETING, quorum_percent=67, majority=Majority.TWO_THIRDS,
         abstentions_count=True, min_deliberation_days=15, notice_days=7),
    dict(matter_type="public_space", name="公共空间改造", mandatory=True,
         description="绿地、停车位、活动场地等公共空间的用途改变",
         support_mode=SupportMode.ABSOLUTE, support_value=Decimal("20"),
         parties=[Party.PARTY_ORG, Party.RESIDENTS_COMMITTEE, Party.PROPERTY_COMPANY, Party.OWNERS_COMMITTEE],
         deciding_meeting=MeetingKind.REPRESENTATIVES_MEETING, quorum_percent=50, majority=Majority.SIMPLE,
         abstentions_count=True, min_deliberation_days=10, notice_days=5),
    dict(matter_type="facility", name="公共设施建设", mandatory=True,
         description="加装电梯、养老设施、充电桩等设施建设",
         support_mode=SupportMode.PERCENT, support_value=Decimal("3"), parties=ALL_SIX,
         deciding_meeting=MeetingKind.REPRESENTATIVES_MEETING, quorum_percent=67, majority=Majority.TWO_THIRDS,
         abstentions_count=True, min_deliberation_days=15, notice_days=7),
    dict(matter_type="livelihood_service", name="民生服务项目", mandatory=False,
         description="社区服务项目、活动安排、志愿服务等",
         support_mode=SupportMode.ABSOLUTE, support_value=Decimal("10"),
         parties=[Party.PARTY_ORG, Party.RESIDENTS_COMMITTEE, Party.SOCIAL_ORG],
         deciding_meeting=MeetingKind.CONSULTATION_MEETING, quorum_percent=50, majority=Majority.SIMPLE,
         abstentions_count=False, min_deliberation_days=7, notice_days=3),
    dict(matter_type="other", name="其他社区公共事务", mandatory=False,
         description="居民关心的其他公共事务",
         support_mode=SupportMode.ABSOLUTE, support_value=Decimal("10"),
         parties=[Party.PARTY_ORG, Party.RESIDENTS_COMMITTEE],
         deciding_meeting=MeetingKind.CONSULTATION_MEETING, quorum_percent=50, majority=Majority.SIMPLE,
         abstentions_count=False, min_deliberation_days=5, notice_days=3),
]
