from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("待补材料")
    ACCEPTED = "accepted", _("已受理")
    AT_DEPARTMENT = "at_department", _("已递交部门")
    RESULT_READY = "result_ready", _("结果已出")
    DELIVERED = "delivered", _("已签收")
    RATED = "rated", _("已评价")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_REQUEST_STATES = (RequestState.SUBMITTED, RequestState.RETURNED, RequestState.ACCEPTED,
                       RequestState.AT_DEPARTMENT, RequestState.RESULT_READY)
DONE_REQUEST_STATES = (RequestState.DELIVERED, RequestState.RATED)


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    DESK = "desk", _("窗口代录")


class SignatureKind(models.TextChoices):
    SCREEN = "screen", _("屏幕签名")
    PAPER = "paper", _("纸质签收")


class VenueKind(models.TextChoices):
    COMMUNITY_ROOM = "community_room", _("社区活动室")
    SCHOOL_PLAYGROUND = "school_playground", _("学校操场")
    CANTEEN = "canteen", _("单位食堂")
    MEETING_ROOM = "meeting_room", _("会议室")
    SPORTS = "sports", _("运动场地")
    OTHER = "other", _("其他")


class BookingState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    NO_SHOW = "no_show", _("爽约")
    REJECTED = "rejected", _("未批准")
    CANCELLED = "cancelled", _("已取消")


# a booking in one of these states holds its slot (the unique constraint's condition)
SLOT_HOLDING = (BookingState.PENDING, BookingState.APPROVED, BookingState.CHECKED_IN, BookingState.NO_SHOW)


class PointCategory(models.TextChoices):
    MEDICAL = "medical", _("医疗")
    ELDERLY = "elderly", _("养老")
    CHILDCARE = "childcare", _("托育")
    STORE = "store", _("便民店")
    REPAIR = "repair", _("维修")
    KIOSK = "kiosk", _("自助服务机")
    OTHER = "other", _("其他")


class MatchKind(models.TextChoices):
    SERVICE_POINT = "service_point", _("服务点")
    SERVICE_ITEM = "service_item", _("服务事项")
    VOLUNTEER = "volunteer", _("志愿者")
    ORGANISATION = "organisation", _("社会组织")
