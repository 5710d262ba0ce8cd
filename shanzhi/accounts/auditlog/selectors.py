from django.db.models import QuerySet

from shanzhi.audit.models import AuditEvent
from shanzhi.core.roles import Role
from shanzhi.core.scope import user_roles


def audit_event_list(*, actor) -> QuerySet[AuditEvent]:
    """The audit log: the audit admin reads all of it (三员分立), everyone else nothing."""
    if Role.AUDIT_ADMIN not in user_roles(actor):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()
