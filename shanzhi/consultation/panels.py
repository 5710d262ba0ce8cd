"""Cards consultation adds to other apps' pages through core.panels (registered in ConsultationConfig.ready)."""

from shanzhi.core.permissions import allows
from shanzhi.core.scoping import COMMUNITY_CODE_LEN

from .permissions import CASE_TO_TOPIC
from .rules import effective_rules
from .selectors import topic_from_case


def case_topic_panel(request, case) -> dict | None:
    """On a case page: the topic the case became, or the 转为协商议题 form for community staff."""
    topic = topic_from_case(actor=request.user, case_id=case.pk)
    if topic is not None:
        return {"case": case, "topic": topic}
    if allows(request.user, CASE_TO_TOPIC.action, case):
        return {"case": case, "topic_rules": effective_rules(case.region_code[:COMMUNITY_CODE_LEN]).values()}
    return None
