"""Who may do what with accounts (rules for core.permissions).

Granting a role is one rule per role: the roles that may grant it (GRANTABLE_BY, inverted) on a region
containing the grant's region. Revoking needs the same rule as granting.
"""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule
from shanzhi.core.roles import GRANTABLE_BY, Role


def grant_action(role: str) -> str:
    return f"accounts.grant.{role}"


GRANT = {role: rule(grant_action(role), roles={by for by, grantable in GRANTABLE_BY.items() if role in grantable},
                    reason=_("您不能在该区域授予此角色"))
         for role in Role.values}
