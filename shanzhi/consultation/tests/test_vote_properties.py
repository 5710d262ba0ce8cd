"""Property test against the database: whatever sequence of votes staff try to record, each representative
ends up with exactly one vote (their first), and the outcome equals the pure count."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shanzhi.consultation import services as s
from shanzhi.consultation.rules import count_votes
from shanzhi.consultation.workflow import vote_outcome
from shanzhi.core.errors import ServiceError

pytestmark = pytest.mark.django_db

attempts = st.lists(st.tuples(st.integers(0, 6), st.sampled_from(["for", "against", "abstain"])), max_size=20)


@pytest.fixture
def voting(env):
    topic = env.to_resolution(env.topic(support=2))
    meeting, reps = env.deciding_meeting(topic, voters=7)
    for r in reps[:6]:  # the seventh stays away
        s.meeting_check_in(actor=env.staff, participant=r)
    topic.refresh_from_db()
    return env, topic, [type(r).objects.get(pk=r.pk) for r in reps]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts)
def test_one_vote_per_representative(voting, tries):
    env, topic, reps = voting
    topic.votes.all().delete()
    first = {}
    for i, choice in tries:
        try:
            s.vote_record(actor=env.staff, topic=topic, representative=reps[i], choice=choice)
        except ServiceError:
            assert i in first or reps[i].checked_in_at is None
        else:
            assert i not in first
            first[i] = choice
    stored = {v.representative_id: v.choice for v in topic.votes.all()}
    assert stored == {reps[i].pk: c for i, c in first.items()}
    outcome, _reason = vote_outcome(topic)
    if first:
        choices = list(first.values())
        expected = count_votes(eligible=7, present=6, votes_for=choices.count("for"),
                               votes_against=choices.count("against"), abstentions=choices.count("abstain"),
                               quorum_percent=topic.rule.quorum_percent, majority=topic.rule.majority,
                               abstentions_count=topic.rule.abstentions_count)
        assert outcome == expected
    else:
        assert outcome is None
