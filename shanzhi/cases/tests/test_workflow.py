import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shanzhi.audit.models import AuditEvent
from shanzhi.cases import choices as c
from shanzhi.cases.models import (
    Case,
    CaseFollower,
    CaseHistory,
    Category,
    ReportedCase,
    RoutingRule,
    Supervision,
)
from shanzhi.cases.services import (
    case_create,
    case_recategorise,
    case_transition,
    check_deadlines,
    extra_problems,
    route_body,
)
from shanzhi.cases.testing import make_body, make_body_staff, make_case, make_category
from shanzhi.cases.workflow import WORKFLOW
from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world, make_user):
    body = make_body()
    other_body = make_body(name="区住建局", kind=c.HandlerType.DISTRICT_DEPARTMENT, region_code="321002")
    return {
        "worker": make_user(Role.GRID_WORKER, world.grid.code),
        "leader": make_user(Role.GRID_LEADER, world.grid.code),
        "resident": make_user(Role.RESIDENT, world.grid.code),
        "body": body,
        "body_staff": make_body_staff(body),
        "other_body_staff": make_body_staff(other_body),
        "street": make_user(Role.STREET_MANAGER, world.street.code),
    }


def go(case, actor, action, **data):
    return case_transition(actor=actor, case=case, action=action, data=data)


def test_full_path_resident_report_to_archive(world, people):
    p = people
    case = case_create(actor=p["resident"], category=make_category(), channel=c.Channel.RESIDENT, title="路灯不亮",
                       description="3栋门口路灯坏了", region_code=world.grid.code)
    assert case.step == c.Step.ACCEPT and case.due_at and case.reporter_user == p["resident"]
    assert Notification.objects.filter(recipient=p["leader"], kind="case.new").exists()
    case = go(case, p["leader"], "accept")
    assert case.step == c.Step.HANDLE and case.accepted_on_time
    # handling-body staff see nothing until the case is sent to their body
    assert not Case.objects.restrict(p["body_staff"]).filter(pk=case.pk).exists()
    case = go(case, p["leader"], "dispatch", body=p["body"].pk)
    assert case.lead_body == p["body"]
    assert Case.objects.restrict(p["body_staff"]).filter(pk=case.pk).exists()
    assert not Case.objects.restrict(p["other_body_staff"]).filter(pk=case.pk).exists()
    assert Notification.objects.filter(recipient=p["body_staff"], kind="case.dispatch").exists()
    with pytest.raises(NotAllowed):
        go(case, p["other_body_staff"], "start")
    case = go(case, p["body_staff"], "start")
    case = go(case, p["body_staff"], "progress", note="已联系供电所")
    case = go(case, p["body_staff"], "complete", outcome=c.Outcome.FIXED, note="已更换灯泡")
    assert case.outcome == c.Outcome.FIXED and case.decided_by == p["body_staff"] and case.step == c.Step.VERIFY
    case = go(case, p["resident"], "verify")  # the reporter may confirm
    case = go(case, p["leader"], "feedback", note="路灯已修好")
    assert Notification.objects.filter(recipient=p["resident"], kind="case.feedback").exists()
    case = case_transition(actor=p["resident"], case=case, action="rate", data={"score": 5, "comment": "很快"})
    assert case.state == c.State.RATED and case.ratings.get().score == 5
    case = go(case, p["leader"], "archive")
    assert case.state == c.State.ARCHIVED
    actions = list(CaseHistory.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["report", "accept", "dispatch", "start", "progress", "complete", "verify", "feedback", "rate",
                       "archive"]
    assert AuditEvent.objects.filter(object_id=str(case.pk), action__startswith="case.").count() == 10
    assert ReportedCase.objects.restrict(p["resident"]).filter(pk=case.pk).exists()


def test_reject_needs_reason_and_records_who_decided(world, people):
    case = make_case(world.grid.code, actor=people["worker"])
    with pytest.raises(ServiceError):
        go(case, people["leader"], "reject")
    case = go(case, people["leader"], "reject", reason="属于物业合同纠纷")
    assert case.state == c.State.REJECTED and case.decided_by == people["leader"]
    assert case.outcome == c.Outcome.NOT_OUR_RESPONSIBILITY


def test_available_explains_why(world, people):
    case = make_case(world.grid.code, actor=people["worker"])
    avail = {t.action: (ok, why) for t, ok, why in WORKFLOW.available(case, people["resident"])}
    assert avail["accept"][0] is False and "角色" in avail["accept"][1]
    avail = {t.action: ok for t, ok, _ in WORKFLOW.available(case, people["leader"])}
    assert avail["accept"] and avail["reject"]


def test_assign_to_grid_worker_return_and_escalate(world, people):
    p = people
    case = go(make_case(world.grid.code, actor=p["worker"]), p["leader"], "accept")
    with pytest.raises(ServiceError):
        go(case, p["leader"], "assign", assignee=p["resident"].pk)
    case = go(case, p["leader"], "assign", assignee=p["worker"].pk)
    case = go(case, p["worker"], "return", reason="需要专业维修")
    assert case.state == c.State.ACCEPTED and case.assignee is None
    case = go(case, p["leader"], "escalate", reason="涉及多部门")
    assert case.level == c.Level.STREET
    assert Notification.objects.filter(recipient=p["street"], kind="case.escalate").exists()


def test_assisting_bodies_see_and_report_progress(world, people, make_user):
    p = people
    helper_body = make_body(name="供电公司", kind=c.HandlerType.UTILITY)
    helper = make_body_staff(helper_body)
    case = go(make_case(world.grid.code, actor=p["worker"]), p["leader"], "accept")
    case = go(case, p["leader"], "dispatch", body=p["body"].pk)
    case = go(case, p["leader"], "assist", body=helper_body.pk)
    assert case.state == c.State.HANDLING
    assert Case.objects.restrict(helper).filter(pk=case.pk).exists()
    case = go(case, helper, "progress", note="已停电检修")
    assert set(case.assignments.values_list("role", flat=True)) == {"lead", "assist"}


def test_verify_failure_sends_back(world, people):
    p = people
    case = go(make_case(world.grid.code, actor=p["worker"]), p["leader"], "accept")
    case = go(case, p["leader"], "assign", assignee=p["worker"].pk)
    case = go(go(case, p["worker"], "start"), p["worker"], "complete", outcome=c.Outcome.FIXED, note="修好了")
    with pytest.raises(NotAllowed):
        go(case, p["body_staff"], "verify")
    case = go(case, p["leader"], "verify_fail", reason="现场仍有积水")
    assert case.state == c.State.HANDLING and case.outcome == "" and case.step == c.Step.HANDLE


def _to_feedback(world, p, reporter):
    case = make_case(world.grid.code, actor=reporter, channel=c.Channel.RESIDENT)
    case = go(case, p["leader"], "accept")
    case = go(case, p["leader"], "assign", assignee=p["worker"].pk)
    case = go(go(case, p["worker"], "start"), p["worker"], "complete", outcome=c.Outcome.FIXED, note="修好了")
    return go(go(case, p["leader"], "verify"), p["leader"], "feedback", note="已处理")


def test_dissatisfied_reopens_once_then_escalates(world, people):
    p = people
    case = _to_feedback(world, p, p["resident"])
    with pytest.raises(NotAllowed):
        go(case, p["worker"], "rate", score=5)
    case = go(case, p["resident"], "rate", score=1, comment="没修好")
    assert case.state == c.State.HANDLING and case.reopen_count == 1
    case = go(case, p["worker"], "complete", outcome=c.Outcome.FIXED, note="再次维修")
    case = go(go(case, p["leader"], "verify"), p["leader"], "feedback", note="已再次处理")
    case = go(case, p["resident"], "rate", score=2)
    assert case.state == c.State.ACCEPTED and case.level == c.Level.STREET and case.reopen_count == 2
    assert list(case.ratings.values_list("score", flat=True).order_by("rated_at", "id")) == [1, 2]
    with pytest.raises(ServiceError):
        go(case, p["resident"], "reopen")


def test_merge_duplicate_reporter_follows_original(world, people, make_user):
    p = people
    original = make_case(world.grid.code, actor=p["worker"])
    other = make_user(Role.RESIDENT, world.grid.code)
    dup = make_case(world.grid.code, actor=other, channel=c.Channel.RESIDENT)
    dup = go(dup, p["leader"], "merge", original=original.number)
    assert dup.state == c.State.ARCHIVED and dup.outcome == c.Outcome.DUPLICATE and dup.duplicate_of == original
    assert CaseFollower.objects.filter(case=original, user=other).exists()
    assert ReportedCase.objects.restrict(other).filter(pk=original.pk).exists()


def test_stale_version_conflicts(world, people):
    case = make_case(world.grid.code, actor=people["worker"])
    go(case, people["leader"], "accept")
    with pytest.raises(ConflictError):
        go(case, people["leader"], "reject", reason="x")


def test_routing_and_recategorise(world, people):
    p = people
    cat, cat2 = make_category(), make_category(code="water", name="供水问题")
    utility = make_body(name="自来水公司", kind=c.HandlerType.UTILITY, region_code="321002")

    RoutingRule.objects.create(category=cat2, region_prefix="321002", body=utility)
    RoutingRule.objects.create(category=cat2, region_prefix="321002004", body=p["body"])
    assert route_body(cat2, world.grid.code) == p["body"]
    assert route_body(cat2, world.other_grid.code) == utility
    case = go(make_case(world.grid.code, actor=p["worker"], category=cat), p["leader"], "accept")
    case = go(case, p["leader"], "dispatch", body=utility.pk)
    case = case_recategorise(actor=p["leader"], case=case, category=cat2, reason="实为供水问题")
    assert case.category == cat2 and case.state == c.State.DISPATCHED and case.lead_body == p["body"]
    assert not case.assignments.filter(body=utility, active=True).exists()
    assert case.history.filter(action="recategorise").exists()


def test_anonymous_only_public_categories(world):
    hidden = make_category(code="internal", name="内部事项", is_public=False)
    with pytest.raises(ServiceError):
        case_create(actor=None, category=hidden, channel=c.Channel.ANONYMOUS, title="x", description="y",
                    region_code=world.grid.code, anonymous=True)
    case = case_create(actor=None, category=make_category(), channel=c.Channel.ANONYMOUS, title="x", description="y",
                       region_code=world.grid.code, anonymous=True)
    assert case.reporter_user is None and case.tracking_code


def test_staff_channel_needs_staff_role(world, make_user):
    with pytest.raises(NotAllowed):
        make_case(world.grid.code, actor=make_user(Role.RESIDENT, world.grid.code))


def test_required_extra_fields(world, people):
    cat = make_category(code="tree", name="树木倒伏", extra_fields=[
        {"code": "size", "label": "树干粗细", "type": "singlevaluelist", "required": True,
         "values": [{"key": "small", "name": "细"}, {"key": "big", "name": "粗"}]}])
    with pytest.raises(ServiceError):
        make_case(world.grid.code, actor=people["worker"], category=cat)
    case = make_case(world.grid.code, actor=people["worker"], category=cat, extra={"size": "big"})
    assert case.extra == {"size": "big"}


def _jpeg_with_gps():
    img = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x8825] = {1: "N", 2: (32.0, 22.0, 1.0)}
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("a.jpg", buf.getvalue(), content_type="image/jpeg")


def test_photo_gps_stripped_on_request(world, people, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    case = make_case(world.grid.code, actor=people["worker"], photos=[_jpeg_with_gps()], strip_location=True)
    photo = case.photos.get()
    assert photo.location_stripped
    with Image.open(photo.image.path) as im:
        exif = im.getexif()
        assert 0x8825 not in exif and 0x010F not in exif  # re-encoded at upload: no EXIF left
    kept = make_case(world.grid.code, actor=people["worker"], photos=[_jpeg_with_gps()]).photos.get()
    with Image.open(kept.image.path) as im:
        assert 0x8825 in im.getexif()
    with pytest.raises(ServiceError):
        make_case(world.grid.code, actor=people["worker"],
                  photos=[SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")])


def test_deadline_check_yellow_red_and_escalation(world, people):
    p = people
    case = go(make_case(world.grid.code, actor=p["worker"]), p["leader"], "accept")
    case = go(case, p["leader"], "dispatch", body=p["body"].pk)
    assert check_deadlines(now=case.yellow_at - dt.timedelta(minutes=1)) == {"yellow": 0, "red": 0, "escalated": 0}
    assert check_deadlines(now=case.yellow_at + dt.timedelta(minutes=1))["yellow"] == 1
    assert check_deadlines(now=case.yellow_at + dt.timedelta(minutes=2))["yellow"] == 0  # once per step
    assert Notification.objects.filter(recipient=p["body_staff"], kind="case.supervise").exists()
    counts = check_deadlines(now=case.due_at + dt.timedelta(minutes=1))
    assert counts == {"yellow": 0, "red": 1, "escalated": 1}
    case.refresh_from_db()
    assert case.level == c.Level.STREET and case.alert_level == 0 and case.due_at > case.step_started_at
    assert Supervision.objects.filter(case=case, light=c.Light.RED).exists()
    assert Notification.objects.filter(recipient=p["street"], kind="case.escalate").exists()


def _row(case):
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}


def test_returned_case_matches_the_database_after_every_step(world, people):
    """The workflow applies an UPDATE's values to the returned object without reading the row back;
    the object must equal a fresh read, expressions (version + 1, level + 1) and auto_now included."""
    p = people
    case = make_case(world.grid.code, actor=p["worker"])
    steps = [(p["leader"], "accept", {}), (p["leader"], "assign", {"assignee": p["worker"].pk}),
             (p["worker"], "start", {}), (p["leader"], "escalate", {"reason": "需要街道协调"})]
    for actor, action, data in steps:
        before = case.updated_at
        case = go(case, actor, action, **data)
        assert _row(case) == _row(Case.objects.get(pk=case.pk)), action
        assert case.updated_at > before
    assert case.level == c.Level.STREET and case.version == 5


def test_extra_fields_are_checked_together():
    cat = Category(code="x", name="x", extra_fields=[
        {"code": "size", "label": "粗细", "type": "singlevaluelist", "required": True,
         "values": [{"key": "s", "name": "细"}, {"key": "b", "name": "粗"}]},
        {"code": "n", "label": "数量", "type": "number"},
        {"code": "when", "label": "时间", "type": "datetime"},
        {"code": "tags", "label": "标签", "type": "multivaluelist", "values": [{"key": "a", "name": "甲"}]}])
    assert extra_problems(cat, {"size": ["s", "b"], "n": "many", "when": "2026-13-40", "tags": ["a", "z"]})[1] == [
        ("size", "“粗细”只能填写一个值"), ("n", "“数量”应为数字"), ("when", "“时间”应为日期时间，如 2026-11-21T09:30:00+08:00"),
        ("tags", "“标签”的取值无效")]
    assert extra_problems(cat, {"n": " 3 ", "tags": "a"}) == ({"n": "3", "tags": ["a"]},
                                                              [("size", "请填写“粗细”")])
    assert extra_problems(cat, {"size": ["b"], "when": "2026-11-21"}) == ({"size": "b", "when": "2026-11-21"}, [])
