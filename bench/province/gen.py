"""Rows of a generated province (used by bench/province.py): divisions, units, people,
accounts, enterprises, visits, key projects with their monthly reports, and enterprise
problems with their whole step history, written straight into the real models' tables.

Deterministic for a seed. Every count is the issue's province figure times ``scale``.
Rows are tuples in the order of the columns a table helper names; the columns not named
take the model field's default (or NULL / blank), so a new nullable or defaulted field
costs nothing here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from province.problems import ProblemsMixin
from province.tables import District, Sink, Table, apportion, counts, lognormal_weights, through
from province.words import (
    BENCH_PASSWORD,
    CHUNK,
    DEPARTMENTS,
    FIRST_DAY,
    PROJECT_KINDS,
    REPORT_FIRST,
    SUFFIXES,
    TODAY,
    TRADES,
    UTC8,
    WORDS,
    person_name,
    place_names,
    search_key,
)


class Generator(ProblemsMixin):
    """Writes the province through ``sink(table, rows)`` in dependency order."""

    def __init__(self, scale: float, seed: int = 13, *, sizes: dict[str, int] | None = None):
        self.r = random.Random(seed)
        self.n = sizes or counts(scale)
        self.ids: dict[str, int] = {}
        self.districts: list[District] = []
        self.timings: dict[str, float] = {}

    # ---- helpers
    def next_id(self, model: Any) -> int:
        key = model._meta.label
        if key not in self.ids:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.ids[key] = (last or 0) + 1
        value = self.ids[key]
        self.ids[key] += 1
        return value

    def emit(self, sink: Sink, table: Table, rows: Iterable[tuple]) -> None:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row + table.fill)
            if len(batch) >= CHUNK:
                sink(table, batch)
                batch = []
        if batch:
            sink(table, batch)

    # ---- the province
    def run(self, sink: Sink) -> None:
        self.calendar()
        self.org(sink)
        self.enterprises(sink)
        self.accounts(sink)
        self.visits(sink)
        self.projects(sink)
        self.problems(sink)

    def calendar(self) -> None:
        from taizhang.core.calendar import ensure_workdays
        from taizhang.core.models import Workday
        from taizhang.matters.models import ProblemCategory

        ensure_workdays()
        rows = Workday.objects.filter(date__gte=dt.date(2022, 1, 1)).values_list("date", "ordinal")
        self.ordinal = dict(rows)
        self.by_ordinal: dict[int, dt.date] = {}
        for d, o in sorted(self.ordinal.items(), reverse=True):
            self.by_ordinal[o] = d  # the working day that reached ordinal o
        self.categories = [
            (c.pk, c.name, c.default_workdays)
            for c in ProblemCategory.objects.order_by("order", "pk")
        ]

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        return self.by_ordinal.get(self.ordinal[day] + n, day + dt.timedelta(days=n * 7 // 5))

    def org(self, sink: Sink) -> None:
        from taizhang.core.models import Division, Person, ReportingPeriod, Unit
        from taizhang.projects.models import IndustryChain

        r = self.r
        t_div = Table(Division, ["id", "code", "name", "level", "parent_id", "path", "search_key"])
        used: set[str] = set()
        rows = []
        pid = self.next_id(Division)
        rows.append((pid, "410000", "中原省", "province", None, "/410000/", search_key("中原省")))
        self.province_id, self.province_code, self.province_path = pid, "410000", "/410000/"
        weights = lognormal_weights(r, self.n["districts"], 0.7)
        per_city = apportion(self.n["districts"], [1 / self.n["cities"]] * self.n["cities"])
        k = 0
        for ci, name in enumerate(place_names(r, self.n["cities"], used)):
            ccode = f"41{ci + 1:02d}00"
            cid = self.next_id(Division)
            cpath = f"/410000/{ccode}/"
            rows.append((cid, ccode, name + "市", "city", pid, cpath, search_key(name, "市")))
            for di, dname in enumerate(place_names(r, per_city[ci], used)):
                dcode = f"41{ci + 1:02d}{di + 2:02d}"
                did = self.next_id(Division)
                suffix = "区" if di < 4 else "县"
                dpath = f"{cpath}{dcode}/"
                rows.append(
                    (did, dcode, dname + suffix, "district", cid, dpath, search_key(dname, suffix))
                )
                d = District(did, dcode, dpath, weights[k])
                k += 1
                n_towns = min(40, 6 + round(d.weight * self.n["districts"] * 9))
                for ti, tname in enumerate(place_names(r, n_towns, used)):
                    tsuffix = ("街道", "镇", "乡")[0 if ti < n_towns // 3 else (1 if ti % 4 else 2)]
                    tid = self.next_id(Division)
                    tcode = f"{dcode}{ti + 1:03d}"
                    rows.append(
                        (
                            tid,
                            tcode,
                            tname + tsuffix,
                            "town",
                            did,
                            f"{dpath}{tcode}/",
                            search_key(tname, tsuffix),
                        )
                    )
                    d.towns.append(tid)
                self.districts.append(d)
        self.division_name = {row[0]: row[2] for row in rows}
        self.emit(sink, t_div, rows)
        self.emit(
            sink,
            Table(ReportingPeriod, ["division_id", "year", "month"]),
            [(d.id, 2026, 11) for d in self.districts],
        )
        chains = Table(IndustryChain, ["id", "name", "order", "active"])
        from taizhang.demo.projects import CHAINS

        existing = dict(IndustryChain.objects.values_list("name", "pk"))
        new = [c for c in CHAINS if c not in existing]
        chain_rows = [(self.next_id(IndustryChain), c, i, True) for i, c in enumerate(new)]
        self.emit(sink, chains, chain_rows)
        self.chains = list(existing.values()) + [row[0] for row in chain_rows]

        t_unit = Table(Unit, ["id", "division_id", "name", "kind", "search_key"])
        units = []
        for d in self.districts:
            prefix = self.division_name[d.id][-1]
            n_dep = min(len(DEPARTMENTS), 22 + round(d.weight * self.n["districts"] * 10))
            for dep in DEPARTMENTS[:n_dep]:
                uid = self.next_id(Unit)
                units.append((uid, d.id, prefix + dep, "department", search_key(prefix, dep)))
                d.departments.append(uid)
            for p in range(1 + round(d.weight * self.n["districts"] * 2)):
                uid = self.next_id(Unit)
                name = ("经济技术开发区", "高新技术产业园区", "现代物流园区", "循环经济园区")[p % 4]
                name = self.division_name[d.id][:2] + name + ("" if p < 4 else str(p)) + "管委会"
                units.append((uid, d.id, name, "park", search_key(name)))
                d.units.append(uid)
            for tid in d.towns:
                uid = self.next_id(Unit)
                town = self.division_name[tid]
                suffix = "办事处" if town.endswith("街道") else "人民政府"
                units.append((uid, tid, town + suffix, "town", search_key(town, suffix)))
                d.units.append(uid)
            d.units = d.departments + d.units
            # A few departments carry most problems (营商环境、自然资源、住建 …).
            d.unit_weights = [1 / (i + 1) ** 0.9 for i in range(len(d.units))]
            hot = [9, 2, 3, 0, 4]  # 营商环境服务中心 first
            for rank, i in enumerate(hot):
                d.unit_weights[i] = 3.0 / (rank + 1)
        self.emit(sink, t_unit, units)

        t_person = Table(
            Person,
            [
                "id",
                "name",
                "division_id",
                "unit_id",
                "position",
                "is_leader",
                "phone",
                "search_key",
            ],
        )
        people = []
        total_cadres = max(len(self.districts), round(self.n["accounts"] * 0.2))
        for d, n_cad in zip(
            self.districts, apportion(total_cadres, [d.weight for d in self.districts]), strict=True
        ):
            suffix = "区长" if self.division_name[d.id].endswith("区") else "县长"
            for pos in ("", "常务副", "副", "副", "副", "副", "副", "副"):
                sur, given = person_name(r)
                pid_ = self.next_id(Person)
                people.append(
                    (
                        pid_,
                        sur + given,
                        d.id,
                        None,
                        pos + suffix,
                        True,
                        f"139{pid_:08d}",
                        search_key(sur, given),
                    )
                )
                d.leaders.append(pid_)
            for _ in range(n_cad):
                sur, given = person_name(r)
                pid_ = self.next_id(Person)
                unit = r.choice(d.units)
                people.append(
                    (
                        pid_,
                        sur + given,
                        d.id,
                        unit,
                        "科员",
                        False,
                        f"138{pid_:08d}",
                        search_key(sur, given),
                    )
                )
                d.cadres.append(pid_)
        self.emit(sink, t_person, people)

    def enterprises(self, sink: Sink) -> None:
        from taizhang.enterprises.models import Enterprise, Liaison

        r = self.r
        t = Table(
            Enterprise,
            [
                "id",
                "name",
                "credit_code",
                "division_id",
                "park_id",
                "industry_chain_id",
                "category",
                "legal_rep",
                "contact",
                "phone",
                "address",
                "is_synthetic",
                "search_key",
            ],
        )
        t_li = Table(Liaison, ["person_id", "role", "enterprise_id", "division_id", "start"])
        cats = ("", "", "", "industry", "construction", "trade", "service")
        per = apportion(self.n["enterprises"], [d.weight for d in self.districts])
        liaisons: list[tuple] = []

        def rows() -> Iterable[tuple]:
            for d, n in zip(self.districts, per, strict=True):
                parks = [u for u in d.units[len(d.departments) :]][:2]
                place = self.division_name[d.id][:2]
                for _ in range(n):
                    eid = self.next_id(Enterprise)
                    division = r.choice(d.towns) if r.random() < 0.8 else d.id
                    word, trade, suffix = r.choice(WORDS), r.choice(TRADES), r.choice(SUFFIXES)
                    name = f"{place}{word}{trade}{suffix}"
                    code = f"91{d.code}{eid:09d}X"
                    d.enterprises.append(eid)
                    d.enterprise_division[eid] = division
                    rep = "".join(person_name(r))
                    if r.random() < 0.5 and d.cadres:
                        start = FIRST_DAY - dt.timedelta(days=r.randrange(400))
                        liaisons.append((r.choice(d.cadres), "cadre", eid, division, start))
                    yield (
                        eid,
                        name,
                        code,
                        division,
                        r.choice(parks) if parks and r.random() < 0.3 else None,
                        r.choice(self.chains) if r.random() < 0.6 else None,
                        r.choice(cats),
                        rep,
                        rep,
                        f"0371-{eid % 10_000_000:07d}",
                        f"{self.division_name[division]}{r.randrange(1, 300)}号",
                        True,
                        search_key(place, word, trade, suffix) + " " + code.lower(),
                    )

        self.emit(sink, t, rows())
        self.emit(sink, t_li, liaisons)

    def accounts(self, sink: Sink) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from taizhang.core.models import Profile

        User = get_user_model()
        r = self.r
        pw = make_password(BENCH_PASSWORD)
        t_user = Table(User, ["id", "password", "username", "first_name", "is_active"])
        t_prof = Table(
            Profile, ["user_id", "role", "division_id", "unit_id", "person_id", "enterprise_id"]
        )
        users: list[tuple] = []
        profiles: list[tuple] = []

        def add(
            username: str, label: str, role: str, div=None, unit=None, person=None, ent=None
        ) -> int:
            uid = self.next_id(User)
            users.append((uid, pw, username, label[:150], True))
            profiles.append((uid, role, div, unit, person, ent))
            return uid

        self.admin_user = add("prov_admin", "省督查室业务管理员", "admin", div=self.province_id)
        for d in self.districts:
            name = self.division_name[d.id]
            d.supervisor_user = add(f"dc_{d.code}", f"{name}督查室", "supervisor", div=d.id)
            add(f"dc_{d.code}_2", f"{name}督查室", "supervisor", div=d.id)
            for i, p in enumerate(d.leaders):
                add(f"ld_{d.code}_{i}", f"{name}领导", "leader", div=d.id, person=p)
            for u in d.units:
                d.unit_users[u] = add(f"u_{u}", "单位工作人员", "unit", unit=u)
            for p in d.cadres:
                add(f"gb_{p}", "包联干部", "cadre", person=p)
        rest = max(0, self.n["accounts"] - len(users))
        per = apportion(rest, [d.weight for d in self.districts])
        for d, n in zip(self.districts, per, strict=True):
            for eid in r.sample(d.enterprises, min(n, len(d.enterprises))):
                add(f"qy_{eid}", "企业用户", "enterprise", ent=eid)
        self.emit(sink, t_user, users)
        self.emit(sink, t_prof, profiles)

    def visits(self, sink: Sink) -> None:
        from taizhang.enterprises.models import Visit

        r = self.r
        t = Table(
            Visit,
            ["id", "kind", "division_id", "date", "title", "notes", "is_synthetic", "created_at"],
        )
        ve = through(Visit, "enterprises")
        vp = through(Visit, "persons")
        t_ve = Table(ve, ["visit_id", "enterprise_id"])
        t_vp = Table(vp, ["visit_id", "person_id"])
        span = (TODAY - FIRST_DAY).days
        per = apportion(self.n["visits"], [d.weight for d in self.districts])
        links_e: list[tuple] = []
        links_p: list[tuple] = []

        def rows() -> Iterable[tuple]:
            for d, n in zip(self.districts, per, strict=True):
                for _ in range(n):
                    vid = self.next_id(Visit)
                    day = FIRST_DAY + dt.timedelta(days=r.randrange(span))
                    kind = r.choices(("visit", "forum", "service_day"), (8, 1, 1))[0]
                    ents = r.sample(
                        d.enterprises, min(len(d.enterprises), 1 if kind == "visit" else 4)
                    )
                    links_e.extend((vid, e) for e in ents)
                    people = [r.choice(d.cadres or d.leaders)]
                    if r.random() < 0.3:
                        people.append(r.choice(d.leaders))
                    links_p.extend((vid, p) for p in set(people))
                    d.visits.append((vid, day))
                    at = dt.datetime.combine(day, dt.time(15, 0), UTC8)
                    title = {
                        "visit": "走访企业",
                        "forum": "政企座谈会",
                        "service_day": "企业服务日",
                    }[kind]
                    yield (vid, kind, d.id, day, title, "了解企业生产经营情况和困难诉求", True, at)

        self.emit(sink, t, rows())
        self.emit(sink, t_ve, links_e)
        self.emit(sink, t_vp, links_p)

    def projects(self, sink: Sink) -> None:
        from taizhang.enterprises.models import Liaison
        from taizhang.projects.models import (
            Milestone,
            MonthlyReport,
            Project,
            ProjectYear,
            StageChange,
        )

        r = self.r
        t = Table(
            Project,
            [
                "id",
                "division_id",
                "code",
                "name",
                "industry_chain_id",
                "owner_enterprise_id",
                "responsible_unit_id",
                "liaison_leader_id",
                "location",
                "stage",
                "total_investment",
                "start_year",
                "end_year",
                "description",
                "is_synthetic",
                "search_key",
                "created_at",
                "updated_at",
            ],
        )
        t_year = Table(ProjectYear, ["project_id", "year", "level", "annual_plan"])
        t_stage = Table(StageChange, ["project_id", "from_stage", "to_stage", "date", "reason"])
        t_ms = Table(Milestone, ["project_id", "name", "planned_date", "actual_date"])
        t_rep = Table(
            MonthlyReport,
            ["project_id", "year", "month", "amount", "note", "reported_by_id", "reported_at"],
        )
        t_li = Table(Liaison, ["person_id", "role", "project_id", "division_id", "start"])
        # Skewed: a few districts list many projects (lognormal on top of the size).
        skew = [d.weight * r.lognormvariate(0, 0.5) for d in self.districts]
        per = apportion(self.n["projects"], [s / sum(skew) for s in skew])
        stages = (
            "planned",
            "reserve",
            "signed",
            "landed",
            "started",
            "building",
            "producing",
            "effective",
        )
        months = [(y, m) for y in range(REPORT_FIRST[0], TODAY.year + 1) for m in range(1, 13)]
        months = [ym for ym in months if ym < (TODAY.year, TODAY.month)]
        years: list[tuple] = []
        changes: list[tuple] = []
        stones: list[tuple] = []
        reports: list[tuple] = []
        liaisons: list[tuple] = []

        def flush() -> None:
            for table, rows in (
                (t_year, years),
                (t_stage, changes),
                (t_ms, stones),
                (t_rep, reports),
                (t_li, liaisons),
            ):
                if rows:
                    self.emit(sink, table, rows)
                    rows.clear()

        def rows() -> Iterable[tuple]:
            for d, n in zip(self.districts, per, strict=True):
                place = self.division_name[d.id][:2]
                for i in range(n):
                    pid = self.next_id(Project)
                    kind = r.choice(PROJECT_KINDS).format(n=r.choice((5, 10, 20, 30, 50, 100)))
                    first = r.randrange(21)  # index of the first reported month
                    stage = stages[min(7, 3 + (len(months) - first) // 8 + r.randrange(-2, 2))]
                    total = Decimal(r.randrange(2_000, 500_000)) * 10
                    level = r.choices(("province", "city", "district"), (1, 3, 8))[0]
                    start_year = months[first][0]
                    leader = r.choice(d.leaders)
                    unit = r.choices(
                        d.units[: len(d.departments)], d.unit_weights[: len(d.departments)]
                    )[0]
                    at = dt.datetime(start_year, months[first][1], 1, 9, tzinfo=UTC8)
                    for y in range(max(2024, start_year), TODAY.year + 1):
                        years.append((pid, y, level, (total / 4).quantize(Decimal("0.01"))))
                    changes.append((pid, "", "planned", at.date(), "列入储备"))
                    if stages.index(stage) >= 4:
                        changes.append(
                            (pid, "landed", stage, at.date() + dt.timedelta(days=90), "开工建设")
                        )
                    for j, ms in enumerate(("取得施工许可", "主体开工", "竣工验收")):
                        planned = at.date() + dt.timedelta(days=120 + 200 * j)
                        done = planned + dt.timedelta(days=r.randrange(-20, 40))
                        stones.append(
                            (pid, ms, planned, done if done < TODAY and r.random() < 0.8 else None)
                        )
                    monthly = total / Decimal(max(36, len(months) - first)) / 2
                    user = d.unit_users[unit]
                    for y, m in months[first:]:
                        amount = (monthly * Decimal(0.5 + r.random())).quantize(Decimal("0.01"))
                        rep_at = dt.datetime(y, m, 25, 10, tzinfo=UTC8)
                        reports.append((pid, y, m, amount, "按计划推进", user, rep_at))
                    liaisons.append((leader, "leader", pid, d.id, at.date()))
                    name = place + kind
                    yield (
                        pid,
                        d.id,
                        f"{d.code}-{start_year}-{i + 1:05d}",
                        name,
                        r.choice(self.chains),
                        r.choice(d.enterprises) if r.random() < 0.7 else None,
                        unit,
                        leader,
                        self.division_name[r.choice(d.towns)],
                        stage,
                        total,
                        start_year,
                        start_year + r.randrange(1, 4),
                        "项目建设内容：" + kind,
                        True,
                        search_key(place, kind),
                        at,
                        at,
                    )
                    if len(reports) > CHUNK * 5:
                        flush()

        # Projects first (the rows above reference them), their children after each batch.
        batch: list[tuple] = []
        for row in rows():
            batch.append(row)
            if len(batch) >= CHUNK or len(reports) > CHUNK * 5:
                self.emit(sink, t, batch)
                batch = []
                flush()
        self.emit(sink, t, batch)
        flush()
