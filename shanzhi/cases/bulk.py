"""Bulk work on filtered case lists (批量办理): accept, dispatch to one body (with a response template), close
as duplicates of one original.

Each item still goes through `services.case_transition` — its own permission check, guard, conditional
update, history and audit — and is looked up through `Case.objects.restrict(actor, "change")`, so an id
outside the actor's scope (or a forged one) is refused, never acted on. The result is one row per item (ok, or
refused with the reason). Up to INLINE_LIMIT items run in the request; more run as a background task
(django-tasks) reporting through core.progress.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django_tasks import task

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.models import TaskProgress
from shanzhi.core.progress import Heartbeat, progress_claim, progress_create, progress_update

from . import selectors, services
from .models import Case, HandlingBody

ACTIONS = {"accept": _l("受理"), "dispatch": _l("联动派遣"), "merge": _l("合并为重复件")}
DATA_KEYS = {"accept": (), "dispatch": ("body", "note", "template"), "merge": ("original",)}
SELECT_LIMIT = 5000  # "all N matching the filter" takes at most this many
INLINE_LIMIT = 100  # more than this run in the background
CHUNK = 50  # items committed together (each in its own savepoint: a refused item rolls back alone); progress too


def bulk_ids(*, actor, ids=(), filters: dict | None = None, select_all: bool = False) -> list[int]:
    """The ids to act on: every case matching the list's filters in the actor's scope ("all N"), or the ids
    ticked on the page — as given; each is checked against the scope when it is acted on."""
    if select_all:
        return list(selectors.case_list(actor=actor, filters=filters or {}, action="change")
                    .values_list("pk", flat=True)[:SELECT_LIMIT])
    seen = dict.fromkeys(int(x) for x in ids if str(x).strip().isdigit())
    return list(seen)[:SELECT_LIMIT]


def _one(actor, case: Case | None, pk: int, action: str, data: dict) -> dict:
    if case is None:
        return {"id": pk, "number": "", "title": "", "ok": False, "reason": _("不存在或不在您的工作范围内")}
    row = {"id": pk, "number": case.number, "title": case.title}
    pending = services.batch_messages()
    told = len(pending)
    try:
        with transaction.atomic():  # its own savepoint in the chunk's transaction
            services.case_transition(actor=actor, case=case, action=action, data=dict(data))
    except ServiceError as e:
        del pending[told:]  # its transaction rolled back: so do its messages
        return {**row, "ok": False, "reason": e.user_message}
    return {**row, "ok": True, "reason": ""}


def _shared_data(action: str, data: dict) -> dict:
    """What every item reads the same, read once: the chosen body (a forged or inactive one stays an id, and
    each item is refused with the service's own message)."""
    data = dict(data)
    if action == "dispatch" and str(data.get("body") or "").isdigit():
        body = HandlingBody.objects.filter(pk=int(data["body"]), active=True).first()
        data["body"] = body or data["body"]
    return data


def case_bulk_apply(*, actor, action: str, ids: list[int], data: dict, progress_id=None) -> dict:
    """Run `action` on each case; returns {"action", "label", "ok", "refused", "results": [...]}.

    Each item runs its own `case_transition` (scope, permission, guard, conditional update, history, audit) in
    its own savepoint; the items of a chunk commit together, and what they read the same (body, template,
    body members) is read once per batch; their inbox messages are stored together per chunk."""
    if action not in ACTIONS:
        raise ServiceError(_("不支持的批量操作"), field="action")
    data = {k: str(data.get(k) or "") for k in DATA_KEYS[action]}
    shared = _shared_data(action, data)
    found = Case.objects.restrict(actor, "change").filter(pk__in=ids).select_related(
        "category", "category__parent", "lead_body")
    cases = {case.pk: case for case in found}
    results = []
    with services.batch():
        for start in range(0, len(ids), CHUNK):
            with transaction.atomic():
                for pk in ids[start:start + CHUNK]:
                    results.append(_one(actor, cases.get(pk), pk, action, shared))
                services.batch_flush()
            if progress_id:
                i = len(results)
                progress_update(progress_id, done=i, message=_("已处理 %(i)s / %(n)s 件") % {"i": i, "n": len(ids)})
    results.sort(key=lambda r: r["ok"])  # the refused first: they are what needs a look
    ok = sum(1 for r in results if r["ok"])
    audit_log(actor=actor, action="case.bulk", object_repr=str(ACTIONS[action]),
              after={"action": action, "items": len(ids), "ok": ok, "refused": len(ids) - ok,
                     **({"body": data["body"], "template": data["template"]} if action == "dispatch" else {})})
    return {"action": action, "label": str(ACTIONS[action]), "ok": ok, "refused": len(ids) - ok,
            "results": results}


def _run(*, progress_id: str, user_id: int, action: str, ids: list[int], data: dict) -> dict:
    actor = get_user_model().objects.get(pk=user_id)
    job = {"action": action, "items": len(ids)}
    progress_claim(progress_id, job=job, message=_("正在批量%(a)s") % {"a": ACTIONS.get(action, action)})
    with Heartbeat(progress_id):
        try:
            report = case_bulk_apply(actor=actor, action=action, ids=ids, data=data, progress_id=progress_id)
        except ServiceError as e:
            progress_update(progress_id, state=TaskProgress.State.FAILED, message=e.user_message,
                            result={"error": e.user_message, "job": job})
            return {"error": e.user_message}
    progress_update(progress_id, state=TaskProgress.State.DONE, done=len(ids), total=len(ids),
                    message=_("完成：%(ok)s 件成功，%(no)s 件未执行") % {"ok": report["ok"], "no": report["refused"]},
                    result={**report, "job": job})
    return {"ok": report["ok"], "refused": report["refused"]}


@task()
def case_bulk_task(*, progress_id: str, user_id: int, action: str, ids: list[int], data: dict) -> dict:
    return _run(progress_id=progress_id, user_id=user_id, action=action, ids=ids, data=data)


def case_bulk_start(*, actor, action: str, ids: list[int], data: dict) -> TaskProgress:
    """Record the job and run it: in the request when small, else in the background. Returns the record whose
    page shows the progress and then the per-item report."""
    if action not in ACTIONS:
        raise ServiceError(_("请选择批量操作"), field="action")
    if not ids:
        raise ServiceError(_("请先勾选民情，或选择“全部符合筛选条件的民情”"), field="ids")
    data = {k: str(data.get(k) or "") for k in DATA_KEYS[action]}
    progress = progress_create(kind="cases.bulk", owner=actor, total=len(ids), message=_("排队中"),
                               result={"job": {"action": action, "items": len(ids)}})
    job = {"progress_id": str(progress.pk), "user_id": actor.pk, "action": action, "ids": ids, "data": data}
    if len(ids) <= INLINE_LIMIT:
        _run(**job)
    else:
        case_bulk_task.enqueue(**job)
    progress.refresh_from_db()
    return progress
