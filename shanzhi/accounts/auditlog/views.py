from datetime import datetime, time

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from shanzhi.audit.services import audit_log
from shanzhi.core.access import role_view
from shanzhi.core.export import xlsx_response
from shanzhi.core.roles import Role

from .selectors import audit_event_list

FILTERS = ("actor", "action", "object_type", "region", "date_from", "date_to")


def _filtered(request):
    qs = audit_event_list(actor=request.user)
    f = {k: request.GET.get(k, "").strip() for k in FILTERS}
    if f["actor"]:
        qs = qs.filter(actor_name__icontains=f["actor"])
    if f["action"]:
        qs = qs.filter(action__startswith=f["action"])
    if f["object_type"]:
        qs = qs.filter(object_type=f["object_type"])
    if f["region"]:
        qs = qs.filter(region_code__startswith=f["region"])
    tz = timezone.get_current_timezone()
    for key, lookup, t in (("date_from", "at__gte", time.min), ("date_to", "at__lte", time.max)):
        if f[key]:
            try:
                d = datetime.strptime(f[key], "%Y-%m-%d").date()
                qs = qs.filter(**{lookup: datetime.combine(d, t, tzinfo=tz)})
            except ValueError:
                f[key] = ""
    return qs, f


@role_view({Role.AUDIT_ADMIN})
def audit_list(request):
    qs, f = _filtered(request)
    page = Paginator(qs.only("at", "actor_name", "ip", "action", "object_type", "object_repr", "region_code",
                             "reason", "request_id"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "f": f})


@role_view({Role.AUDIT_ADMIN})
def audit_export(request):
    qs, f = _filtered(request)
    audit_log(actor=request.user, action="audit.export", reason=str({k: v for k, v in f.items() if v}))
    rows = ((timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.ip, e.request_id, e.action,
             e.object_type, e.object_id, e.object_repr, e.region_code, str(e.before), str(e.after), e.reason)
            for e in qs.iterator(chunk_size=2000))
    return xlsx_response("审计日志.xlsx", ["时间", "操作人", "IP", "请求号", "动作", "对象类型", "对象编号", "对象",
                                       "区划代码", "变更前", "变更后", "事由"], rows, "审计日志")
