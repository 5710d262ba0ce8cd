"""Rule enforcement as pure functions: which rule applies, how many supporters, how a vote is counted."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from shanzhi.core import voting
from shanzhi.core.scoping import COMMUNITY_CODE_LEN, prefix_q
from shanzhi.registry.choices import PersonStatus
from shanzhi.registry.models import Person

from .choices import Majority, SupportMode
from .models import ConsultationRule


def effective_rules(community_code: str) -> dict[str, ConsultationRule]:
    """matter_type → rule; the community's own rule overrides the street's."""
    street_code = community_code[:9]
    rules: dict[str, ConsultationRule] = {}
    for rule in ConsultationRule.objects.filter(region_code__in=[street_code, community_code], retired=False)\
            .order_by("region_code"):
        rules[rule.matter_type] = rule  # street code sorts first, so the community's rule wins
    return rules


def rule_for(community_code: str, matter_type: str) -> ConsultationRule | None:
    return effective_rules(community_code).get(matter_type)


def supporters_needed(mode: str, value: Decimal | float | int, eligible: int) -> int:
    """Absolute count, or a percentage of the eligible (adult, living) residents, rounded up; at least 1."""
    if mode == SupportMode.PERCENT:
        return max(1, math.ceil(Decimal(str(value)) * eligible / 100))
    return max(1, int(value))


def adults_in_area(*, community_code: str, building_ids: list[int], today: date | None = None) -> int:
    """Living registry persons aged ≥ 18 in the affected buildings (or the whole community)."""
    return adult_persons(community_code=community_code, building_ids=building_ids, today=today).count()


def adult_persons(*, community_code: str, building_ids: list[int], today: date | None = None):
    today = today or date.today()
    try:
        cutoff = today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - 18, day=28)
    qs = Person.objects.filter(status=PersonStatus.LIVING, birth_date__lte=cutoff)
    if building_ids:
        return qs.filter(dwelling__building_id__in=building_ids)
    return qs.filter(prefix_q("region_code", [community_code[:COMMUNITY_CODE_LEN]]))


@dataclass(frozen=True)
class Outcome:
    quorum_needed: int
    quorum_met: bool
    base: int
    passed: bool
    reason: str


MAJORITY_RULES = {Majority.SIMPLE: (voting.SIMPLE, True), Majority.TWO_THIRDS: (voting.TWO_THIRDS, False)}


def count_votes(*, eligible: int, present: int, votes_for: int, votes_against: int, abstentions: int,
                quorum_percent: int, majority: str, abstentions_count: bool) -> Outcome:
    """Quorum: present ≥ ⌈eligible × quorum%⌉. Majority over the base (for + against, plus abstentions when
    they count): simple = more than half, two-thirds = at least two thirds. No base, no decision.
    Counted by the one vote counter, `core.voting`."""
    if min(eligible, present, votes_for, votes_against, abstentions) < 0:
        raise ValueError("negative count")
    if present > eligible:
        raise ValueError(_("到会人数不能多于应到人数"))
    if votes_for + votes_against + abstentions > present:
        raise ValueError(_("票数不能多于到会人数"))
    share, strict = MAJORITY_RULES.get(majority, MAJORITY_RULES[Majority.SIMPLE])
    base = votes_for + votes_against + (abstentions if abstentions_count else 0)
    v = voting.count(eligible=eligible, present=present, votes_for=votes_for, base=base,
                     rule=voting.Rule(Fraction(quorum_percent, 100), share, strict))
    needed = v.quorum_needed_heads
    if not v.quorum_met:
        reason = _("到会%(present)d人，未达到法定人数%(needed)d人") % {"present": present, "needed": needed}
    elif base == 0:
        reason = _("没有有效票")
    elif not v.majority_met:
        reason = _("赞成%(f)d票，未达到%(rule)s（表决基数%(base)d）") % {
            "f": votes_for, "rule": Majority(majority).label, "base": base}
    else:
        reason = ""
    return Outcome(needed, v.quorum_met, base, v.passed, reason)
