"""Signed QR tokens: an activity's check-in code (scanned by volunteers) and a volunteer's personal code
(scanned at the staff check-in desk), plus QR rendering with segno."""

from __future__ import annotations

import segno
from django.core import signing

ACTIVITY_SALT = "shanzhi.volunteering.activity-check"
VOLUNTEER_SALT = "shanzhi.volunteering.volunteer-code"
VOLUNTEER_CODE_MAX_AGE = 12 * 3600  # a personal code shown on a phone is good for one day of service


def activity_token(activity) -> str:
    return signing.dumps({"a": activity.pk}, salt=ACTIVITY_SALT, compress=True)


def activity_id_from(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=ACTIVITY_SALT)["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def volunteer_token(volunteer) -> str:
    return signing.dumps({"v": volunteer.pk}, salt=VOLUNTEER_SALT, compress=True)


def volunteer_id_from(token: str) -> int | None:
    try:
        return int(signing.loads(token.strip(), salt=VOLUNTEER_SALT, max_age=VOLUNTEER_CODE_MAX_AGE)["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def qr_svg(data: str, scale: int = 4) -> str:
    """An inline <svg> QR code."""
    return segno.make(data, error="m").svg_inline(scale=scale, dark="#1d273b", omitsize=True)


def qr_data_uri(data: str, scale: int = 4) -> str:
    return segno.make(data, error="m").svg_data_uri(scale=scale, dark="#000")
