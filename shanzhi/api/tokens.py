"""Department API tokens (一次采集、多次使用): create, revoke, authenticate.

A token acts as its owner user, narrowed to the token's regions (the owner's grants intersected with
them) and, for registry endpoints, to the token's fields. Only a SHA-256 hash is stored; the plain token
is shown once when it is created.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.scope import grants_of

from .models import ApiToken

PREFIX = "sz_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor, user, regions: list[str], fields: list[str], days: int, name: str = ""
                 ) -> tuple[ApiToken, str]:
    """Returns (token row, plain token). The plain token is not stored anywhere."""
    if days < 1 or days > 366:
        raise ServiceError(_("有效期应为 1–366 天"), field="days")
    regions = sorted({r.strip() for r in regions if r.strip()})
    if any(not r.isdigit() for r in regions):
        raise ServiceError(_("区划代码只能是数字"), field="regions")
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name, token_hash=_hash(plain), prefix=plain[:10], user=user, region_codes=regions,
        fields=sorted({f.strip() for f in fields if f.strip()}),
        expires_at=timezone.now() + datetime.timedelta(days=days))
    audit_log(actor=actor, action="api.token.create", obj=token, object_repr=str(token),
              after={"user": user.pk, "regions": regions, "fields": token.fields, "days": days})
    return token, plain


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        token.refresh_from_db()
        audit_log(actor=actor, action="api.token.revoke", obj=token, object_repr=str(token))
    return token


def narrowed_grants(grants: list[tuple[str, str]], regions: list[str]) -> list[tuple[str, str]]:
    """The owner's grants limited to the token's regions (each pair on the smaller of the two regions)."""
    if not regions:
        return list(grants)
    out = set()
    for role, code in grants:
        for region in regions:
            if region.startswith(code):
                out.add((role, region))
            elif code.startswith(region):
                out.add((role, code))
    return sorted(out)


def authenticate_token(request, token: str):
    """The hook of shanzhi.api.auth.TokenAuth: the owner user, scoped by the token, or None."""
    if not token or not token.startswith(PREFIX):
        return None
    row = ApiToken.objects.select_related("user").filter(token_hash=_hash(token)).first()
    now = timezone.now()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.is_active:
        return None

    user = row.user
    user._grants_cache = narrowed_grants(grants_of(user), row.region_codes)
    user.api_fields = set(row.fields)
    request.api_token = row
    if row.last_used_at is None or now - row.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return user
