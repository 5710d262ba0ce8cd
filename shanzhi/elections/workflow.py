"""The election's stages as a table: 筹备 → 选民名单公布 (异议期) → 候选人公布 → 投票 → 计票 → 结果 (or 另行选举, back
to 投票 for the next round; or 选举无效) → 公示 on 阳光五务."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.core.workflow import Transition, Workflow

from .choices import Stage
from .models import COMMITTEE, PUBLISHERS

S = Stage
SYSTEM_ACTIONS = {"decide", "runoff", "void"}


def _objection_until(election, actor, data):
    return timezone.localdate() + dt.timedelta(days=election.objection_days)


def _window_closed(election, actor, data):
    if election.objection_until and timezone.localdate() < election.objection_until:
        return False, _("选民名单异议期至 %(d)s 截止，截止后才能公布候选人") % {"d": election.objection_until}
    if not election.write_ins and not election.candidates.filter(round=election.round).exists():
        return False, _("未允许另选他人时，须先提名候选人")
    return True, ""


def _stations_ready(election, actor, data):
    if not election.stations.exists():
        return False, _("请先设置投票站")
    if not election.ballot_batches.filter(round=election.round).exists():
        return False, _("请先印制选票")
    return True, ""


def _next_round(election, actor, data):
    return election.round + 1


RUN = frozenset(COMMITTEE)

WORKFLOW = Workflow(
    name="elections.election",
    state_field="stage",
    states=dict(Stage.choices),
    transitions=[
        Transition("publish_roll", (S.SETUP,), S.ROLL, _l("公布选民名单"), roles=RUN,
                   sets={"objection_until": _objection_until}),
        Transition("publish_candidates", (S.ROLL,), S.CANDIDATES, _l("公布候选人名单"), roles=RUN,
                   guard=_window_closed),
        Transition("open_voting", (S.CANDIDATES,), S.VOTING, _l("开始投票"), roles=RUN, guard=_stations_ready),
        Transition("close_voting", (S.VOTING,), S.COUNTING, _l("结束投票，开始计票"), roles=RUN),
        Transition("decide", (S.COUNTING,), S.DECIDED, _l("确认选举结果"), roles=RUN),
        Transition("runoff", (S.COUNTING,), S.CANDIDATES, _l("另行选举"), roles=RUN, sets={"round": _next_round}),
        Transition("void", (S.COUNTING,), S.VOID, _l("宣布选举无效"), roles=RUN),
        Transition("publish", (S.DECIDED,), S.PUBLISHED, _l("在阳光五务公示结果"), roles=frozenset(PUBLISHERS)),
    ],
)
