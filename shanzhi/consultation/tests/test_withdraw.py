"""Withdrawing a support or a survey answer (used when a resident disputes what was entered in their name)."""

from datetime import date

import pytest

from shanzhi.consultation.choices import Stage
from shanzhi.consultation.models import Support, Survey, SurveyAnswer, Topic
from shanzhi.consultation.services import support_paper, support_withdraw, survey_answer_withdraw
from shanzhi.consultation.testing import topic_in
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.portal.testing import valid_id_number
from shanzhi.registry.models import Person
from shanzhi.registry.testing import person_in

pytestmark = pytest.mark.django_db


def test_support_withdraw_by_the_person_or_community_staff_while_proposed(world):
    number = valid_id_number("19500101")
    person = person_in(world.grid.code, name="赵大", id_number=number, birth_date=date(1950, 1, 1))
    topic = topic_in(world.grid.code)
    Topic.objects.filter(pk=topic.pk).update(supporters_needed=50)
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    support_paper(actor=staff, topic=topic, name="赵大", id_number=number)
    with pytest.raises(NotAllowed):  # another resident, or staff of another community
        support_withdraw(actor=make_user(Role.RESIDENT, world.grid.code), topic=topic, person=person)
    with pytest.raises(NotAllowed):
        support_withdraw(actor=make_user(Role.COMMUNITY_STAFF, world.other_community.code), topic=topic,
                         person=person)
    owner = make_user(Role.RESIDENT, world.grid.code)
    Person.objects.filter(pk=person.pk).update(user=owner)
    person.refresh_from_db()
    topic = support_withdraw(actor=owner, topic=topic, person=person, reason="没有附议")
    assert topic.support_count == 0 and not Support.objects.exists()
    with pytest.raises(ServiceError):  # nothing left to withdraw
        support_withdraw(actor=staff, topic=topic, person=person)
    support_paper(actor=staff, topic=topic, name="赵大", id_number=number)
    Topic.objects.filter(pk=topic.pk).update(state=Stage.REVIEW)
    with pytest.raises(ServiceError):  # the topic has moved on
        support_withdraw(actor=staff, topic=topic, person=person)
    assert Support.objects.count() == 1


def test_survey_answer_withdraw_while_the_survey_is_open(world):
    person = person_in(world.grid.code, name="钱二")
    topic = topic_in(world.grid.code)
    Topic.objects.filter(pk=topic.pk).update(state=Stage.DELIBERATION)
    survey = Survey.objects.create(topic=topic, question="选哪种方案？", options=["一", "二"])
    SurveyAnswer.objects.create(survey=survey, person=person, option=0)
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    survey_answer_withdraw(actor=staff, survey=survey, person=person, reason="居民有异议")
    assert not SurveyAnswer.objects.exists()
    SurveyAnswer.objects.create(survey=survey, person=person, option=1)
    Topic.objects.filter(pk=topic.pk).update(state=Stage.RESOLUTION)
    with pytest.raises(ServiceError):
        survey_answer_withdraw(actor=staff, survey=survey, person=person)
