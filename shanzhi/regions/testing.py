"""Objects for the route×role matrix: an instance of each scoped model in a given grid."""

from .models import Region


def region_in(code: str, owner=None):
    return Region.objects.get(code=code)


MATRIX_FACTORIES = {Region: region_in}
