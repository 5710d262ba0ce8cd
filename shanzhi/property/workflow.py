"""老旧院落改造 stages as a table: planning → residents' consultation → design → construction → acceptance → done.
Construction needs the 'before' inspection, completion the 'after' inspection."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.core.workflow import Transition, Workflow

from .choices import InspectionPhase
from .choices import RenovationStage as S
from .models import MANAGERS


def _inspected(phase):
    def guard(project, actor, data):
        if not project.inspections.filter(phase=phase).exists():
            return False, _("请先录入%(p)s") % {"p": InspectionPhase(phase).label}
        return True, ""
    return guard


def _consulted(project, actor, data):
    if project.topic_id is None and not data.get("topic"):
        return False, _("请先关联居民协商议题")
    return True, ""


ROLES = frozenset(MANAGERS)
RENOVATION = Workflow(
    name="property.renovation",
    states=dict(S.choices),
    state_field="stage",
    transitions=[
        Transition("consult", (S.PLANNING,), S.CONSULTATION, _l("进入居民协商"), roles=ROLES),
        Transition("design", (S.CONSULTATION,), S.DESIGN, _l("协商完成，进入设计"), roles=ROLES, guard=_consulted),
        Transition("build", (S.DESIGN,), S.CONSTRUCTION, _l("开工"), roles=ROLES,
                   guard=_inspected(InspectionPhase.BEFORE)),
        Transition("accept", (S.CONSTRUCTION,), S.ACCEPTANCE, _l("竣工，进入验收"), roles=ROLES),
        Transition("finish", (S.ACCEPTANCE,), S.DONE, _l("验收通过"), roles=ROLES,
                   guard=_inspected(InspectionPhase.AFTER)),
    ],
)
