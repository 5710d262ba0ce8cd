"""Who may do what with a session, with the reason shown beside the unavailable action."""

from django.utils.translation import gettext_lazy as _

from .models import AssistedSession


def can_dispute_for(actor, session) -> tuple[bool, str]:
    """Record a dispute the resident brings on paper: community staff in scope, never the session's own staff."""
    if session.staff_id == actor.pk:
        return False, str(_("经办人不能为自己经办的代办登记异议"))
    if not AssistedSession.objects.restrict(actor, "dispute").filter(pk=session.pk).exists():
        return False, str(_("只有居民本人或社区工作人员可以登记异议"))
    return True, ""


def can_review(actor, session) -> tuple[bool, str]:
    if not session.flagged or session.reviewed_at:
        return False, str(_("该代办没有待复核的异议"))
    if session.staff_id == actor.pk:
        return False, str(_("经办人不能复核自己经办的代办"))
    if not AssistedSession.objects.restrict(actor, "review").filter(pk=session.pk).exists():
        return False, str(_("只有社区书记或街道管理员可以复核"))
    return True, ""
