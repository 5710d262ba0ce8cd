"""Who may do what in 智慧社区+ services, with the reason a page shows."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import BOOKERS, MANAGERS, RESIDENTS, STAFF

CATALOGUE_EDIT = rule("services.catalogue_edit", roles=MANAGERS, reason=_("只有社区或街道工作人员可以维护服务事项"))
REQUEST_OPEN = rule("services.request_open", roles=RESIDENTS, reason=_("只有本社区居民可以申请代办"),
                    scope="community_widened")
REQUEST_DESK = rule("services.request_desk", roles=STAFF, reason=_("只有社区工作人员可以在窗口代录"))
REQUEST_HANDLE = rule("services.request_handle", roles=STAFF, reason=_("只有社区工作人员可以办理代办"))
VENUE_EDIT = rule("services.venue_edit", roles=MANAGERS, reason=_("只有社区或街道工作人员可以维护场地"))
VENUE_BOOK = rule("services.venue_book", roles=BOOKERS, reason=_("只有居民或社会组织可以预约场地"),
                  scope="community_widened")
BOOKING_DECIDE = rule("services.booking_decide", roles=MANAGERS, reason=_("只有社区工作人员可以审批预约"))
BOOKING_CHECKIN = rule("services.booking_checkin", roles=STAFF, reason=_("只有工作人员可以核验签到"))
POINT_EDIT = rule("services.point_edit", roles=MANAGERS, reason=_("只有社区或街道工作人员可以维护服务点"))
NEED_MATCH = rule("services.need_match", roles=STAFF, reason=_("只有工作人员可以匹配居民需求"))
