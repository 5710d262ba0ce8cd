"""代办参与: identity in person, the time limit, the daily limits, one support per person whatever the channel,
scope, disputes and the audit trail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shanzhi.assisted import services as s
from shanzhi.assisted.choices import Kind, Method
from shanzhi.assisted.models import AssistedAction, AssistedSession, AssistRule
from shanzhi.audit.models import AuditEvent
from shanzhi.cases.choices import State
from shanzhi.cases.models import Case, CaseRating
from shanzhi.cases.testing import make_case
from shanzhi.consultation.choices import Stage
from shanzhi.consultation.models import Support, Survey, SurveyAnswer, Topic
from shanzhi.consultation.services import support_on_behalf, support_online
from shanzhi.consultation.testing import topic_in
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.scope import forget_grants
from shanzhi.core.testing import make_user
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award
from shanzhi.registry.models import Person
from shanzhi.volunteering.models import Order, SignUp, StoreItem, Volunteer
from shanzhi.volunteering.testing import make_activity

pytestmark = pytest.mark.django_db


def _start(desk, actor=None, **kw):
    args = {"method": Method.ID_NUMBER, "name": "李奶奶", "id_number": desk.elder_id, **kw}
    return s.session_start(actor=actor or desk.worker, **args)


def _topic(desk):
    """A topic gathering supporters that one support does not table."""
    topic = topic_in(desk.world.grid.code)
    Topic.objects.filter(pk=topic.pk).update(supporters_needed=50)
    return Topic.objects.get(pk=topic.pk)


def _awaiting_rating(desk):
    case = make_case(desk.world.grid.code, reporter_person=desk.elder, reporter_name=desk.elder.name)
    Case.objects.filter(pk=case.pk).update(state=State.FEEDBACK)
    return Case.objects.get(pk=case.pk)


def _bind(desk, person):
    """The person binds an account (实名认证): a user linked to the registry record, with the resident role."""
    user = make_user(Role.RESIDENT, desk.world.grid.code)
    Person.objects.filter(pk=person.pk).update(user=user)
    forget_grants(user)
    return user


# --- identity ------------------------------------------------------------------------------------------------

def test_the_id_number_and_the_name_open_a_session_naming_both_people(desk):
    session = _start(desk, id_number=desk.elder_id.lower())  # the check letter may be typed in lower case
    assert (session.staff_id, session.person_id, session.method, session.head_id) == (
        desk.worker.pk, desk.elder.pk, Method.ID_NUMBER, None)
    assert session.is_open() and session.expires_at - session.started_at == timedelta(minutes=30)
    event = AuditEvent.objects.get(action="assisted.session_start")
    assert event.actor_id == desk.worker.pk and event.after["person"] == desk.elder.pk


@pytest.mark.parametrize("change", [
    {"id_number": "wrong"},             # a wrong number
    {"name": "李爷爷"},                  # the right number with another name
    {"id_number": "", "name": ""},      # nothing
])
def test_a_wrong_identity_is_refused_with_one_sentence_that_names_no_part(desk, change):
    with pytest.raises(ServiceError) as e:
        _start(desk, **change)
    assert e.value.user_message == str(s.IDENTITY_REFUSED) and e.value.field is None
    assert not AssistedSession.objects.exists()
    event = AuditEvent.objects.get(action="assisted.identity_refused")
    assert event.after == {"method": Method.ID_NUMBER} and desk.elder_id not in str(event.__dict__)


def test_a_worker_outside_the_residents_community_gets_the_same_sentence(desk):
    with pytest.raises(ServiceError) as e:
        _start(desk, actor=desk.outsider)
    assert e.value.user_message == str(s.IDENTITY_REFUSED)
    other = Person.objects.create(region_code=desk.world.other_grid.code, name="外人")
    assert other.pk and not AssistedSession.objects.exists()


def test_the_household_head_present_names_the_head(desk):
    session = _start(desk, method=Method.HOUSEHOLD_HEAD, id_number=desk.head_id, head_name="李明")
    assert (session.person_id, session.head_id) == (desk.elder.pk, desk.head.pk)
    with pytest.raises(ServiceError):  # the head's name must match the head's number
        _start(desk, method=Method.HOUSEHOLD_HEAD, id_number=desk.head_id, head_name="李四")
    with pytest.raises(ServiceError):  # the elder is not a head: her number cannot vouch for the head
        _start(desk, method=Method.HOUSEHOLD_HEAD, id_number=desk.elder_id, head_name="李奶奶", name="李明")


# --- the session: time limit, who may act, limits ------------------------------------------------------------

def test_an_expired_session_refuses_to_act(desk):
    session = _start(desk)
    topic = _topic(desk)
    AssistedSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ServiceError) as e:
        s.session_act(actor=desk.worker, session=session, kind=Kind.SUPPORT, target_id=topic.pk)
    assert "超时" in e.value.user_message and not Support.objects.exists()


def test_the_session_length_is_data(desk):
    AssistRule.objects.create(region_code=desk.world.community.code, session_minutes=10)
    session = _start(desk)
    assert session.expires_at - session.started_at == timedelta(minutes=10)


def test_an_ended_session_refuses_and_only_its_staff_may_act_or_end_it(desk):
    session = _start(desk)
    topic = _topic(desk)
    with pytest.raises(NotAllowed):
        s.session_act(actor=desk.colleague, session=session, kind=Kind.SUPPORT, target_id=topic.pk)
    with pytest.raises(NotAllowed):
        s.session_end(actor=desk.colleague, session=session)
    s.session_end(actor=desk.worker, session=session)
    with pytest.raises(ServiceError):
        s.session_act(actor=desk.worker, session=session, kind=Kind.SUPPORT, target_id=topic.pk)
    assert not Support.objects.exists()


def test_the_open_session_allows_nothing_outside_this_app(desk):
    """The owning apps' 代办 services accept the staff member only while this app runs the action."""
    _start(desk)
    with pytest.raises(NotAllowed):
        support_on_behalf(actor=desk.worker, topic=_topic(desk), person=desk.elder)


def test_the_daily_limits_refuse_with_a_chinese_reason(desk):
    AssistRule.objects.create(region_code=desk.world.street.code, sessions_per_day=1, actions_per_day=1)
    session = _start(desk)
    with pytest.raises(ServiceError) as e:
        _start(desk)
    assert "每日上限" in e.value.user_message and AssistedSession.objects.count() == 1
    first, second = _topic(desk), _topic(desk)
    s.session_act(actor=desk.worker, session=session, kind=Kind.SUPPORT, target_id=first.pk)
    with pytest.raises(ServiceError) as e:
        s.session_act(actor=desk.worker, session=session, kind=Kind.SUPPORT, target_id=second.pk)
    assert "每日上限" in e.value.user_message and Support.objects.count() == 1
    # another staff member has their own allowance; and the count starts again tomorrow
    assert _start(desk, actor=desk.staff)
    AssistedSession.objects.update(started_at=timezone.now() - timedelta(days=1))
    assert _start(desk)


def test_a_community_rule_overrides_the_street_rule(desk):
    AssistRule.objects.create(region_code=desk.world.street.code, sessions_per_day=1)
    AssistRule.objects.create(region_code=desk.world.community.code, sessions_per_day=3)
    assert s.limits_for(desk.elder.region_code)["sessions_per_day"] == 3
    assert s.limits_for(desk.world.other_grid.code)["sessions_per_day"] == 20


def test_limits_are_set_by_the_secretary_or_street_within_their_region(desk):
    with pytest.raises(NotAllowed):
        s.assist_rule_set(actor=desk.worker, region_code=desk.world.community.code, session_minutes=20,
                          sessions_per_day=5, actions_per_day=10)
    with pytest.raises(ServiceError):
        s.assist_rule_set(actor=desk.secretary, region_code=desk.world.community.code, session_minutes=1,
                          sessions_per_day=5, actions_per_day=10)
    rule = s.assist_rule_set(actor=desk.secretary, region_code=desk.world.community.code, session_minutes=20,
                             sessions_per_day=5, actions_per_day=10)
    assert s.limits_for(desk.elder.region_code) == {"session_minutes": 20, "sessions_per_day": 5,
                                                    "actions_per_day": 10}
    assert rule.pk and AuditEvent.objects.filter(action="assisted.rule_set").exists()


# --- the actions, through the owning apps ----------------------------------------------------------------------

def test_support_and_rating_for_the_resident_are_recorded_with_the_session(desk):
    session = _start(desk)
    topic, case = _topic(desk), _awaiting_rating(desk)
    support = s.session_act(actor=desk.worker, session=session, kind=Kind.SUPPORT, target_id=topic.pk)
    rating = s.session_act(actor=desk.worker, session=session, kind=Kind.RATE, target_id=case.pk, score=5,
                           comment="修好了")
    made = Support.objects.get()
    assert (made.person_id, made.entered_by_id, support.record_id, support.target_label) == (
        desk.elder.pk, desk.worker.pk, made.pk, topic.title)
    assert Topic.objects.get(pk=topic.pk).support_count == 1
    assert CaseRating.objects.get().pk == rating.record_id and Case.objects.get(pk=case.pk).state == State.RATED
    acts = AuditEvent.objects.filter(action="assisted.act").order_by("pk")
    assert [e.after["kind"] for e in acts] == ["support", "rate"]
    assert all(e.after["session"] == session.pk and e.actor_id == desk.worker.pk for e in acts)
    # the owning apps' own audit rows name the staff member as the one who entered it, for the elder
    assert AuditEvent.objects.get(action="consultation.support_on_behalf").after == {"person": desk.elder.pk}
    assert AuditEvent.objects.get(action="case.rate_on_behalf").actor_id == desk.worker.pk


def test_a_case_the_resident_did_not_report_cannot_be_rated(desk):
    session = _start(desk)
    other = make_case(desk.world.grid.code, reporter_person=desk.head, reporter_name="李明")
    Case.objects.filter(pk=other.pk).update(state=State.FEEDBACK)
    with pytest.raises(ServiceError):
        s.session_act(actor=desk.worker, session=session, kind=Kind.RATE, target_id=other.pk, score=5)
    assert not CaseRating.objects.exists() and not AssistedAction.objects.exists()


def test_one_support_per_person_whether_by_account_or_assisted(desk):
    user = _bind(desk, desk.elder)
    first, second = _topic(desk), _topic(desk)
    support_online(actor=user, topic=first)  # the elder supported on her own phone
    session = _start(desk)
    with pytest.raises(ServiceError) as e:
        s.session_act(actor=desk.worker, session=session, kind=Kind.SUPPORT, target_id=first.pk)
    assert "已经附议过" in e.value.user_message
    s.session_act(actor=desk.worker, session=session, kind=Kind.SUPPORT, target_id=second.pk)
    with pytest.raises(ServiceError):  # and the other way round
        support_online(actor=user, topic=second)
    assert Support.objects.filter(person=desk.elder).count() == 2
    assert [t.support_count for t in Topic.objects.order_by("pk")] == [1, 1]


def test_survey_signup_and_redeem_go_through_the_owning_apps(desk):
    topic = _topic(desk)
    Topic.objects.filter(pk=topic.pk).update(state=Stage.DELIBERATION)
    survey = Survey.objects.create(topic=topic, question="加装电梯选哪种方案？", options=["方案一", "方案二"])
    activity = make_activity(desk.world.community.code, desk.staff,
                             starts_at=timezone.now() + timedelta(days=1))
    Volunteer.objects.create(person=desk.elder, region_code=desk.world.grid.code, verified_by=desk.staff,
                             verified_at=timezone.now())
    item = StoreItem.objects.create(region_code=desk.world.community.code, name="大米", points_price=10, stock=3)
    points_award(actor=desk.staff, ledger=Ledger.VOLUNTEER, person=desk.elder, amount=30, idempotency_key="t:1",
                 memo="志愿服务")
    session = _start(desk)
    s.session_act(actor=desk.worker, session=session, kind=Kind.SURVEY, target_id=survey.pk, option=1)
    s.session_act(actor=desk.worker, session=session, kind=Kind.SIGNUP, target_id=activity.pk)
    s.session_act(actor=desk.worker, session=session, kind=Kind.REDEEM, target_id=item.pk)
    answer = SurveyAnswer.objects.get()
    assert (answer.person_id, answer.user_id, answer.entered_by_id, answer.option) == (desk.elder.pk, None,
                                                                                      desk.worker.pk, 1)
    assert SignUp.objects.get().volunteer.person_id == desk.elder.pk
    assert Order.objects.get().person_id == desk.elder.pk
    # a dispute cancels the order: the points come back
    user = _bind(desk, desk.elder)
    s.action_dispute(actor=user, action=session.actions.get(kind="redeem"), reason="我不要大米")
    assert Order.objects.get().state == "cancelled"
    s.action_dispute(actor=user, action=session.actions.get(kind="signup"), reason="我去不了")
    assert SignUp.objects.get().state == "cancelled"
    s.action_dispute(actor=user, action=session.actions.get(kind="survey"), reason="我选方案一")
    assert not SurveyAnswer.objects.exists() and session.actions.filter(reverted=True).count() == 3
    assert list(session.actions.values_list("kind", flat=True)) == ["survey", "signup", "redeem"]


# --- disputes --------------------------------------------------------------------------------------------------

def test_the_resident_disputes_a_support_it_is_withdrawn_and_the_session_flagged(desk):
    session = _start(desk)
    topic = _topic(desk)
    action = s.session_act(actor=desk.worker, session=session, kind=Kind.SUPPORT, target_id=topic.pk)
    user = _bind(desk, desk.elder)
    action = s.action_dispute(actor=user, action=action, reason="我没有要附议")
    assert action.reverted and action.disputed_by_id == user.pk and not Support.objects.exists()
    assert Topic.objects.get(pk=topic.pk).support_count == 0
    session.refresh_from_db()
    assert session.flagged and topic.title in session.flag_reason and session.reviewed_at is None
    event = AuditEvent.objects.get(action="assisted.dispute")
    assert event.actor_id == user.pk and event.after["reverted"] is True
    assert AuditEvent.objects.filter(action="consultation.support_withdraw", actor=user).exists()
    with pytest.raises(ServiceError):  # once per action
        s.action_dispute(actor=user, action=action, reason="再说一次")
    # the support can be given again, now by the elder herself
    support_online(actor=user, topic=topic)
    assert Topic.objects.get(pk=topic.pk).support_count == 1


def test_a_rating_cannot_be_undone_but_the_dispute_flags_the_session(desk):
    session = _start(desk)
    action = s.session_act(actor=desk.worker, session=session, kind=Kind.RATE, target_id=_awaiting_rating(desk).pk,
                           score=4)
    user = _bind(desk, desk.elder)
    action = s.action_dispute(actor=user, action=action, reason="我不满意")
    assert not action.reverted and "不能撤回" in action.revert_note and CaseRating.objects.count() == 1
    assert AssistedSession.objects.get(pk=session.pk).flagged


def test_who_may_record_a_dispute_and_the_review(desk):
    session = _start(desk)
    action = s.session_act(actor=desk.worker, session=session, kind=Kind.SUPPORT, target_id=_topic(desk).pk)
    with pytest.raises(NotAllowed):  # not the staff member who did it
        s.action_dispute(actor=desk.worker, action=action, reason="替居民登记")
    with pytest.raises(NotAllowed):  # nor another resident
        s.action_dispute(actor=_bind(desk, desk.head), action=action, reason="我有异议")
    # on paper: the resident brings the receipt to the desk, a community staff member records it
    s.action_dispute(actor=desk.staff, action=action, reason="居民持回执到社区提出")
    session.refresh_from_db()
    with pytest.raises(NotAllowed):
        s.session_review(actor=desk.staff, session=session, note="已核实")
    s.session_review(actor=desk.secretary, session=session, note="已与居民核实，对经办人提醒")
    session.refresh_from_db()
    assert session.reviewed_by_id == desk.secretary.pk and AuditEvent.objects.filter(action="assisted.review").exists()
