"""Scores, rankings and boards for a period; schemes, adjustments and publishing (do_* functions).

Live scores are computed from the ledgers (facts.py) with the district's current
scheme for the year. A published period is read back from its stored cards and
never recomputed, so later ledger edits leave it as it was published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from taizhang.assessment import facts as facts_mod
from taizhang.assessment.models import (
    Adjustment,
    PublishedScore,
    Scheme,
    ScorePeriod,
)
from taizhang.core import audit
from taizhang.core.divisions import within
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry, Division, Person, Unit
from taizhang.core.scope import Scope
from taizhang.lib import scoring
from taizhang.lib.scoring import Period, PeriodError, ScoreCard, boards, parse_period, rank

TOP, BOTTOM = "飞虎榜", "蜗牛榜"

DEFAULT_INDICATORS: list[dict[str, Any]] = [
    {
        "code": "jd",
        "name": "节点按期完成率",
        "weight": "30",
        "formula": "milestone_on_time_rate",
        "params": {},
    },
    {
        "code": "tz",
        "name": "投资完成进度",
        "weight": "30",
        "formula": "investment_vs_pace",
        "params": {"cap": "120"},
    },
    {
        "code": "bj",
        "name": "问题按时办结率",
        "weight": "15",
        "formula": "matter_on_time_rate",
        "params": {},
    },
    {
        "code": "jj",
        "name": "问题解决率",
        "weight": "10",
        "formula": "resolution_rate",
        "params": {},
    },
    {
        "code": "my",
        "name": "企业满意率",
        "weight": "10",
        "formula": "satisfaction_rate",
        "params": {},
    },
    {
        "code": "bs",
        "name": "进度报送及时率",
        "weight": "5",
        "formula": "report_timeliness",
        "params": {},
    },
    {
        "code": "cb",
        "name": "催办扣分",
        "weight": "5",
        "formula": "reminder_penalty",
        "params": {"per": "0.5"},
    },
]


# --------------------------------------------------------------------------- periods


def period_of(code: str) -> Period:
    try:
        return parse_period(code)
    except PeriodError as e:
        raise invalid("period", str(e)) from None


def cutoff_of(period: Period, today: dt.date | None = None) -> dt.date:
    """The period's last day, or today while the period is still running."""
    today = today or timezone.localdate()
    return min(period.end, today)


# --------------------------------------------------------------------------- schemes


def require_district(scope: Scope, district: Division) -> None:
    """Writers must have the whole district in scope (the office of it, or an admin)."""
    if not scope.reads_division or not scope.divisions.filter(pk=district.pk).exists():
        raise PermissionDenied("该区划不在您的范围内")


def current_scheme(district: Division, year: int) -> Scheme | None:
    return Scheme.objects.filter(division=district, year=year).order_by("-version").first()


def to_scoring(s: Scheme) -> scoring.Scheme:
    return scoring.Scheme(
        [
            scoring.IndicatorSpec(
                i["code"], i["name"], Decimal(str(i["weight"])), i["formula"], i.get("params") or {}
            )
            for i in s.indicators
        ],
        lead_weight=s.lead_weight,
        co_weight=s.co_weight,
        empty=s.empty,  # type: ignore[arg-type]
        bonus_cap=s.bonus_cap,
        penalty_cap=s.penalty_cap,
    )


def _dec(value: Any, field: str, label: str, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise invalid(field, f"请填写{label}")
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, f"{label}应为数字，收到「{value}」") from None
    if not d.is_finite():
        raise invalid(field, f"{label}应为数字")
    return d


def clean_indicators(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n, r in enumerate(rows, 1):
        formula = str(r.get("formula") or "").strip()
        if not formula:
            continue
        if formula not in scoring.FORMULAS:
            raise invalid("indicators", f"第{n}个指标的计分公式无效：{formula}")
        code = str(r.get("code") or "").strip() or formula
        name = str(r.get("name") or "").strip() or scoring.FORMULAS[formula][0]
        weight = _dec(r.get("weight"), "indicators", f"第{n}个指标的分值")
        params = {k: str(v).strip() for k, v in (r.get("params") or {}).items() if str(v).strip()}
        out.append(
            {
                "code": code,
                "name": name,
                "weight": str(weight),
                "formula": formula,
                "params": params,
            }
        )
    return out


def do_save_scheme(scope: Scope, district: Division, year: int, data: dict[str, Any]) -> Scheme:
    """Save the scheme as a new version; earlier versions (and the periods scored with them) stay."""
    scope.require_manage()
    require_district(scope, district)
    indicators = clean_indicators(list(data.get("indicators") or []))
    if not indicators:
        raise invalid("indicators", "请至少设置一个考评指标")
    row = Scheme(
        division=district,
        year=int(year),
        name=str(data.get("name") or "").strip() or "综合考评方案",
        indicators=indicators,
        lead_weight=_dec(data.get("lead_weight", "1"), "lead_weight", "主办权重"),
        co_weight=_dec(data.get("co_weight", "0.5"), "co_weight", "协办权重"),
        empty=data.get("empty") or Scheme.Empty.EXCLUDE,
        bonus_cap=_dec(data.get("bonus_cap"), "bonus_cap", "加分上限", required=False),
        penalty_cap=_dec(data.get("penalty_cap"), "penalty_cap", "扣分上限", required=False),
        board_size=int(data.get("board_size") or 3),
        note=str(data.get("note") or "").strip()[:300],
        created_by=scope.actor,
    )
    try:
        to_scoring(row)
    except scoring.SchemeError as e:
        raise invalid("indicators", str(e)) from None
    if row.empty not in Scheme.Empty.values:
        raise invalid("empty", "无考核事项的处理方式无效")
    if not 1 <= row.board_size <= 20:
        raise invalid("board_size", "飞虎榜/蜗牛榜人数应在1至20之间")
    with transaction.atomic():
        # Lock the district row so two editors cannot take the same version number.
        Division.objects.select_for_update().get(pk=district.pk)
        prev = current_scheme(district, row.year)
        row.version = (prev.version + 1) if prev else 1
        row.save()
        audit.record(
            scope.actor,
            row,
            AuditEntry.Action.CREATE,
            after={
                "年度": row.year,
                "版本": row.version,
                "指标": [f"{i['name']} {i['weight']}分（{i['formula']}）" for i in indicators],
                "主办权重": str(row.lead_weight),
                "协办权重": str(row.co_weight),
                "无考核事项时": row.get_empty_display(),
            },
            verb="保存考评方案" if prev is None else f"修订考评方案（第{row.version}版）",
            division_path=district.path,
        )
    return row


# --------------------------------------------------------------------------- adjustments


def do_add_adjustment(
    scope: Scope,
    district: Division,
    *,
    unit: Unit | None = None,
    person: Person | None = None,
    points: Any,
    reason: str,
    on: Any,
) -> Adjustment:
    scope.require_manage()
    require_district(scope, district)
    if (unit is None) == (person is None):
        raise invalid("unit", "请选择一个单位或一名干部")
    target = unit or person
    # Scores count only units and people inside the district (facts.py), so a person
    # from above is refused here too: the check is on the place, not the leader rule.
    if not within(district, target.division):  # type: ignore[union-attr]
        raise invalid("unit", "加减分对象不属于该区划")
    pts = _dec(points, "points", "分值")
    if pts == 0:
        raise invalid("points", "分值不能为0")
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "加减分必须注明理由")
    if isinstance(on, str):
        try:
            on = dt.date.fromisoformat(on.strip())
        except ValueError:
            raise invalid("on", "日期格式应为 YYYY-MM-DD") from None
    if not isinstance(on, dt.date):
        raise invalid("on", "请填写日期")
    with transaction.atomic():
        a = Adjustment.objects.create(
            division=district,
            unit=unit,
            person=person,
            points=pts,
            reason=reason[:300],
            on=on,
            created_by=scope.actor,
        )
        audit.record(
            scope.actor,
            a,
            AuditEntry.Action.CREATE,
            after=audit.snapshot(a),
            verb="加分" if pts > 0 else "扣分",
            division_path=district.path,
        )
    return a


def do_delete_adjustment(scope: Scope, adjustment: Adjustment) -> None:
    scope.require_manage()
    with transaction.atomic():
        a = scope.get(Adjustment.objects.select_for_update(of=("self",)), adjustment.pk)
        before = audit.snapshot(a)
        audit.record(
            scope.actor,
            a,
            AuditEntry.Action.DELETE,
            before=before,
            verb="删除加减分",
            division_path=a.division.path,
        )
        a.delete()


# --------------------------------------------------------------------------- results


def card_json(card: ScoreCard) -> dict[str, Any]:
    def s(d: Decimal | None) -> str | None:
        return None if d is None else str(d)

    def ref(r: Any) -> dict[str, Any]:
        if isinstance(r, facts_mod.Ref):
            return r.as_json()
        return {"kind": "", "id": None, "label": "" if r is None else str(r), "url": ""}

    return {
        "target": {
            "kind": card.target.kind,
            "id": card.target.id,
            "name": card.target.name,
            "group": card.target.group,
        },
        "cutoff": card.cutoff.isoformat(),
        "total": s(card.total),
        "lines": [
            {
                "code": ln.code,
                "name": ln.name,
                "weight": s(ln.weight),
                "base_weight": s(ln.base_weight),
                "numerator": s(ln.numerator),
                "denominator": s(ln.denominator),
                "rate": s(ln.rate),
                "points": s(ln.points),
                "note": ln.note,
                "excluded": ln.excluded,
                "items": [
                    {
                        "ref": ref(i.ref),
                        "explanation": i.explanation,
                        "detail": i.detail,
                        "weight": s(i.weight),
                        "numerator": s(i.numerator),
                        "denominator": s(i.denominator),
                    }
                    for i in ln.items
                ],
            }
            for ln in card.lines
        ],
    }


@dataclass
class Row:
    kind: str
    target_id: Any
    name: str
    group: str
    position: int | None
    total: Decimal
    movement: int | None
    board: str
    card: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.target_id}"


@dataclass
class Group:
    name: str
    rows: list[Row] = field(default_factory=list)

    @property
    def top(self) -> list[Row]:
        return [r for r in self.rows if r.board == TOP]

    @property
    def bottom(self) -> list[Row]:
        return [r for r in self.rows if r.board == BOTTOM]


@dataclass
class Result:
    district: Division
    period: Period
    cutoff: dt.date
    scheme: Scheme | None
    published: ScorePeriod | None
    groups: list[Group]
    full: bool  # the whole district's ranking (positions meaningful), not just the user's own row
    previous: ScorePeriod | None = None

    def row(self, kind: str, target_id: Any) -> Row | None:
        for g in self.groups:
            for r in g.rows:
                if r.kind == kind and str(r.target_id) == str(target_id):
                    return r
        return None

    @property
    def rows(self) -> list[Row]:
        return [r for g in self.groups for r in g.rows]


def previous_published(district: Division, period: Period) -> ScorePeriod | None:
    """The latest published period of the same kind that ended before this one began."""
    for sp in ScorePeriod.objects.filter(division=district, end__lt=period.start).order_by("-end"):
        try:
            if parse_period(sp.code).kind == period.kind:
                return sp
        except PeriodError:  # pragma: no cover
            continue
    return None


def _group_sort(name: str) -> tuple[int, str]:
    order = facts_mod.GROUP_ORDER
    return (order.index(name) if name in order else len(order), name)


def compute(
    scope: Scope, district: Division, period: Period, *, today: dt.date | None = None
) -> Result:
    """Live scores from the ledgers as the user's scope sees them."""
    cutoff = cutoff_of(period, today)
    scheme = current_scheme(district, period.start.year)
    prev = previous_published(district, period)
    full = scope.reads_division
    if scheme is None:
        return Result(district, period, cutoff, None, None, [], full, prev)
    facts, targets = facts_mod.gather(scope, district, period.start, cutoff)
    cards = scoring.score(to_scoring(scheme), facts, cutoff, targets, since=period.start)
    before: dict[str, int] = {}
    if prev is not None:
        for ps in prev.scores.all():
            before[f"{ps.target_kind}-{ps.target_id}"] = ps.position
    groups = []
    for name in sorted({c.target.group for c in cards}, key=_group_sort):
        ranked = rank(cards, name)
        top, bottom = boards(ranked, scheme.board_size)
        tops = {id(r) for r in top}
        bottoms = {id(r) for r in bottom}
        g = Group(name)
        for r in ranked:
            key = f"{r.card.target.kind}-{r.card.target.id}"
            board = TOP if id(r) in tops else BOTTOM if id(r) in bottoms else ""
            g.rows.append(
                Row(
                    r.card.target.kind,
                    r.card.target.id,
                    r.card.target.name,
                    name,
                    r.position if full else None,
                    r.card.total,
                    (before[key] - r.position) if full and key in before else None,
                    board if full else "",
                    card_json(r.card),
                )
            )
        groups.append(g)
    return Result(district, period, cutoff, scheme, None, groups, full, prev)


def published_result(scope: Scope, sp: ScorePeriod) -> Result:
    """A published period as stored, limited to the rows the user may see."""
    period = parse_period(sp.code)
    qs = scope.filter(PublishedScore.objects.filter(period=sp))
    by_group: dict[str, Group] = {}
    for ps in qs.order_by("position", "name"):
        g = by_group.setdefault(ps.group, Group(ps.group))
        g.rows.append(
            Row(
                ps.target_kind,
                ps.target_id,
                ps.name,
                ps.group,
                ps.position,
                ps.total,
                ps.movement,
                ps.board if scope.reads_division else "",
                ps.card,
            )
        )
    groups = [by_group[k] for k in sorted(by_group, key=_group_sort)]
    prev = previous_published(sp.division, period)
    return Result(sp.division, period, sp.cutoff, sp.scheme, sp, groups, scope.reads_division, prev)


def find_published(scope: Scope, district: Division, code: str) -> ScorePeriod | None:
    return (
        scope.filter(ScorePeriod.objects.filter(division=district, code=code))
        .select_related("scheme", "division")
        .first()
    )


def result_for(
    scope: Scope, district: Division, code: str, *, live: bool = False, today: dt.date | None = None
) -> Result:
    """The published scores if the period is published (unless ``live``), else live ones."""
    period = period_of(code)
    if not live:
        sp = ScorePeriod.objects.filter(division=district, code=period.code).first()
        if sp is not None:
            return published_result(scope, sp)
    return compute(scope, district, period, today=today)


# --------------------------------------------------------------------------- publishing


def do_publish(
    scope: Scope, district: Division, code: str, *, today: dt.date | None = None
) -> ScorePeriod:
    """Freeze a period: store every card, rank and board as shown now."""
    scope.require_manage()
    require_district(scope, district)
    period = period_of(code)
    today = today or timezone.localdate()
    if period.end > today:
        raise invalid("period", f"{period.label}尚未结束，不能发布")
    if ScorePeriod.objects.filter(division=district, code=period.code).exists():
        raise invalid("period", f"{period.label}的考评结果已发布，不能重复发布")
    result = compute(scope, district, period, today=today)
    if result.scheme is None:
        raise invalid("period", f"{district.name}{period.start.year}年尚无考评方案，请先制定方案")
    try:
        with transaction.atomic():
            sp = ScorePeriod.objects.create(
                division=district,
                code=period.code,
                label=period.label,
                start=period.start,
                end=period.end,
                cutoff=result.cutoff,
                scheme=result.scheme,
                published_by=scope.actor,
            )
            PublishedScore.objects.bulk_create(
                [
                    PublishedScore(
                        period=sp,
                        target_kind=r.kind,
                        unit_id=r.target_id if r.kind == "unit" else None,
                        person_id=r.target_id if r.kind == "person" else None,
                        name=r.name,
                        group=r.group,
                        position=r.position or 0,
                        total=r.total,
                        movement=r.movement,
                        board=r.board,
                        card=r.card,
                    )
                    for r in result.rows
                ]
            )
            audit.record(
                scope.actor,
                sp,
                AuditEntry.Action.ACTION,
                after={"期间": period.label, "方案版本": result.scheme.version},
                extra={"考评对象数": len(result.rows)},
                verb="发布考评结果",
                division_path=district.path,
            )
    except IntegrityError:
        raise invalid("period", f"{period.label}的考评结果已发布，不能重复发布") from None
    return sp
