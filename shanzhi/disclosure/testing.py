from .models import DisclosureEntry


def entry_in(code: str, owner=None):
    return DisclosureEntry.objects.create(region_code=code[:12], category="affairs", title="测试公开")


MATRIX_FACTORIES = {DisclosureEntry: entry_in}
