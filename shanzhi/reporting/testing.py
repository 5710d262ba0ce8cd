"""Factories for reporting tests and the route×role matrix."""

from __future__ import annotations

import itertools
from datetime import date

from .models import Report, ReportKind

_n = itertools.count(1)


def make_kind(indicators=("registry.persons", "registry.households"), **kw) -> ReportKind:
    n = next(_n)
    return ReportKind.objects.create(key=kw.pop("key", f"kind-{n}"), name=kw.pop("name", f"测试月报{n}"),
                                     indicators=list(indicators), **kw)


def report_in(code: str, owner=None, **kw) -> Report:
    kind = kw.pop("kind", None) or make_kind()
    return Report.objects.create(region_code=code[:12], kind=kind, period=kw.pop("period", date(2026, 10, 1)),
                                 values=kw.pop("values", {k: 1 for k in kind.indicators}),
                                 computed=kw.pop("computed", {k: 1 for k in kind.indicators}), **kw)


MATRIX_FACTORIES = {Report: report_in}
