"""One way to count a vote, used by every app that decides by one: a quorum of the eligible and a majority of a
base, both as exact fractions, counted by heads or by a weight (floor area for 业主大会 votes).

Consultation decides by heads (到会 quorum, 过半数 or 三分之二 of the votes cast); property's 双过半 decides twice,
by dwellings and by floor area, with the same function. No rounding decides a vote: every comparison is between
`Fraction`s, so 2/3 is 2/3 and ¥0.01 of area is not lost to a float.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Number = int | Decimal | Fraction


@dataclass(frozen=True)
class Rule:
    """`quorum`: the share of the eligible that must take part (at least). `majority`: the share of the base that
    must agree — more than it when `strict` (过半数), at least it otherwise (三分之二以上, 四分之三以上)."""

    quorum: Fraction
    majority: Fraction
    strict: bool


SIMPLE = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)


@dataclass(frozen=True)
class Verdict:
    quorum_needed: Fraction   # eligible × quorum, exact; by heads, `quorum_needed_heads` rounds it up
    quorum_met: bool
    base: Number
    majority_met: bool

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.majority_met

    @property
    def quorum_needed_heads(self) -> int:
        return math.ceil(self.quorum_needed)


def _frac(x: Number) -> Fraction:
    return x if isinstance(x, Fraction) else Fraction(x)


def count(*, eligible: Number, present: Number, votes_for: Number, base: Number, rule: Rule) -> Verdict:
    """`present` took part out of `eligible`; `votes_for` agreed out of `base` (the votes that count: for and
    against, and abstentions where the rule counts them). Raises ValueError on an impossible tally."""
    e, p, f, b = (_frac(x) for x in (eligible, present, votes_for, base))
    if min(e, p, f, b) < 0:
        raise ValueError("negative count")
    if p > e or b > p or f > b:
        raise ValueError("inconsistent tally")
    needed = e * rule.quorum
    quorum_met = e > 0 and p >= needed
    share = f / b if b else Fraction(0)
    majority_met = b > 0 and (share > rule.majority if rule.strict else share >= rule.majority)
    return Verdict(needed, quorum_met, base, majority_met)
