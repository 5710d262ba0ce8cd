"""A topic from a resident's proposal past the support threshold through every step of 五议 to a published
evaluation, with a blocked step and its reason; then the public 阳光五务 page without login (phone width)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shanzhi.consultation import services as s
from shanzhi.consultation.models import Meeting, Topic
from shanzhi.consultation.tests.conftest import Env
from shanzhi.core.testing import PASSWORD
from shanzhi.disclosure import services as ds
from shanzhi.replies.services import template_create


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _act(page, action):
    page.click(f"button[data-action={action}]")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_topic_through_five_steps(browser_page, world):
    env = Env(world, residents=4)
    env.rule("public_space", support_mode="absolute", support_value=3)
    answer = template_create(actor=None, region_code=env.code, kind="topic_answer", title="受理答复",
                             body="符合公共空间改造规则，“{标题}”进入群议")

    # 提议: a resident proposes on the phone
    resident = browser_page("phone")
    resident.login(env.residents[0].username, PASSWORD)
    _go(resident, "/consultation/new/")
    resident.select_option("select[name=matter_type]", "public_space")
    resident.fill("input[name=title]", "1栋门前绿地改建非机动车棚")
    resident.fill("textarea[name=description]", "电动车楼道充电有隐患，建议建车棚并装充电桩。")
    resident.select_option("select[name=buildings]", str(env.building.pk))
    resident.click("[data-testid=submit-topic]")
    resident.wait_for_load_state("networkidle")
    resident.shot("consultation-1-proposed")
    assert "已有 1 人附议" in resident.text_content("[data-testid=support-card]")
    resident.shot("consultation-1-proposed")
    topic = Topic.objects.get(title="1栋门前绿地改建非机动车棚")
    url = f"/consultation/topics/{topic.pk}/"

    # 附议 by two neighbours reaches the threshold → 合议
    for u in env.residents[1:3]:
        p = browser_page("phone")
        p.login(u.username, PASSWORD)
        _go(p, url)
        p.click("[data-testid=support]")
        p.wait_for_load_state("networkidle")
    topic.refresh_from_db()
    assert topic.state == "review"

    # 合议 → 群议; 决议 is blocked by the minimum deliberation window, with the reason shown
    # 合议 is the governance committee roster's, not any staff member's
    member = browser_page("phone")
    member.login(env.committee.username, PASSWORD)
    _go(member, "/inbox/")  # the committee is told through the shared inbox, linking to the topic
    member.click("text=已达到附议门槛")
    member.wait_for_load_state("networkidle")
    assert member.url.endswith(url)
    # the answer in one tap from the community's 议题答复 template (its placeholders filled), recorded on the step
    form = "form:has(button[data-action=accept])"
    member.click(f"{form} [data-sz-template='{answer.pk}']")
    assert member.input_value(f"{form} input[name=reason]") == "符合公共空间改造规则，“1栋门前绿地改建非机动车棚”进入群议"
    _act(member, "accept")
    member.shot("consultation-2-reviewed")
    assert topic.history.get(action="accept").template == answer
    staff = browser_page("phone")
    staff.login(env.secretary.username, PASSWORD)
    _go(staff, url)
    reason = staff.text_content("[data-testid=blocked-reason]")
    assert "群议期不少于10天" in reason
    staff.shot("consultation-2-blocked")

    # 群议: a resident comments with a stance and answers nothing else
    p = browser_page("phone")
    p.login(env.residents[1].username, PASSWORD)
    _go(p, url)
    p.check("input[name=stance][value=for]")
    p.fill("textarea[name=body]", "支持，车棚要有充电桩")
    p.click("form:has(textarea[name=body]) button")
    p.wait_for_load_state("networkidle")
    p.shot("consultation-3-deliberation")

    # ten days later the window is over
    Topic.objects.filter(pk=topic.pk).update(deliberation_closes_at=timezone.now() - timedelta(minutes=1))
    _go(staff, url)
    _act(staff, "to_resolution")
    assert "尚未安排决议会议" in staff.text_content("[data-testid=outcome-reason]")

    # the representatives' meeting is noticed ahead and held (time moved forward in the database)
    topic.refresh_from_db()
    m = s.meeting_create(actor=env.staff, community_code=env.code, kind="representatives_meeting",
                         title="居民代表会议", starts_at=timezone.now() + timedelta(days=6), location="议事厅",
                         topics=[topic])
    for party in topic.rule.parties:
        s.meeting_invite(actor=env.staff, meeting=m, party=party, name="代表单位")
    for i in range(5):
        s.meeting_invite(actor=env.staff, meeting=m, party="resident", name=f"代表{i}", is_voter=True)
    _go(staff, f"/consultation/meetings/{m.pk}/")
    staff.click("[data-testid=notice]")
    staff.wait_for_load_state("networkidle")
    Meeting.objects.filter(pk=m.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    _go(staff, f"/consultation/meetings/{m.pk}/")
    staff.click("[data-testid=hold]")
    staff.wait_for_load_state("networkidle")
    staff.shot("consultation-4-meeting")

    # 决议 by paper ballots: two staff enter the tally; a mismatch blocks, a match passes
    def tally(page, present, f, a, ab):
        _go(page, url)
        for name, v in (("present", present), ("votes_for", f), ("votes_against", a), ("abstentions", ab)):
            page.fill(f"[data-testid=tally-form] input[name={name}]", str(v))
        page.click("[data-testid=tally-form] button")
        page.wait_for_load_state("networkidle")

    other = browser_page("phone")
    other.login(env.staff.username, PASSWORD)
    tally(other, 5, 4, 1, 0)
    tally(staff, 5, 3, 1, 1)
    assert "两份纸质计票不一致" in staff.text_content("[data-testid=outcome-reason]")
    staff.shot("consultation-5-tally-mismatch")
    staff.click("[data-testid=tally-clear]")
    staff.wait_for_load_state("networkidle")
    assert not topic.tallies.exists()
    tally(other, 5, 4, 1, 0)
    tally(staff, 5, 4, 1, 0)
    _act(staff, "resolve")
    topic.refresh_from_db()
    assert topic.state == "implementation"

    # 执行: a task with progress, then 评议
    staff.fill("form:has(input[name=op][value=task]) input[name=title]", "建设车棚")
    staff.click("form:has(input[name=op][value=task]) button")
    staff.wait_for_load_state("networkidle")
    staff.fill("form:has(input[name=op][value=milestone]) input[name=title]", "车棚封顶")
    staff.check("form:has(input[name=op][value=milestone]) input[name=done]")
    staff.click("form:has(input[name=op][value=milestone]) button")
    staff.wait_for_load_state("networkidle")
    assert "车棚封顶" in staff.text_content("[data-testid=execution]")
    staff.fill("[data-testid=execution] input[name=progress]", "100")
    staff.click("[data-testid=execution] form:has(input[name=progress]) button")
    staff.wait_for_load_state("networkidle")
    _act(staff, "start_evaluation")
    # 评议 is the residents' representatives' roster
    rep = browser_page("phone")
    rep.login(env.representatives[0].username, PASSWORD)
    _go(rep, url)
    rep.check("input[name=score][value='4']")
    rep.click("[data-testid=rate]")
    rep.wait_for_load_state("networkidle")
    _go(staff, url)
    _act(staff, "publish")
    topic.refresh_from_db()
    assert topic.state == "published" and topic.evaluation_summary["average"] == 4.0
    staff.shot("consultation-6-published")
    _go(staff, "/consultation/?stage=published")
    staff.shot("consultation-7-list")

    # 阳光五务: anyone, no login
    entry = ds.entry_create(actor=env.staff, community_code=env.code, category="finance",
                            title="施井小区自管服务费收支公示", period="2025年度", body="年底结余按户返还。")
    ds.ledger_line_add(actor=env.staff, entry=entry, date=date(2025, 1, 5), direction="income",
                       amount=Decimal("86400"), summary="服务费收入", document_ref="收据001")
    ds.ledger_line_add(actor=env.staff, entry=entry, date=date(2025, 12, 31), direction="expense",
                       amount=Decimal("80000"), summary="保洁、门卫、维修", document_ref="发票001-009")
    entry.refresh_from_db()
    entry = ds.entry_transition(actor=env.staff, entry=entry, action="submit")
    ds.entry_transition(actor=env.secretary, entry=entry, action="approve")
    public = browser_page("phone")
    _go(public, f"/public/?c={env.code}&cat=consultation")
    assert "1栋门前绿地改建非机动车棚" in public.content() and "4.0/5" in public.content()
    public.shot("disclosure-consultation")
    _go(public, f"/public/?c={env.code}&entry={entry.pk}")
    assert "6400" in public.text_content("[data-testid=ledger]")
    public.shot("disclosure-ledger")
