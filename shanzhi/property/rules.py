"""双过半: the 业主大会 decision rule of 民法典 art. 278, counted by dwellings (一个专有部分按一人计算) and by floor area.

Participation: owners holding at least two thirds of the dwellings AND two thirds of the floor area take part.
Decision: an ordinary matter passes with more than half of the participating dwellings AND more than half of the
participating area agreeing; a special matter (raising or using the maintenance fund, rebuilding) with at least
three quarters of both. Exact fractions: no rounding decides a vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from shanzhi.core import voting

from .choices import Threshold

PARTICIPATION = Fraction(2, 3)


@dataclass(frozen=True)
class Tally:
    eligible_count: int
    eligible_area: Decimal
    voted_count: int
    voted_area: Decimal
    for_count: int
    for_area: Decimal


@dataclass(frozen=True)
class Decision:
    participation_met: bool
    count_met: bool
    area_met: bool
    passed: bool
    reason: str


RULES = {Threshold.ORDINARY: voting.Rule(PARTICIPATION, voting.SIMPLE, strict=True),
         Threshold.SPECIAL: voting.Rule(PARTICIPATION, voting.THREE_QUARTERS, strict=False)}


def decide(t: Tally, threshold: str = Threshold.ORDINARY) -> Decision:
    """The one vote counter (`core.voting`) run twice: by dwellings (heads) and by floor area (the weight)."""
    rule = RULES.get(threshold, RULES[Threshold.ORDINARY])
    by_count = voting.count(eligible=t.eligible_count, present=t.voted_count, votes_for=t.for_count,
                            base=t.voted_count, rule=rule)
    by_area = voting.count(eligible=t.eligible_area, present=t.voted_area, votes_for=t.for_area,
                           base=t.voted_area, rule=rule)
    participation = by_count.quorum_met and by_area.quorum_met
    count_met, area_met = by_count.majority_met, by_area.majority_met
    if not participation:
        reason = _("参与表决的户数或面积未达到三分之二（户数 %(vc)d/%(ec)d，面积 %(va)s/%(ea)s㎡）") % {
            "vc": t.voted_count, "ec": t.eligible_count, "va": t.voted_area, "ea": t.eligible_area}
    elif not count_met:
        reason = _("同意的户数未达到要求（%(f)d/%(v)d户）") % {"f": t.for_count, "v": t.voted_count}
    elif not area_met:
        reason = _("同意的面积未达到要求（%(f)s/%(v)s㎡）") % {"f": t.for_area, "v": t.voted_area}
    else:
        reason = _("户数与面积均达到要求，表决通过")
    return Decision(participation, count_met, area_met, participation and count_met and area_met, reason)


def split(total: int, weights: dict[int, Decimal | int]) -> dict[int, int]:
    """Split `total` fen over keys in proportion to their weights; shares sum exactly to `total`
    (largest remainder, ties to the smaller key). Zero total weight: equal split."""
    keys = sorted(weights)
    if not keys:
        return {}
    w = {k: Fraction(Decimal(weights[k])) for k in keys}
    whole = sum(w.values())
    if whole <= 0:
        w = {k: Fraction(1) for k in keys}
        whole = Fraction(len(keys))
    exact = {k: total * w[k] / whole for k in keys}
    shares = {k: int(exact[k]) for k in keys}
    left = total - sum(shares.values())
    for k in sorted(keys, key=lambda k: (-(exact[k] - shares[k]), k))[:left]:
        shares[k] += 1
    return shares
