"""代办, the remaining actions: the household head answers a survey, signs the elder up for an activity and rates
the elder's own case through the proxy page and the owning apps' services; the act is the member's, the head is recorded."""

import pytest
from django.utils import timezone

from shanzhi.audit.models import AuditEvent
from shanzhi.cases.choices import State
from shanzhi.cases.models import Case, CaseHistory, CaseRating
from shanzhi.cases.services import case_rate, case_rate_on_behalf
from shanzhi.cases.testing import make_case
from shanzhi.consultation.choices import Stage
from shanzhi.consultation.models import Survey, SurveyAnswer, Topic
from shanzhi.consultation.services import survey_answer, survey_answer_on_behalf
from shanzhi.consultation.testing import topic_in
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.scope import forget_grants
from shanzhi.portal import services as s
from shanzhi.registry.testing import person_in
from shanzhi.volunteering.models import SignUp, Volunteer
from shanzhi.volunteering.services import signup_on_behalf
from shanzhi.volunteering.testing import make_activity

pytestmark = pytest.mark.django_db

PAGE = "/me/household/proxy/"


def _head(family):
    s.binding_submit(actor=family.user, name="李明", id_number=family.head_id,
                     community_code=family.world.community.code)
    forget_grants(family.user)
    family.user.refresh_from_db()
    return family.user


def _awaiting_rating(world, person):
    case = make_case(world.grid.code, reporter_person=person, reporter_name=person.name)
    Case.objects.filter(pk=case.pk).update(state=State.FEEDBACK)
    case.refresh_from_db()
    return case


def test_the_head_signs_the_elder_up_through_the_proxy_page(client, family, world):
    head = _head(family)
    activity = make_activity(world.community.code, family.staff, starts_at=timezone.now() + timezone.timedelta(days=1))
    client.force_login(head)
    # not yet a volunteer: refused with the reason, nothing written
    resp = client.post(PAGE, {"op": "signup", "person": family.elder.pk, "activity": activity.pk}, follow=True)
    assert "志愿者" in resp.content.decode() and not SignUp.objects.exists()
    Volunteer.objects.create(person=family.elder, region_code=world.grid.code, verified_by=family.staff,
                             verified_at=timezone.now())
    assert activity.title in client.get(PAGE).content.decode()
    client.post(PAGE, {"op": "signup", "person": family.elder.pk, "activity": activity.pk})
    signup = SignUp.objects.get()
    assert signup.volunteer.person_id == family.elder.pk and signup.history.get().actor_id == head.pk
    event = AuditEvent.objects.get(action="volunteering.signup_on_behalf")
    assert event.actor_id == head.pk and event.after == {"person": family.elder.pk}


def test_only_the_head_and_only_for_a_member_without_an_account(family, world):
    head = _head(family)
    activity = make_activity(world.community.code, family.staff, starts_at=timezone.now() + timezone.timedelta(days=1))
    other = person_in(world.grid.code, name="别人")
    Volunteer.objects.create(person=other, region_code=world.grid.code, verified_by=family.staff,
                             verified_at=timezone.now())
    with pytest.raises(NotAllowed):
        signup_on_behalf(actor=head, activity=activity, person=other)
    with pytest.raises(NotAllowed):
        s.proxy_signup(actor=family.staff, person_id=family.elder.pk, activity=activity)
    case = _awaiting_rating(world, other)
    with pytest.raises(NotAllowed):
        case_rate_on_behalf(actor=head, case=case, person=other, score=5)
    assert not SignUp.objects.exists() and not CaseRating.objects.exists()


def test_the_head_rates_the_elders_case_through_the_proxy_page(client, family, world):
    head = _head(family)
    case = _awaiting_rating(world, family.elder)
    someone_elses = _awaiting_rating(world, person_in(world.grid.code, name="别人"))
    client.force_login(head)
    page = client.get(PAGE).content.decode()
    assert case.number in page and someone_elses.number not in page
    # a case that is not the elder's is refused even if posted by hand
    client.post(PAGE, {"op": "rate", "person": family.elder.pk, "case": someone_elses.pk, "score": 5})
    assert not CaseRating.objects.exists()
    client.post(PAGE, {"op": "rate", "person": family.elder.pk, "case": case.pk, "score": 4, "comment": "修好了"})
    rating = CaseRating.objects.get(case=case)
    assert (rating.score, rating.rated_by_id) == (4, head.pk)
    case.refresh_from_db()
    assert case.state == State.RATED
    history = CaseHistory.objects.get(case=case, action="rate")
    assert history.actor_id == head.pk and "李奶奶" in history.actor_name
    event = AuditEvent.objects.get(action="case.rate_on_behalf")
    assert event.actor_id == head.pk and event.after["person"] == family.elder.pk


def test_the_generic_rate_action_does_not_open_the_proxy_path(family, world):
    head = _head(family)
    case = _awaiting_rating(world, family.elder)
    with pytest.raises(ServiceError):  # the head is not the reporter: the plain rate action refuses
        case_rate(actor=head, case=case, score=5)


def test_the_head_answers_a_survey_for_the_elder_once(client, family, world):
    head = _head(family)
    topic = topic_in(world.grid.code)
    Topic.objects.filter(pk=topic.pk).update(state=Stage.DELIBERATION)
    survey = Survey.objects.create(topic=topic, question="加装电梯选哪种方案？", options=["方案一", "方案二"])
    client.force_login(head)
    assert "加装电梯选哪种方案" in client.get(PAGE).content.decode()
    client.post(PAGE, {"op": "survey", "person": family.elder.pk, "survey": survey.pk, "option": 1})
    answer = SurveyAnswer.objects.get(survey=survey)
    assert (answer.person_id, answer.user_id, answer.entered_by_id, answer.option) == (family.elder.pk, None,
                                                                                      head.pk, 1)
    event = AuditEvent.objects.get(action="consultation.survey_answer_on_behalf")
    assert event.actor_id == head.pk and event.after["person"] == family.elder.pk
    resp = client.post(PAGE, {"op": "survey", "person": family.elder.pk, "survey": survey.pk, "option": 0}, follow=True)
    assert "已经回答过" in resp.content.decode() and SurveyAnswer.objects.count() == 1
    with pytest.raises(NotAllowed):  # not for someone outside the household
        survey_answer_on_behalf(actor=head, survey=survey, person=person_in(world.grid.code, name="别人"), option=0)
    # the head's own answer is separate from the elder's
    survey_answer(actor=head, survey=survey, option=0)
    assert SurveyAnswer.objects.count() == 2
