"""Every write of 考核: schemes (with the 50% resident-evaluation rule), rounds and their objects, assignments,
entered scores, the sampled resident survey, computation and publication, appeals and staff merits."""

from __future__ import annotations

import datetime
import random
import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.accounts.models import RoleGrant
from shanzhi.admission.models import Department
from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.indicators import INDICATORS
from shanzhi.core.permissions import require
from shanzhi.core.roles import COMMUNITY_ROLES, Role
from shanzhi.core.scope import grants_of, user_roles
from shanzhi.core.writes import conditional_update, create_audited, save_audited, versioned_update
from shanzhi.regions.models import Region
from shanzhi.registry.models import Person

from . import permissions  # noqa: F401  (declares the rules used below)
from .choices import Channel, Direction, ObjectKind, RoundState, Source
from .models import (
    Answer,
    Appeal,
    Assignment,
    Merit,
    Result,
    Round,
    SampleMember,
    Scheme,
    SchemeIndicator,
    Score,
    Survey,
    Target,
)
from .scoring import score_targets
from .workflow import APPEAL, MERIT

# the value range of each source (worst, best) when the scheme does not say
DEFAULT_RANGE = {Source.SURVEY: (Decimal(1), Decimal(5)), Source.THIRD_PARTY: (Decimal(0), Decimal(100)),
                 Source.MANUAL: (Decimal(0), Decimal(100)), Source.COMMUNITY_RATING: (Decimal(0), Decimal(100)),
                 Source.MERIT: (Decimal(-80), Decimal(20))}
ENTERED = {Source.THIRD_PARTY, Source.MANUAL, Source.COMMUNITY_RATING}


# --- schemes --------------------------------------------------------------------------------------------

def _decimal(value, label: str, row: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("第 %(r)d 个指标：%(l)s不是数字") % {"r": row, "l": label}) from None


def _check_source(row: int, name: str, source: str, key: str, object_kind: str, direction: str) -> None:
    if source == Source.COMPUTED and key not in INDICATORS:
        raise ServiceError(_("第 %(r)d 个指标“%(n)s”：请选择一个平台指标") % {"r": row, "n": name})
    if source == Source.MERIT and object_kind != ObjectKind.STAFF:
        raise ServiceError(_("第 %(r)d 个指标“%(n)s”：加减分只能用于社区工作者考核") % {"r": row, "n": name})
    if source == Source.COMMUNITY_RATING and direction != Direction.BOTTOM_UP:
        raise ServiceError(_("第 %(r)d 个指标“%(n)s”：社区评价只用于社区评议街道和部门") % {"r": row, "n": name})


def _range(row: int, name: str, source: str, data: dict) -> tuple[Decimal, Decimal]:
    worst, best = _decimal(data.get("worst"), _("零分值"), row), _decimal(data.get("best"), _("满分值"), row)
    if best is None or worst is None:
        if source == Source.COMPUTED:
            raise ServiceError(_("第 %(r)d 个指标“%(n)s”：平台指标须填写满分值和零分值") % {"r": row, "n": name})
        worst, best = DEFAULT_RANGE[source]
    if best == worst:
        raise ServiceError(_("第 %(r)d 个指标“%(n)s”：满分值和零分值不能相同") % {"r": row, "n": name})
    return worst, best


def _indicator(row: int, data: dict, object_kind: str, direction: str) -> SchemeIndicator:
    name = str(data.get("name") or "").strip()
    source = data.get("source")
    if not name:
        raise ServiceError(_("第 %(r)d 个指标：请填写指标名称") % {"r": row})
    if source not in Source.values:
        raise ServiceError(_("第 %(r)d 个指标：请选择数据来源") % {"r": row})
    weight = _decimal(data.get("weight"), _("权重"), row)
    if weight is None or weight <= 0:
        raise ServiceError(_("第 %(r)d 个指标“%(n)s”：权重必须大于 0") % {"r": row, "n": name})
    key = str(data.get("indicator_key") or "").strip()
    _check_source(row, name, source, key, object_kind, direction)
    worst, best = _range(row, name, source, data)
    return SchemeIndicator(seq=row, name=name, weight=weight, source=source,
                           indicator_key=key if source == Source.COMPUTED else "", best=best, worst=worst,
                           rule=str(data.get("rule") or "")[:300])


def check_resident_share(indicators: list[SchemeIndicator], direction: str) -> None:
    """Seed 003: 群众评价 weighs at least half. In a community's assessment of a street or department, the
    communities' own evaluation takes that place."""
    total = sum((i.weight for i in indicators), Decimal(0))
    evaluating = Source.COMMUNITY_RATING if direction == Direction.BOTTOM_UP else Source.SURVEY
    share = sum((i.weight for i in indicators if i.source == evaluating), Decimal(0))
    if total <= 0 or share * 2 < total:
        pct = (share * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)
        if direction == Direction.BOTTOM_UP:
            raise ServiceError(_("社区评价的权重只占总权重的 %(p)s%%，不得低于 50%%：请提高“社区评价”类指标的权重后再保存")
                               % {"p": pct})
        raise ServiceError(_("居民评价的权重只占总权重的 %(p)s%%，按规定群众评价不得低于 50%%：请提高“居民评价”类指标的权重后再保存")
                           % {"p": pct})


@transaction.atomic
def scheme_save(*, actor, district_code: str, name: str, object_kind: str, year: int, indicators: list[dict],
                direction: str = Direction.TOP_DOWN, note: str = "", scheme: Scheme | None = None) -> Scheme:
    """Save a scheme with all its indicators at once; refused whole if any row is wrong or residents weigh < 50%."""
    require(actor, "assessment.manage", district_code if scheme is None else scheme)
    if object_kind in (ObjectKind.COMMUNITY, ObjectKind.STAFF) and direction == Direction.BOTTOM_UP:
        raise ServiceError(_("社区评议只用于考核街道和部门"), field="direction")
    rows = [r for r in indicators if any(str(v or "").strip() for v in r.values())]
    if not rows:
        raise ServiceError(_("请至少填写一个指标"))
    built = [_indicator(n, r, object_kind, direction) for n, r in enumerate(rows, 1)]
    check_resident_share(built, direction)
    fields = {"name": (name or "").strip(), "object_kind": object_kind, "direction": direction, "year": year,
              "note": note}
    if scheme is None:
        scheme = create_audited(Scheme, actor=actor, region_code=district_code, created_by=actor,
                                action="assessment.scheme.create", **fields)
    else:
        if scheme.rounds.exists():
            raise ServiceError(_("已用于考核轮次的方案不能修改，请另建方案"))
        versioned_update(scheme, None, actor=actor, action="assessment.scheme.update", **fields)
        scheme.indicators.all().delete()
    for i in built:
        i.scheme = scheme
    SchemeIndicator.objects.bulk_create(built)
    audit_log(actor=actor, action="assessment.scheme.indicators", obj=scheme,
              after={"indicators": [(i.name, str(i.weight), i.source) for i in built]})
    return scheme


# --- rounds and their objects -------------------------------------------------------------------------

def _targets(scheme: Scheme) -> list[Target]:
    district = scheme.region_code
    kind = scheme.object_kind
    if kind in (ObjectKind.COMMUNITY, ObjectKind.STREET):
        return [Target(kind=kind, label=r.name, region_code=r.code)
                for r in Region.objects.filter(code__startswith=district, level=kind).order_by("code")]
    if kind == ObjectKind.DEPARTMENT:
        return [Target(kind=kind, label=d.name, region_code=d.region_code, department=d)
                for d in Department.objects.filter(region_code__startswith=district, active=True).order_by("pk")]
    seen, out = set(), []
    for g in (RoleGrant.objects.filter(region_code__startswith=district, role__in=COMMUNITY_ROLES)
              .select_related("user").order_by("region_code", "user_id")):
        if g.user_id not in seen:
            seen.add(g.user_id)
            out.append(Target(kind=kind, label=g.user.get_full_name() or g.user.username, region_code=g.region_code,
                              staff=g.user))
    return out


@transaction.atomic
def round_create(*, actor, scheme: Scheme, name: str, period_start: datetime.date,
                 period_end: datetime.date) -> Round:
    require(actor, "assessment.manage", scheme)
    if period_end <= period_start:
        raise ServiceError(_("考核期止必须晚于考核期起"), field="period_end")
    if not scheme.indicators.exists():
        raise ServiceError(_("方案没有指标"))
    rnd = create_audited(Round, actor=actor, scheme=scheme, region_code=scheme.region_code, name=(name or "").strip(),
                         period_start=period_start, period_end=period_end, action="assessment.round.create")
    targets = _targets(scheme)
    if not targets:
        raise ServiceError(_("本区没有可考核的对象"))
    for t in targets:
        t.round = rnd
    Target.objects.bulk_create(targets)
    return rnd


@transaction.atomic
def assessor_assign(*, actor, round_: Round, assessor, targets, organisation: str = "") -> int:
    require(actor, "assessment.manage", round_)
    if Role.THIRD_PARTY_ASSESSOR not in user_roles(assessor):
        raise ServiceError(_("%(u)s 不是第三方评估人员") % {"u": assessor.username}, field="assessor")
    n = 0
    for t in targets:
        if t.round_id != round_.pk:
            raise ServiceError(_("考核对象不属于本轮次"))
        _obj, created = Assignment.objects.get_or_create(target=t, user=assessor,
                                                         defaults={"organisation": organisation})
        n += created
    audit_log(actor=actor, action="assessment.assign", obj=round_, after={"assessor": assessor.pk, "targets": n})
    return n


def _open(round_: Round) -> None:
    if round_.state == RoundState.PUBLISHED:
        raise ServiceError(_("考核结果已公布，不能再录入；如有异议请走申诉"))


def _rater_code(actor, target: Target) -> str:
    for role, code in grants_of(actor):
        if role in COMMUNITY_ROLES and code[:12].startswith(target.region_code) and len(code) >= 12:
            return code[:12]
    raise ServiceError(_("只有辖区内社区可以评价街道和部门"), code="permission")


def _check_enterer(actor, target: Target, indicator: SchemeIndicator, evidence: str) -> str:
    """Who may enter what: assigned third parties their indicators, the district manual ones (with evidence),
    communities their rating. Returns the rater code."""
    if indicator.source == Source.THIRD_PARTY:
        require(actor, "assessment.third_party", target)
        return ""
    if indicator.source == Source.MANUAL:
        require(actor, "assessment.manage", target)
        if not (evidence or "").strip():
            raise ServiceError(_("人工录入须附佐证材料说明"), field="evidence")
        return ""
    if indicator.source == Source.COMMUNITY_RATING:
        require(actor, "assessment.rate", target)
        return _rater_code(actor, target)
    raise ServiceError(_("“%(n)s”的数据来自%(s)s，不能手工录入") % {"n": indicator.name,
                                                               "s": indicator.get_source_display()})


@transaction.atomic
def score_enter(*, actor, target: Target, indicator: SchemeIndicator, value, evidence: str = "") -> Score:
    _open(target.round)
    if indicator.scheme_id != target.round.scheme_id:
        raise ServiceError(_("指标不属于本轮次的方案"), field="indicator")
    rater = _check_enterer(actor, target, indicator, evidence)
    value = _decimal(value, _("分值"), indicator.seq)
    low, high = sorted((indicator.worst, indicator.best))
    if value is None or not (low <= value <= high):
        raise ServiceError(_("“%(n)s”的分值须在 %(a)s 到 %(b)s 之间") % {"n": indicator.name, "a": low, "b": high},
                           field="value")
    existing = Score.objects.filter(target=target, indicator=indicator, rater_code=rater, appeal__isnull=True).first()
    if existing and existing.value == value and existing.evidence == (evidence or ""):
        return existing  # the same entry again (a re-imported file) changes nothing
    if existing:
        return versioned_update(existing, None, actor=actor, action="assessment.score.update", value=value,
                                evidence=evidence, entered_by=actor)
    return create_audited(Score, actor=actor, target=target, indicator=indicator, rater_code=rater, value=value,
                          evidence=evidence, entered_by=actor, action="assessment.score.create")


# --- resident survey -------------------------------------------------------------------------------------

def adults_cutoff(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 18)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 18, day=28)


def draw_sample(*, community_code: str, seed: int, per_grid: int, on: datetime.date) -> tuple[list[int], int]:
    """(person ids, adult population): per grid, `per_grid` adults drawn with a generator seeded by the seed and
    the grid code, from the registry's living adults in id order — the same seed always draws the same people."""
    strata: dict[str, list[int]] = {}
    for pk, code in (Person.objects.filter(region_code__startswith=community_code, status="living",
                                           birth_date__lte=adults_cutoff(on)).order_by("pk")
                     .values_list("pk", "region_code")):
        strata.setdefault(code[:15], []).append(pk)
    chosen = []
    for grid in sorted(strata):
        ids = strata[grid]
        rng = random.Random(f"{seed}:{grid}")  # noqa: S311 (a reproducible sample, not a secret)
        chosen.extend(sorted(rng.sample(ids, min(per_grid, len(ids)))))
    return chosen, sum(len(v) for v in strata.values())


@transaction.atomic
def survey_draw(*, actor, round_: Round, community_code: str, per_grid: int, seed: int | None = None) -> Survey:
    require(actor, "assessment.survey", community_code)
    _open(round_)
    if not community_code.startswith(round_.region_code) or not Region.objects.filter(
            code=community_code, level="community").exists():
        raise ServiceError(_("%(c)s 不是本轮次所在区的社区") % {"c": community_code}, field="community")
    if not round_.scheme.indicators.filter(source=Source.SURVEY).exists():
        raise ServiceError(_("本轮次的方案没有居民评价指标"))
    if not 1 <= per_grid <= 500:
        raise ServiceError(_("每网格抽样人数须在 1 到 500 之间"), field="per_grid")
    if Survey.objects.filter(round=round_, region_code=community_code).exists():
        raise ServiceError(_("该社区本轮已抽样；为保证可复核，抽样结果不能重抽"))
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    ids, population = draw_sample(community_code=community_code, seed=seed, per_grid=per_grid,
                                  on=round_.period_end)
    if not ids:
        raise ServiceError(_("该社区没有登记的成年居民，无法抽样"))
    survey = create_audited(Survey, actor=actor, round=round_, region_code=community_code, seed=seed,
                            per_grid=per_grid, population=population, drawn_by=actor, action="assessment.survey.draw")
    codes = dict(Person.objects.filter(pk__in=ids).values_list("pk", "region_code"))
    SampleMember.objects.bulk_create([SampleMember(survey=survey, person_id=pk, region_code=codes[pk]) for pk in ids])
    return survey


@transaction.atomic
def answer_enter(*, actor, member: SampleMember, satisfaction: int, channel: str) -> Answer:
    """One answer per sampled person; the audit row names the survey, never the person or the answer."""
    require(actor, "assessment.answer", member)
    _open(member.survey.round)
    if satisfaction not in (1, 2, 3, 4, 5):
        raise ServiceError(_("满意度须为 1 到 5"), field="satisfaction")
    answer = Answer(member=member, survey_id=member.survey_id, satisfaction=satisfaction, channel=channel,
                    entered_by=actor)
    return save_audited(answer, actor=actor, action="assessment.answer.enter", audit_obj=member.survey,
                        after={"channel": channel}, unique=False,
                        duplicate_message=_("该居民已经答复过，每人只能答复一次"))


@transaction.atomic
def answer_online(*, actor, member: SampleMember, satisfaction: int) -> Answer:
    """A sampled resident answers for themself online (one answer, like any other)."""
    if member.person.user_id is None or member.person.user_id != actor.pk:
        raise NotAllowed(_("只能由被抽中的居民本人在线答复"))
    _open(member.survey.round)
    if satisfaction not in (1, 2, 3, 4, 5):
        raise ServiceError(_("满意度须为 1 到 5"), field="satisfaction")
    answer = Answer(member=member, survey_id=member.survey_id, satisfaction=satisfaction, channel=Channel.ONLINE,
                    entered_by=actor)
    return save_audited(answer, actor=actor, action="assessment.answer.online", audit_obj=member.survey,
                        after={"channel": Channel.ONLINE}, unique=False,
                        duplicate_message=_("您已经答复过，每人只能答复一次"))


# --- computation, publication ----------------------------------------------------------------------------

def _write_results(round_: Round, targets: list[Target], note: str) -> list[Result]:
    indicators = list(round_.scheme.indicators.order_by("seq", "pk"))
    scored = score_targets(round_, indicators, targets)
    numbers = dict(Result.objects.filter(target__in=targets).values("target_id").annotate(n=Max("number"))
                   .values_list("target_id", "n"))
    Result.objects.filter(target__in=targets, current=True).update(current=False)
    return Result.objects.bulk_create([
        Result(round=round_, target=t, region_code=t.region_code, number=numbers.get(t.pk, 0) + 1, current=True,
               total=scored[t.pk][0], detail=scored[t.pk][1], note=note) for t in targets])


@transaction.atomic
def round_compute(*, actor, round_: Round) -> int:
    """Compute every target's result; earlier results stay in history."""
    require(actor, "assessment.manage", round_)
    _open(round_)
    targets = list(round_.targets.select_related("department").order_by("pk"))
    results = _write_results(round_, targets, _("计算"))
    conditional_update(round_, round_.version, {"state": RoundState.COMPUTED, "computed_at": timezone.now()})
    audit_log(actor=actor, action="assessment.round.compute", obj=round_, after={"results": len(results)})
    return len(results)


@transaction.atomic
def round_publish(*, actor, round_: Round) -> Round:
    require(actor, "assessment.manage", round_)
    if round_.state != RoundState.COMPUTED:
        raise ServiceError(_("请先计算考核结果再公布"))
    conditional_update(round_, round_.version, {"state": RoundState.PUBLISHED, "published_at": timezone.now()})
    audit_log(actor=actor, action="assessment.round.publish", obj=round_)
    return round_


# --- appeals ---------------------------------------------------------------------------------------------

@transaction.atomic
def appeal_submit(*, actor, result: Result, indicator: SchemeIndicator, reason: str, claimed_value=None) -> Appeal:
    require(actor, "assessment.appeal", result)
    if not result.current:
        raise ServiceError(_("只能对现行结果申诉"))
    if result.round.state == RoundState.OPEN:
        raise ServiceError(_("考核结果尚未计算"))
    if indicator.scheme_id != result.round.scheme_id:
        raise ServiceError(_("指标不属于本方案"), field="indicator")
    if Appeal.objects.filter(result__target=result.target, indicator=indicator, state="submitted").exists():
        raise ServiceError(_("该指标已有待复核的申诉"), field="indicator")
    return create_audited(Appeal, actor=actor, result=result, indicator=indicator, region_code=result.region_code,
                          reason=(reason or "").strip(), claimed_value=_decimal(claimed_value, _("主张分值"), 1),
                          submitted_by=actor, action="assessment.appeal.submit")


@transaction.atomic
def appeal_decide(*, actor, appeal: Appeal, action: str, decision: str = "", corrected_value=None) -> Appeal:
    """Decide an appeal; upheld, the indicator takes the corrected value and the target is recomputed (the old
    result stays in history)."""
    require(actor, "assessment.decide", appeal)
    corrected = _decimal(corrected_value, _("改正后数值"), appeal.indicator.seq) if action == "uphold" else None
    data = {"decision": decision, "corrected_value": "" if corrected is None else str(corrected)}
    appeal = APPEAL.apply(obj=appeal, actor=actor, action=action, data=data)
    if action == "uphold":
        target = appeal.result.target
        Score.objects.create(target=target, indicator=appeal.indicator, appeal=appeal, value=corrected,
                             evidence=decision, entered_by=actor)
        _write_results(target.round, [target], _("申诉改正：%(n)s") % {"n": appeal.indicator.name})
    return appeal


# --- staff merits ----------------------------------------------------------------------------------------

def _staff_code(staff) -> str:
    codes = sorted(code for role, code in grants_of(staff) if role in COMMUNITY_ROLES)
    if not codes:
        raise ServiceError(_("%(u)s 不是社区工作者") % {"u": staff.username}, field="staff")
    return codes[0]


@transaction.atomic
def merit_submit(*, actor, staff, kind: str, points: int, reason: str, occurred_on: datetime.date,
                 evidence: str = "") -> Merit:
    code = _staff_code(staff)
    require(actor, "assessment.merit", code)
    if not 1 <= int(points) <= 20:
        raise ServiceError(_("每条记录的分值须在 1 到 20 之间"), field="points")
    return create_audited(Merit, actor=actor, staff=staff, region_code=code, kind=kind, points=points,
                          reason=(reason or "").strip(), evidence=evidence, occurred_on=occurred_on,
                          submitted_by=actor, action="assessment.merit.submit")


@transaction.atomic
def merit_decide(*, actor, merit: Merit, action: str, decision: str = "") -> Merit:
    require(actor, "assessment.merit_decide", merit)
    return MERIT.apply(obj=merit, actor=actor, action=action, data={"decision": decision})

