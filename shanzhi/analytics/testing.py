"""Objects for the route×role matrix and factories for other tests."""

from .models import MonthlyReport
from .periods import current_month


def report_in(code: str, owner=None) -> MonthlyReport:
    month = current_month()
    n = MonthlyReport.objects.filter(region_code__startswith=code[:9]).count()
    month = month.replace(year=month.year - n)
    return MonthlyReport.objects.create(region_code=code[:9], month=month, pdf=b"%PDF-1.4 test", size=13)


MATRIX_FACTORIES = {MonthlyReport: report_in}
