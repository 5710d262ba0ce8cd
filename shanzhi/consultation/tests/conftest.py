from datetime import date, timedelta

import pytest
from django.utils import timezone

from shanzhi.consultation.models import Meeting, Topic
from shanzhi.consultation.services import (
    comment_add,
    meeting_create,
    meeting_hold,
    meeting_invite,
    meeting_notice,
    rule_override,
    rules_seed_defaults,
    support_online,
    topic_create,
    topic_transition,
)
from shanzhi.core.pii import blind_index
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.registry.models import Building, Dwelling, Estate, Person


class Env:
    """A community with one building, adult residents linked to users, two staff, and the default rules."""

    def __init__(self, world, residents=10):
        self.world = world
        self.code = world.community.code
        grid = world.grid.code
        self.staff = make_user(Role.COMMUNITY_STAFF, self.code, display_name="张社工")
        self.secretary = make_user(Role.COMMUNITY_SECRETARY, self.code, display_name="陈书记")
        # the rosters: 合议 by the governance committee's members, 评议 by the residents' representatives
        self.committee = make_user(Role.GOVERNANCE_COMMITTEE, self.code, display_name="治理委员")
        self.representatives = [make_user(Role.RESIDENT_REPRESENTATIVE, self.code, display_name=f"居民代表{i}")
                                for i in range(3)]
        rules_seed_defaults(actor=self.secretary, region_code=world.street.code)
        estate = Estate.objects.create(region_code=self.code, name="施井小区")
        self.building = Building.objects.create(region_code=grid, estate=estate, name="1栋")
        self.other_building = Building.objects.create(region_code=grid, estate=estate, name="2栋")
        self.persons, self.residents = [], []
        for i in range(residents):
            d = Dwelling.objects.create(region_code=grid, building=self.building, floor=1, room=f"1{i:02d}")
            user = make_user(Role.RESIDENT, grid, display_name=f"居民{i}")
            p = Person.objects.create(region_code=grid, name=f"居民{i}", birth_date=date(1970, 1, 1), dwelling=d,
                                      id_number_hash=blind_index(f"32100219700101{i:03d}X", purpose="id_number"),
                                      user=user)
            self.persons.append(p)
            self.residents.append(user)
        # a child and a resident of the other building
        Person.objects.create(region_code=grid, name="小孩", birth_date=date.today() - timedelta(days=365 * 5),
                              dwelling=d)
        d2 = Dwelling.objects.create(region_code=grid, building=self.other_building, floor=1, room="101")
        self.outsider_user = make_user(Role.RESIDENT, grid)
        Person.objects.create(region_code=grid, name="外楼居民", birth_date=date(1980, 1, 1), dwelling=d2,
                              user=self.outsider_user)

    def rule(self, matter_type="public_space", **fields):
        return rule_override(actor=self.secretary, community_code=self.code, matter_type=matter_type, **fields)

    def topic(self, support=3, **kw):
        self.rule("public_space", support_mode="absolute", support_value=support)
        return topic_create(actor=self.residents[0], community_code=self.code, matter_type="public_space",
                            title=kw.pop("title", "1栋门前绿地改停车位"), description="楼下停车难",
                            building_ids=[self.building.pk], **kw)

    def to_deliberation(self, topic):
        for u in self.residents[1:topic.supporters_needed]:
            topic = support_online(actor=u, topic=topic)
        return topic_transition(actor=self.committee, topic=topic, action="accept", reason="符合规则")

    def to_resolution(self, topic):
        topic = self.to_deliberation(topic)
        comment_add(actor=self.residents[1], topic=topic, body="同意改造", stance="for")
        Topic.objects.filter(pk=topic.pk).update(deliberation_closes_at=timezone.now() - timedelta(minutes=1))
        topic.refresh_from_db()
        return topic_transition(actor=self.secretary, topic=topic, action="to_resolution")

    def deciding_meeting(self, topic, voters=5):
        m = meeting_create(actor=self.staff, community_code=self.code, kind="representatives_meeting",
                           title="居民代表会议", starts_at=timezone.now() + timedelta(days=10), location="社区议事厅",
                           topics=[topic])
        for party in topic.rule.parties:
            meeting_invite(actor=self.staff, meeting=m, party=party, name=f"{party}代表")
        reps = [meeting_invite(actor=self.staff, meeting=m, party="resident", name=f"代表{i}", is_voter=True)
                for i in range(voters)]
        m = meeting_notice(actor=self.staff, meeting=m)
        Meeting.objects.filter(pk=m.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
        m.refresh_from_db()
        m = meeting_hold(actor=self.staff, meeting=m)
        return m, reps


@pytest.fixture
def env(world):
    return Env(world)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Env makes a dozen users; argon2 would dominate the run time of these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
