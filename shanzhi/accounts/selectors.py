from django.db.models import Prefetch, Q

from .models import RoleGrant, User


def user_list(*, actor, q: str = ""):
    """Users holding at least one grant inside the actor's user-management scope."""
    qs = User.objects.restrict(actor, "manage")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return qs.prefetch_related(Prefetch("grants", queryset=RoleGrant.objects.order_by("region_code"))).order_by(
        "username")


def user_get(*, actor, pk: int) -> User | None:
    return user_list(actor=actor).filter(pk=pk).first()


def grant_pairs(user_id: int) -> list[tuple[str, str]]:
    """(role, region_code) of one user's grants: the loader core.scope reads roles through."""
    return list(RoleGrant.objects.filter(user_id=user_id).values_list("role", "region_code"))
