"""Login throttling (django-axes) that locks a person, not an office.

Failures are counted per user name, per user name and address, and per address
(`AXES_LOCKOUT_PARAMETERS`). The first two lock at `AXES_FAILURE_LIMIT` (5); the address alone locks
only at the higher `SHANZHI_LOCKOUT_IP_LIMIT`, so one colleague's five wrong passwords no longer lock
everyone behind the same office NAT, while a password spray from one address is still stopped.
Every lock shows the same neutral message (`views.lockout_response`).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username, get_failure_limit
from django.conf import settings
from django.db.models import Sum

IP_ONLY = {"ip_address"}


def ip_failure_limit(limit: int) -> int:
    return max(int(getattr(settings, "SHANZHI_LOCKOUT_IP_LIMIT", 30)), limit)


def _by_parameters(request, credentials, querysets):
    """Pairs of (is the address alone?, attempts) in the order of AXES_LOCKOUT_PARAMETERS."""
    username = get_client_username(request, credentials)
    parameters = get_client_parameters(username, request.axes_ip_address, request.axes_user_agent, request,
                                       credentials)
    return [(set(params) == IP_ONLY, qs) for params, qs in zip(parameters, querysets, strict=True)]


class PerUserLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failure count axes compares with AXES_FAILURE_LIMIT: the worst of each parameter set, with
        an address-only count scaled so that it reaches the limit only at the address's own, higher limit."""
        limit = get_failure_limit(request, credentials)
        ip_limit = ip_failure_limit(limit)
        worst = 0
        for ip_only, attempts in _by_parameters(request, credentials, self.get_user_attempts(request, credentials)):
            n = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, n * limit // ip_limit if ip_only else n)  # scaled: ≥ limit exactly when n ≥ ip_limit
        return worst

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful sign-in clears that user's counts, not the address's: one colleague signing in must
        not reset the count of a password spray coming from the same address."""
        pairs = _by_parameters(request, credentials, self.filter_user_attempts(request, credentials))
        return sum(attempts.delete()[0] for ip_only, attempts in pairs if not ip_only)
