"""Writing audit rows. Called by services (never by signals), so commands and tasks are logged too."""

from __future__ import annotations

from typing import Any

from .context import ip_var, request_id_var
from .models import AuditEvent

# Field names whose values never reach the audit log.
SENSITIVE_FIELDS = {
    "password", "id_number", "id_number_enc", "id_number_hash", "phone", "phone_enc", "phone_hash",
    "otp", "token", "secret", "key",
}
REDACTED = "***"


def redact(data: dict | None) -> dict:
    if not data:
        return {}
    out: dict[str, Any] = {}
    for k, v in data.items():
        if any(s in k.lower() for s in SENSITIVE_FIELDS):
            out[k] = REDACTED
        elif isinstance(v, dict):
            out[k] = redact(v)
        elif isinstance(v, str | int | float | bool) or v is None:
            out[k] = v
        else:
            out[k] = str(v)
    return out


def audit_event(
    *,
    actor=None,
    action: str,
    obj=None,
    object_repr: str = "",
    region_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    actor_name: str = "",
) -> AuditEvent:
    """The audit row `audit_log` writes, unsaved (for `audit_log_many`)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        region_code = region_code or getattr(obj, "region_code", "") or ""
    return AuditEvent(
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else ""),
        ip=ip_var.get(),
        request_id=request_id_var.get(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        region_code=region_code,
        before=redact(before),
        after=redact(after),
        reason=reason[:500],
    )


def audit_log(**kwargs) -> AuditEvent:
    """Write one audit row (the arguments of `audit_event`)."""
    event = audit_event(**kwargs)
    event.save(force_insert=True)
    return event


def audit_log_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write the rows of a batch (each built by `audit_event`) in one INSERT."""
    return AuditEvent.objects.bulk_create(events, batch_size=1000) if events else []
