"""Enterprise problems with their whole step history, consistent with each status."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from province.tables import District, Sink, Table, apportion, through
from province.words import CHUNK, FIRST_DAY, NOTES, PROBLEMS, TODAY, UTC8


class ProblemsMixin:
    """The problems part of province.gen.Generator."""

    r: random.Random
    n: dict[str, int]
    districts: list[District]
    categories: list[tuple[int, str, int]]
    division_name: dict[int, str]

    def problems(self, sink: Sink) -> None:
        from taizhang.matters.models import Matter, MatterStep

        r = self.r
        t = Table(
            Matter,
            [
                "id",
                "kind",
                "division_id",
                "title",
                "description",
                "source",
                "enterprise_id",
                "category_id",
                "visit_id",
                "raised_on",
                "raised_by_name",
                "lead_unit_id",
                "leader_id",
                "status",
                "accepted_on",
                "assigned_on",
                "deadline",
                "original_deadline",
                "finished_on",
                "closed_on",
                "rating",
                "rated_on",
                "round",
                "is_synthetic",
                "created_at",
                "updated_at",
            ],
        )
        t_step = Table(
            MatterStep,
            [
                "matter_id",
                "action",
                "label",
                "from_status",
                "to_status",
                "date",
                "at",
                "by_id",
                "by_name",
                "by_unit_id",
                "note",
                "deadline_before",
                "deadline_after",
                "rating",
                "round",
            ],
        )
        t_co = Table(through(Matter, "co_units"), ["matter_id", "unit_id"])
        per = apportion(self.n["problems"], [d.weight for d in self.districts])
        span = (TODAY - FIRST_DAY).days
        # More problems each year: raised_on drawn with a density growing over the span.
        matters: list[tuple] = []
        steps: list[tuple] = []
        co: list[tuple] = []

        def flush() -> None:
            for table, rows in ((t, matters), (t_step, steps), (t_co, co)):
                if rows:
                    self.emit(sink, table, rows)
                    rows.clear()

        for d, n in zip(self.districts, per, strict=True):
            by_visit = sorted(d.visits, key=lambda v: v[1])
            for _ in range(n):
                mid = self.next_id(Matter)
                raised = FIRST_DAY + dt.timedelta(days=int(span * math.sqrt(r.random())))
                visit = None
                source = r.choices(
                    ("visit", "forum", "service_day", "self", "hotline", "other"),
                    (5, 1, 1, 2, 1, 1),
                )[0]
                if source == "visit" and by_visit:
                    visit, raised = by_visit[r.randrange(len(by_visit))]
                ent = r.choice(d.enterprises)
                cat_id, cat, workdays = r.choice(self.categories)
                title = r.choice(PROBLEMS.get(cat, PROBLEMS["其他"]))
                unit = r.choices(d.units, d.unit_weights)[0]
                leader = r.choice(d.leaders)
                office, office_name = d.supervisor_user, self.division_name[d.id] + "督查室"
                unit_user = d.unit_users[unit]
                hist = self._history(raised, workdays, r)
                status = "submitted"
                f: dict[str, Any] = {}
                rnd = 1
                for action, label, day, to, extra in hist:
                    if day > TODAY or (day == TODAY and r.random() < 0.5):
                        break
                    by, by_name, by_unit = (office, office_name, None)
                    if action in {"progress", "report", "request_extension"}:
                        by, by_name, by_unit = unit_user, "单位工作人员", unit
                    elif action == "rate":
                        by, by_name = None, "企业"
                    elif action == "submit":
                        by, by_name = None, "企业"
                    if action == "return":
                        rnd += 1
                    minute = r.randrange(8 * 60, 18 * 60)
                    at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), UTC8)
                    new = to or status
                    steps.append(
                        (
                            mid,
                            action,
                            label,
                            "" if action == "submit" else status,
                            new,
                            day,
                            at,
                            by,
                            by_name,
                            by_unit,
                            extra.get("note", ""),
                            extra.get("before"),
                            extra.get("after"),
                            extra.get("rating", ""),
                            rnd,
                        )
                    )
                    status = new
                    f.update(extra.get("fields", {}))
                if f.get("assigned_on") and r.random() < 0.25:
                    for u in r.sample(d.units, 2)[: r.choice((1, 1, 2))]:
                        if u != unit:
                            co.append((mid, u))
                assigned = f.get("assigned_on")
                at0 = dt.datetime.combine(raised, dt.time(10), UTC8)
                matters.append(
                    (
                        mid,
                        "enterprise_problem",
                        d.enterprise_division[ent],
                        title,
                        f"企业反映：{title}，请求协调解决。",
                        source,
                        ent,
                        cat_id,
                        visit,
                        raised,
                        "企业联系人",
                        unit if assigned else None,
                        leader if assigned else None,
                        status,
                        f.get("accepted_on"),
                        assigned,
                        f.get("deadline"),
                        f.get("original_deadline"),
                        f.get("finished_on"),
                        f.get("closed_on"),
                        f.get("rating", ""),
                        f.get("rated_on"),
                        rnd,
                        True,
                        at0,
                        at0,
                    )
                )
                if len(matters) >= CHUNK:
                    flush()
        flush()

    def _history(self, raised: dt.date, workdays: int, r: random.Random) -> list[tuple]:
        """The steps a problem goes through, dated, whether or not they have happened yet."""
        day = raised
        out: list[tuple] = [("submit", "提出", day, "submitted", {"note": "企业反映问题"})]
        if r.random() < 0.01:
            return out  # stalled before 受理
        day += dt.timedelta(days=r.choice((0, 1, 1, 2, 3)))
        out.append(("accept", "受理", day, "accepted", {"fields": {"accepted_on": day}}))
        day += dt.timedelta(days=r.choice((0, 1, 2)))
        deadline = self.add_workdays(day, workdays)
        fields = {"assigned_on": day, "deadline": deadline, "original_deadline": deadline}
        out.append(("assign", "交办", day, "assigned", {"fields": fields, "after": deadline}))
        late = r.random() < 0.12
        stuck = r.random() < 0.04  # a hard case: months, sometimes still open today
        length = (deadline - day).days
        finish = day + dt.timedelta(
            days=int(length * (1.2 + r.random() if late else 0.2 + r.random() * 0.75))
        )
        if stuck:
            finish = day + dt.timedelta(days=r.randrange(60, 500))
        if r.random() < 0.05 and (finish - day).days >= 3:
            new = self.add_workdays(deadline, workdays)
            ext = day + dt.timedelta(days=min(max(1, length // 2), (finish - day).days - 2))
            out.append(("request_extension", "延期申请", ext, None, {"note": "情况复杂，申请延期"}))
            out.append(
                (
                    "approve_extension",
                    "同意延期",
                    ext + dt.timedelta(days=1),
                    None,
                    {"before": deadline, "after": new, "fields": {"deadline": new}},
                )
            )
            deadline = new
        for _ in range(r.choice((0, 0, 0, 1, 2))):
            p = day + dt.timedelta(days=r.randrange(max(1, (finish - day).days)))
            out.append(("progress", "办理中", p, "in_progress", {"note": r.choice(NOTES)}))
        rounds = 2 if r.random() < 0.03 else 1
        for rnd in range(rounds):
            out.append(
                (
                    "report",
                    "办结",
                    finish,
                    "reported",
                    {"note": "问题已解决", "fields": {"finished_on": finish}},
                )
            )
            day = finish + dt.timedelta(days=r.randrange(1, 6))
            rating = r.choices(("satisfied", "basic", "unsatisfied"), (85, 12, 3))[0]
            if rnd + 1 < rounds:
                out.append(
                    (
                        "return",
                        "退回重办",
                        day,
                        "returned",
                        {"note": "企业反映未解决", "fields": {"finished_on": None}},
                    )
                )
                finish = day + dt.timedelta(days=r.randrange(3, 20))
                continue
            out.append(
                (
                    "rate",
                    "企业评价",
                    day,
                    "rated",
                    {"rating": rating, "fields": {"rating": rating, "rated_on": day}},
                )
            )
            day += dt.timedelta(days=r.randrange(1, 10))
            out.append(("close", "销号", day, "closed", {"fields": {"closed_on": day}}))
        out.sort(key=lambda s: s[2])
        return out
