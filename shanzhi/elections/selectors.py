"""Reads of 社区直选, always with the actor."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from shanzhi.core.pii import blind_index
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.regions.models import Region

from . import counting
from .models import (
    COMMITTEE,
    BallotBatch,
    Candidate,
    Election,
    Elector,
    Result,
    Station,
    Tally,
    VoteCast,
    Voter,
)


def election_list(*, actor) -> QuerySet[Election]:
    return Election.objects.restrict(actor, "view").order_by("-vote_on", "-pk")


def election_get(*, actor, pk) -> Election | None:
    return Election.objects.restrict(actor, "view").filter(pk=pk).first()


def may(*, actor, election, action: str = "run") -> bool:
    return Election.objects.restrict(actor, action).filter(pk=election.pk).exists()


def communities_run_by(*, actor) -> list[Region]:
    prefixes = prefixes_for_roles(actor, COMMITTEE)
    return list(Region.objects.filter(code__in=[p[:12] for p in prefixes if len(p) >= 12]).order_by("code"))


def roll(*, actor, election, listed: bool = True) -> QuerySet[Voter]:
    return (Voter.objects.restrict(actor, "view").filter(election=election, listed=listed)
            .select_related("person").order_by("serial"))


def roll_figures(*, actor, election) -> dict:
    rows = dict(Voter.objects.restrict(actor, "view").filter(election=election, listed=True)
                .values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    return {"hukou": rows.get("hukou", 0), "registered": rows.get("registered", 0), "total": sum(rows.values())}


def corrections(*, actor, election):
    return list(election.corrections.select_related("voter__person", "decided_by")[:100])


def candidates(*, actor, election, round_: int | None = None):
    qs = Candidate.objects.restrict(actor, "view").filter(election=election).select_related("voter__person")
    return list(qs.filter(round=round_) if round_ else qs)


def stations(*, actor, election) -> list[dict]:
    out = []
    for st in Station.objects.restrict(actor, "view").filter(election=election).prefetch_related("staff"):
        out.append({"station": st, "state": station_tally_state(st, election.round),
                    "casts": VoteCast.objects.filter(station=st, round=election.round).count(),
                    "ballots": sum(BallotBatch.objects.filter(station=st, round=election.round)
                                   .values_list("count", flat=True))})
    return out


def station_get(*, actor, pk, action: str = "view") -> Station | None:
    return Station.objects.restrict(actor, action).select_related("election").filter(pk=pk).first()


def tallies(*, actor, station, round_: int):
    return list(Tally.objects.restrict(actor, "view").filter(station=station, round=round_)
                .select_related("clerk").order_by("entry"))


def results(*, actor, election):
    return list(Result.objects.restrict(actor, "view").filter(election=election).select_related("voter__person"))


def turnout(*, actor, election) -> dict:
    casts = VoteCast.objects.restrict(actor, "view").filter(election=election, round=election.round)
    return {"voted": casts.count(), "by_proxy": casts.filter(by_proxy__isnull=False).count()}


def person_by_id_number(*, actor, id_number: str):
    digest = blind_index((id_number or "").strip().upper(), purpose="id_number")
    return Elector.objects.restrict(actor, "view").filter(id_number_hash=digest).first() if digest else None


def ballot_serials(*, actor, station, round_: int, limit: int = 200) -> list[str]:
    out = []
    for batch in BallotBatch.objects.restrict(actor, "view").filter(station=station, round=round_):
        for n in range(batch.first, batch.first + batch.count):
            if len(out) >= limit:
                return out
            out.append(ballot_serial(station.election, round_, n))
    return out


def voter_by_serial(election: Election, serial: str) -> Voter | None:
    """A listed voter by the serial on their 选民证 (scanned at the station)."""
    return Voter.objects.filter(election=election, serial=(serial or "").strip().upper(), listed=True).first()


def ballot_serial(election: Election, round_: int, n: int) -> str:
    return f"B{election.pk:04d}-{round_}-{n:06d}"


def tally_entry(t: Tally) -> counting.Entry:
    return counting.Entry(t.ballots_cast, t.invalid, t.counts)


def station_tally_state(station: Station, round_: int) -> str:
    """missing / one / agreed / mismatch: the two clerks' entries compared."""
    entries = list(Tally.objects.filter(station=station, round=round_).order_by("entry"))
    if not entries:
        return "missing"
    if len(entries) == 1:
        return "one"
    return "agreed" if counting.agree(tally_entry(entries[0]), tally_entry(entries[1])) else "mismatch"


def voters_named(*, actor, election, name: str, limit: int = 10) -> list[Voter]:
    """Listed voters of this election whose name starts with `name` and who have not voted this round (the
    staff mark a voter who came without their 选民证)."""
    name = (name or "").strip()
    if not name:
        return []
    voted = VoteCast.objects.filter(election=election, round=election.round).values("voter_id")
    return list(Voter.objects.restrict(actor, "view").filter(election=election, listed=True,
                                                             person__name__startswith=name)
                .exclude(pk__in=voted).select_related("person").order_by("serial")[:limit])
