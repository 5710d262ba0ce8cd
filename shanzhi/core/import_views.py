"""The import pages every importer shares (core.importing.IMPORTERS): upload → background dry run with row
errors → commit → result, plus the template, the error workbook, and a retry after a worker died.

The upload and template pages exist once per registered kind (/imports/<kind>/, /imports/<kind>/template/),
each declared with that importer's roles; the status, commit and retry pages take the progress record, whose
job names the kind. Only the user who started an import sees it (OwnTask); a kind the user may not use is 404.
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shanzhi.core.scope import user_roles

from .access import object_view, role_view
from .errors import ServiceError
from .importing import IMPORTERS, XLSX, Importer, import_commit, import_enqueue, import_retry
from .progress import OwnTask, progress_reap
from .uploads import upload_load


class UploadForm(forms.Form):
    region_code = forms.ChoiceField(label=gettext_lazy("导入到区域"))
    file = forms.FileField(label=gettext_lazy("表格文件"),
                           help_text=gettext_lazy("XLSX、XLS、ODS 或 CSV（UTF-8/GBK），表头为中文列名"),
                           error_messages={"required": gettext_lazy("请选择要上传的文件"),
                                           "empty": gettext_lazy("文件是空的，请检查后重新上传")})

    def __init__(self, *args, importer: Importer, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer = importer
        if importer.needs_region and importer.regions:
            self.fields["region_code"].choices = importer.regions(user)
        else:
            del self.fields["region_code"]

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = self.importer.limits.max_bytes
        if f.size > limit:
            raise forms.ValidationError(_("文件太大：本类导入一次最多 %(mb)d MB，请拆分后分批导入。") % {
                "mb": limit // (1024 * 1024)})
        return f


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _importer_for(user, kind: str | None) -> Importer:
    """The importer of `kind` if the user may use it; otherwise 404."""
    importer = IMPORTERS.get(kind or "")
    if importer is None or not (importer.roles & user_roles(user)):
        raise Http404
    return importer


def _siblings(user, importer: Importer) -> list[Importer]:
    if not importer.group:
        return []
    roles = user_roles(user)
    return [i for i in IMPORTERS.values() if i.group == importer.group and i.roles & roles]


def _upload_view(importer: Importer):
    @role_view(importer.roles, methods=("GET", "POST"))
    def upload(request):
        form = UploadForm(request.POST or None, request.FILES or None, importer=importer, user=request.user)
        if request.method == "POST" and form.is_valid():
            f = form.cleaned_data["file"]
            pk = import_enqueue(actor=request.user, kind=importer.kind, data=f.read(), filename=f.name,
                                region_code=form.cleaned_data.get("region_code", ""), dry_run=True)
            return redirect("imports:status", pk=pk)
        return render(request, "core/imports/upload.html", {
            "importer": importer, "form": form, "columns": importer.columns(),
            "siblings": _siblings(request.user, importer), "limits": importer.limits})

    upload.__name__ = f"upload_{importer.kind}"
    return upload


def _template_view(importer: Importer):
    @role_view(importer.roles)
    def template(request):
        response = HttpResponse(importer.template(), content_type=XLSX)
        name = _("%(label)s导入模板.xlsx") % {"label": importer.label}
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    template.__name__ = f"template_{importer.kind}"
    return template


def _job(task) -> dict:
    return (task.result or {}).get("job") or {}


def _all_roles() -> frozenset[str]:
    return frozenset().union(*(i.roles for i in IMPORTERS.values())) if IMPORTERS else frozenset()


def _error_download(request, importer, job: dict, report: dict):
    """The workbook of the rejected rows, or None (with a message) when the upload is gone or can't be read."""
    stored = upload_load(job.get("file_id"))
    if stored is None:
        messages.error(request, _("上传的文件已超过保留期限被删除，请重新上传"))
        return None
    try:
        book = importer.error_workbook(stored.data, stored.filename, report["errors"])
    except ServiceError as e:
        messages.error(request, e.user_message)
        return None
    response = HttpResponse(book, content_type=XLSX)
    name = _("%(label)s导入错误行.xlsx") % {"label": importer.label}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return _no_store(response)


def _status_context(task, importer, job: dict, report: dict) -> dict:
    error = (task.result or {}).get("error") if task.state == task.State.FAILED else ""
    return {
        "task": task, "importer": importer, "report": report, "error": error,
        "errors": report.get("errors", [])[:500],
        "summary": [(label, report.get(key, 0), key) for key, label in importer.summary] if importer else [],
        "commit_rows": report.get("created", 0) + report.get("updated", 0),
        "can_commit": bool(report.get("dry_run") and (report.get("created") or report.get("updated"))),
        "can_retry": bool(error and job),
    }


def status(request, obj):
    """Progress while the import runs; then the report: counts, row errors (also as a workbook) and, after a
    dry run, the button that commits the valid rows; after a failure its reason, a retry (when the worker died
    or the database was busy) and the way back to the upload page."""
    task = progress_reap(obj)
    job = _job(task)
    importer = IMPORTERS.get(job.get("kind", ""))
    report = task.result if task.finished and "kind" in (task.result or {}) else {}
    if request.GET.get("download") == "errors" and report.get("errors") and importer:
        response = _error_download(request, importer, job, report)
        if response is not None:
            return response
    template = "core/imports/status.html#status" if request.htmx else "core/imports/status.html"
    return _no_store(render(request, template, _status_context(task, importer, job, report)))


def commit(request, obj):
    _importer_for(request.user, _job(obj).get("kind"))
    try:
        pk = import_commit(actor=request.user, progress=obj)
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect(f"imports:{_job(obj)['kind']}")
    return redirect("imports:status", pk=pk)


def retry(request, obj):
    _importer_for(request.user, _job(obj).get("kind"))
    obj = progress_reap(obj)
    try:
        pk = import_retry(actor=request.user, progress=obj)
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect("imports:status", pk=obj.pk)
    return redirect("imports:status", pk=pk)


def urlpatterns_for_importers() -> list:
    """The URLConf of /imports/: built when the URLConf loads, after every app registered its importers."""
    roles = _all_roles()
    task_view = object_view(OwnTask, roles=roles, lookup={"pk": "pk"})
    patterns = [
        path("task/<uuid:pk>/", task_view(status), name="status"),
        path("task/<uuid:pk>/commit/", object_view(OwnTask, roles=roles, lookup={"pk": "pk"},
                                                   methods=("POST",))(commit), name="commit"),
        path("task/<uuid:pk>/retry/", object_view(OwnTask, roles=roles, lookup={"pk": "pk"},
                                                  methods=("POST",))(retry), name="retry"),
    ]
    for kind, importer in IMPORTERS.items():
        patterns += [path(f"{kind}/", _upload_view(importer), name=kind),
                     path(f"{kind}/template/", _template_view(importer), name=f"{kind}-template")]
    return patterns
