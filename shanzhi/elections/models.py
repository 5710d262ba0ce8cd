"""社区直选: an election of the 居委会 by the community's voters.

An election belongs to one community (region_code = the community's code). The 选举委员会 (election_committee
role in that community) runs it; the community's staff, secretary and the street follow it. Voters come from the
registry (adults with 户籍 here, plus non-户籍 residents who registered); each voter votes once per round — a
unique constraint on (election, round, voter) holds across every station. Ballots are secret: what is counted
is each station's tally, entered twice by two clerks, never a ballot tied to a voter.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import Role
from shanzhi.core.scoping import ScopedModel, in_community, through
from shanzhi.registry.models import Person

from . import choices as c

COMMITTEE = frozenset({Role.ELECTION_COMMITTEE})
FOLLOWERS = frozenset({Role.ELECTION_COMMITTEE, Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF, Role.STREET_MANAGER})
# Submitting the result to 阳光五务 is the community's editors' job (disclosure's own rule).
PUBLISHERS = frozenset({Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF})
ROLES = {"view": set(FOLLOWERS), "run": set(COMMITTEE), "publish": set(PUBLISHERS)}
PROXY_LIMIT = 3  # 每一登记参加选举的选民接受委托投票不得超过三人
VOTING_AGE = 18


class Elector(Person):
    """The registry's persons as the election committee reaches them: its community's residents, to build
    the roll and find voters by ID number. Pages show name and serial only."""

    scope_roles = {"view": set(COMMITTEE)}
    scope_strategy = in_community

    class Meta:
        proxy = True


class Election(ScopedModel):
    scope_roles = ROLES
    scope_strategy = in_community

    title = models.CharField(_("名称"), max_length=100)
    term = models.CharField(_("届别"), max_length=30, help_text=_("如 第十二届"))
    vote_on = models.DateField(_("投票日"))
    objection_days = models.PositiveSmallIntegerField(_("异议期（天）"), default=5)
    objection_until = models.DateField(_("异议截止"), null=True, blank=True)
    write_ins = models.BooleanField(_("允许另选他人（海选）"), default=True)
    proxy_limit = models.PositiveSmallIntegerField(_("每人受托上限"), default=PROXY_LIMIT)
    stage = models.CharField(_("阶段"), max_length=12, choices=c.Stage.choices, default=c.Stage.SETUP, db_index=True)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    disclosure_entry_id = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("选举")
        ordering = ["-vote_on", "-pk"]

    def __str__(self):
        return f"{self.title}（{self.term}）"


class Seat(models.Model):
    """How many of each office this election fills (主任 1, 副主任 1, 委员 3 …)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="seats")
    office = models.CharField(_("职务"), max_length=10, choices=c.Office.choices)
    count = models.PositiveSmallIntegerField(_("名额"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "office"], name="elections_seat_once")]
        ordering = ["pk"]


class ElectionChild(ScopedModel):
    scope_roles = ROLES
    scope_strategy = through("election")

    class Meta:
        abstract = True


class Voter(ElectionChild):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="voters")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(_("选民证号"), max_length=20)
    kind = models.CharField(_("类别"), max_length=12, choices=c.VoterKind.choices, default=c.VoterKind.HUKOU)
    listed = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("选民")
        ordering = ["serial"]
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="elections_voter_once"),
            models.UniqueConstraint(fields=["election", "serial"], name="elections_voter_serial"),
        ]

    def __str__(self):
        return self.serial


class RollCorrection(ElectionChild):
    """An objection decided: a voter added or removed, with the reason (the roll's history)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="corrections")
    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("更正"), max_length=8, choices=c.CorrectionKind.choices)
    reason = models.CharField(_("理由"), max_length=300)
    raised_by = models.CharField(_("异议人"), max_length=50, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]


class Candidate(ElectionChild):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="+")
    office = models.CharField(_("职务"), max_length=10, choices=c.Office.choices)
    round = models.PositiveSmallIntegerField(default=1)
    source = models.CharField(_("产生方式"), max_length=10, choices=c.CandidateSource.choices)
    nominated_by = models.CharField(_("提名人"), max_length=100, blank=True)

    class Meta:
        ordering = ["round", "office", "pk"]
        constraints = [models.UniqueConstraint(fields=["election", "round", "office", "voter"],
                                               name="elections_candidate_once")]


class Station(ElectionChild):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="stations")
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=8, choices=c.StationKind.choices, default=c.StationKind.FIXED)
    place = models.CharField(_("地点或线路"), max_length=120, blank=True)
    code = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["election", "code"], name="elections_station_code")]

    def __str__(self):
        return self.name


class StationStaff(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职责"), max_length=12, choices=c.StaffRole.choices)

    class Meta:
        ordering = ["pk"]


class Proxy(ElectionChild):
    """委托投票: `grantor` lets `holder` vote for them (written authorisation recorded by the committee)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="proxies")
    grantor = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="+")
    holder = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField(default=1)
    document = models.CharField(_("委托书编号"), max_length=60, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "round", "grantor"], name="elections_proxy_once"),
                       models.CheckConstraint(condition=~Q(grantor=models.F("holder")), name="elections_proxy_not_self")]


class BallotBatch(ElectionChild):
    """Ballot papers printed for a station: serials first … first+count-1 of the round."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballot_batches")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="ballot_batches")
    round = models.PositiveSmallIntegerField()
    first = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "first"]


class VoteCast(ElectionChild):
    """A voter has voted in this round (at a station, in person or by proxy). Never what they voted."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="casts")
    round = models.PositiveSmallIntegerField()
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="casts")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="casts")
    by_proxy = models.ForeignKey(Voter, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "round", "voter"], name="elections_vote_once")]


class Tally(ElectionChild):
    """One clerk's independent entry of a station's count. Two entries by two clerks must agree."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="tallies")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="tallies")
    round = models.PositiveSmallIntegerField()
    entry = models.PositiveSmallIntegerField()  # 1 or 2
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ballots_cast = models.PositiveIntegerField(_("收回选票"))
    invalid = models.PositiveIntegerField(_("无效票"), default=0)
    counts = models.JSONField(_("得票"), default=dict)  # {office: {voter serial: votes}}
    version = models.PositiveIntegerField(default=1)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "round", "entry"], name="elections_tally_entry"),
            models.UniqueConstraint(fields=["station", "round", "clerk"], name="elections_tally_clerk"),
        ]

    def lines(self) -> list[tuple[str, str]]:
        """(office label, "serial=votes …") per office, for comparing two entries on the page."""
        return [(str(c.Office(o).label) if o in c.Office.values else o,
                 " ".join(f"{k}={v}" for k, v in sorted(votes.items()))) for o, votes in self.counts.items()]


class Result(ElectionChild):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="results")
    round = models.PositiveSmallIntegerField()
    office = models.CharField(max_length=10, choices=c.Office.choices)
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField()
    elected = models.BooleanField(default=False)
    write_in = models.BooleanField(default=False)

    class Meta:
        ordering = ["round", "office", "-votes", "pk"]
        constraints = [models.UniqueConstraint(fields=["election", "round", "office", "voter"],
                                               name="elections_result_once")]


class Note(ElectionChild):
    """The election's minutes: quorum, validity checks, runoff calls (shown on its page)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="notes")
    text = LimitedTextField(max_length=1000)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
