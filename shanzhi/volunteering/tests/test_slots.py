"""Approving sign-ups never exceeds an activity's slots, also when two staff approve at the same moment."""

import threading

import pytest
from django.db import connection

from shanzhi.core.errors import ConflictError, NotAllowed
from shanzhi.core.roles import Role
from shanzhi.volunteering.choices import SignUpState
from shanzhi.volunteering.models import SignUp
from shanzhi.volunteering.services import (
    signup_create,
    signup_transition,
    volunteer_register,
    volunteer_verify,
)
from shanzhi.volunteering.testing import make_activity, make_person


def _signups(world, make_user, staff, activity, n):
    out = []
    for _ in range(n):
        resident = make_user(Role.RESIDENT, world.grid.code)
        v = volunteer_verify(actor=staff, volunteer=volunteer_register(actor=resident,
                                                                      person=make_person(world.grid.code, resident)))
        out.append(signup_create(actor=resident, activity=activity, volunteer=v))
    return out


@pytest.mark.django_db
def test_last_slot_is_given_once(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    activity = make_activity(world.grid.code, staff, slots=1)
    first, second = _signups(world, make_user, staff, activity, 2)
    signup_transition(actor=staff, signup=first, action="approve")
    with pytest.raises(NotAllowed, match="名额已满"):
        signup_transition(actor=staff, signup=second, action="approve")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between threads need PostgreSQL")
def test_concurrent_approvals_of_the_last_slot(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    activity = make_activity(world.grid.code, staff, slots=1)
    signups = _signups(world, make_user, staff, activity, 2)
    barrier, outcomes = threading.Barrier(2), []

    def approve(signup):
        try:
            barrier.wait()
            signup_transition(actor=staff, signup=signup, action="approve")
            outcomes.append("ok")
        except (NotAllowed, ConflictError):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(s,)) for s in signups]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert SignUp.objects.filter(activity=activity, state=SignUpState.APPROVED).count() == 1
