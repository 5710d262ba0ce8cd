"""The session being acted in. `registry.can_act_for` asks `session_authority` (registered in apps.ready): only
the staff member of the session open *while this app runs an action or lists what may be done* is allowed."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_OPEN: ContextVar = ContextVar("assisted_session", default=None)


def session_authority(actor, person, action: str) -> bool:
    session = _OPEN.get()
    return (session is not None and session.staff_id == getattr(actor, "pk", None)
            and session.person_id == person.pk and session.is_open())


@contextmanager
def acting_in(session):
    token = _OPEN.set(session)
    try:
        yield session
    finally:
        _OPEN.reset(token)
