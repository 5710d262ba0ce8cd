"""The resident's card on the home page (core.home): what staff did for them (代办记录), with a link to dispute."""

from . import selectors


def resident_panel(request, obj=None):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    n = selectors.my_assisted_count(actor=user)
    return {"n": n} if n else None
