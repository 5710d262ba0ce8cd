"""Request context (request id, IP) for audit rows, set by middleware and by commands."""

import contextvars
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("ip", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def client_ip(request) -> str:
    """The client address as the project sees it (audit rows, lockouts, rate limits): REMOTE_ADDR. Behind a
    reverse proxy the WSGI server must put the real client there; X-Forwarded-For is never trusted."""
    return request.META.get("REMOTE_ADDR", "")
