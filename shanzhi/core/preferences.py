"""Interface preferences as the pages read them: the elder mode (适老化) from the session for a signed-in user
(loaded from UserPreference at sign-in, so no page pays a query) and from a cookie for an anonymous resident."""

from .models import UserPreference

ELDER_COOKIE = "sz_elder"
ELDER_SESSION = "_sz_elder"
COOKIE_AGE = 365 * 24 * 3600


def elder_mode_of(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        value = request.session.get(ELDER_SESSION)
        if value is not None:
            return bool(value)
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def load_into_session(sender, request, user, **kwargs):
    """`user_logged_in` receiver (a chore: copy the stored preference into the new session)."""
    if request is None or not hasattr(request, "session"):
        return
    stored = UserPreference.objects.filter(user=user).values_list("elder_mode", flat=True).first()
    if stored is not None:
        request.session[ELDER_SESSION] = stored
