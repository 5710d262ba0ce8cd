"""The arithmetic of counting, as pure functions (tested with Hypothesis): do two clerks' entries agree, the
totals over stations, and who is elected — 参选过半 (more than half the voters took part), 得票过半 (more
than half of those who took part voted for the winner), and the runoff (另行选举: the most votes win, but no
fewer than a third of the ballots cast)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One clerk's entry of one station: ballots collected, invalid ballots, {office: {serial: votes}}."""

    ballots_cast: int
    invalid: int
    counts: dict


def normalised(counts: dict) -> dict:
    return {office: {k: int(v) for k, v in votes.items() if int(v)} for office, votes in counts.items()
            if any(int(v) for v in votes.values())}


def agree(a: Entry, b: Entry) -> bool:
    return (a.ballots_cast, a.invalid, normalised(a.counts)) == (b.ballots_cast, b.invalid, normalised(b.counts))


@dataclass
class Totals:
    ballots_cast: int = 0
    invalid: int = 0
    votes: dict = field(default_factory=dict)  # office -> Counter(serial -> votes)


def combine(entries) -> Totals:
    t = Totals()
    for e in entries:
        t.ballots_cast += e.ballots_cast
        t.invalid += e.invalid
        for office, votes in e.counts.items():
            t.votes.setdefault(office, Counter()).update({k: int(v) for k, v in votes.items()})
    return t


@dataclass
class Outcome:
    quorum: bool
    valid: bool
    elected: dict  # office -> [(serial, votes)]
    unfilled: dict  # office -> seats left
    runoff: dict  # office -> [serial] candidates for the runoff
    problems: list


def _winners(ranked, seats: int, passes) -> list:
    """The first `seats` that pass; a tie across the last seat leaves it unfilled."""
    chosen = [(s, v) for s, v in ranked[:seats] if passes(v)]
    if len(chosen) == seats and len(ranked) > seats and ranked[seats][1] == ranked[seats - 1][1]:
        chosen = [(s, v) for s, v in chosen if v != ranked[seats - 1][1]]
    return chosen


def decide(totals: Totals, *, seats: dict, registered: int, participants: int, runoff_round: bool = False) -> Outcome:
    """Who is elected, given the totals, the seats per office, the registered voters and those who voted."""
    problems = []
    valid = totals.ballots_cast <= participants and totals.invalid <= totals.ballots_cast
    if totals.ballots_cast > participants:
        problems.append("ballots_exceed_voters")
    quorum = participants * 2 > registered
    if not quorum:
        problems.append("no_quorum")
    elected, unfilled, runoff = {}, {}, {}
    if not (valid and quorum):
        return Outcome(quorum, valid, {}, dict(seats), {}, problems)
    for office, n in seats.items():
        ranked = sorted(totals.votes.get(office, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        if runoff_round:
            won = _winners(ranked, n, lambda v: v * 3 >= totals.ballots_cast and v > 0)
        else:
            won = _winners(ranked, n, lambda v: v * 2 > participants)
        elected[office] = won
        left = n - len(won)
        if left:
            unfilled[office] = left
            taken = {s for s, _ in won}
            runoff[office] = [s for s, v in ranked if s not in taken and v > 0][:left * 2]
    return Outcome(quorum, valid, elected, unfilled, runoff, problems)
