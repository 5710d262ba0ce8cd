"""Core's own writes: a user's interface preferences."""

from django.db import transaction

from shanzhi.audit.services import audit_log

from .models import UserPreference


@transaction.atomic
def preference_set_elder(*, actor, on: bool) -> UserPreference:
    """Turn the 适老化 elder mode on or off for `actor` (kept across devices; read into the session at sign-in)."""
    pref, _created = UserPreference.objects.select_for_update().get_or_create(user=actor)
    before = pref.elder_mode
    if before != on or _created:
        pref.elder_mode = on
        pref.version += 0 if _created else 1
        pref.full_clean()
        pref.save(update_fields=["elder_mode", "version", "updated_at"])
        audit_log(actor=actor, action="core.preference.elder", obj=pref, before={"elder_mode": before},
                  after={"elder_mode": on})
    return pref
