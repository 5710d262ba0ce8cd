"""The registry's names for the privacy scan of public texts (`core.privacy`): the persons recorded under a
community, read by the scan only (never shown, logged or returned to a page)."""

from shanzhi.core.scoping import prefix_q

from .models import Person


def names_under(region_code: str) -> list[str]:
    """Every recorded person's name under `region_code`, whatever their status (a moved-out person's name is
    as personal as a resident's)."""
    return list(Person.objects.filter(prefix_q("region_code", [region_code])).values_list("name", flat=True)
                .distinct())
