from django.db.models import Prefetch, Q

from shanzhi.core.roles import USER_MANAGER_ROLES
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q

from .models import RoleGrant, User


def user_list(*, actor, q: str = ""):
    """Users holding at least one grant inside the actor's user-management scope."""
    prefixes = prefixes_for_roles(actor, USER_MANAGER_ROLES)
    if not prefixes:
        return User.objects.none()
    grant_ids = RoleGrant.objects.filter(prefix_q("region_code", prefixes)).values("user_id")
    qs = User.objects.filter(pk__in=grant_ids)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return qs.prefetch_related(Prefetch("grants", queryset=RoleGrant.objects.order_by("region_code"))).order_by(
        "username")


def user_get(*, actor, pk: int) -> User | None:
    return user_list(actor=actor).filter(pk=pk).first()


def grant_pairs(user_id: int) -> list[tuple[str, str]]:
    """(role, region_code) of one user's grants: the loader core.scope reads roles through."""
    return list(RoleGrant.objects.filter(user_id=user_id).values_list("role", "region_code"))
