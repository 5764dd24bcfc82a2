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
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

TODAY = dt.date(2026, 12, 3)
FIRST_DAY = dt.date(2024, 1, 1)  # three years of problems
REPORT_FIRST = (2023, 1)  # monthly reports from January 2023 to last month
BENCH_PASSWORD = "Bench@2026-taizhang"
CHUNK = 20_000
UTC8 = dt.timezone(dt.timedelta(hours=8))

# The province at scale 1.0.
FULL = {
    "cities": 17,
    "districts": 200,
    "projects": 59_898,
    "enterprises": 400_000,
    "visits": 269_000,
    "problems": 2_000_000,
    "accounts": 96_000,
}

PLACE = (
    "安平宁远清河东阳西华南山北岭金水石门龙泉凤台桃源柳林新城白沙青云长乐永丰太和"
    "高阳临川广济崇仁福兴嘉禾瑞昌德化兴隆平原明光汇川鹤鸣双桥三江五里云梦秀峰"
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国志红梅玉兰海燕晓东立新庆文斌辉鹏飞宇浩然思远嘉欣子涵俊杰雨婷佳怡一鸣晨阳博文"
WORDS = (
    "恒达",
    "鑫源",
    "宏远",
    "华瑞",
    "瑞丰",
    "金鼎",
    "天成",
    "中兴",
    "永盛",
    "锦程",
    "博远",
    "正泰",
    "创新",
    "聚力",
    "德润",
    "安泰",
    "汇通",
    "隆基",
    "新拓",
    "宇航",
)
TRADES = (
    "机械制造",
    "新材料科技",
    "食品",
    "纺织",
    "化工",
    "电子科技",
    "建材",
    "物流",
    "医药",
    "农业开发",
    "汽车零部件",
    "能源",
    "包装",
    "家居",
    "电气",
)
SUFFIXES = ("有限公司", "有限公司", "股份有限公司", "有限责任公司")
DEPARTMENTS = (
    "发展和改革委员会",
    "工业和信息化局",
    "自然资源局",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "财政局",
    "商务局",
    "市场监督管理局",
    "生态环境局",
    "营商环境服务中心",
    "政府督查室",
    "科学技术局",
    "教育局",
    "公安局",
    "民政局",
    "司法局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "行政审批服务局",
    "税务局",
    "供电公司",
    "自来水公司",
    "燃气公司",
    "投资促进中心",
    "金融工作局",
    "大数据管理局",
    "林业局",
    "退役军人事务局",
    "信访局",
    "消防救援大队",
    "住房公积金管理中心",
    "人民银行支行",
)
PROJECT_KINDS = (
    "年产{n}万吨新型建材项目",
    "{n}万平方米标准化厂房建设项目",
    "智能制造产业园（一期）项目",
    "年产{n}万套汽车零部件项目",
    "冷链物流中心项目",
    "道路改造提升工程",
    "污水处理厂提标改造项目",
    "{n}兆瓦光伏发电项目",
    "数字经济产业园项目",
    "生物医药孵化基地项目",
    "老旧小区改造项目",
    "文旅综合体项目",
)
PROBLEMS = {
    "融资": ("流动资金紧张，申请贷款贴息", "银行抽贷压贷，请求协调续贷", "申请应急转贷资金"),
    "用地": ("扩建用地指标未落实", "土地证办理进度慢", "厂区周边用地规划调整"),
    "用工": ("技术工人招聘困难", "季节性用工缺口较大", "职工子女入学问题"),
    "审批手续": ("环评审批时间较长", "施工许可办理受阻", "消防验收需协调"),
    "政策兑现": ("技改奖补资金未兑现", "稳岗补贴申请未到账", "研发费用加计扣除咨询"),
    "水电气暖": ("工业用电增容申请", "天然气管网未接通", "供水压力不足"),
    "基础设施": ("厂区门前道路破损", "园区雨污管网未配套", "通往园区公交线路不足"),
    "市场开拓": ("产品进入政府采购目录", "参加展会对接需求", "出口订单物流受阻"),
    "其他": ("周边噪音投诉处理", "企业名称变更咨询", "厂区安全隐患排查"),
}
NOTES = ("已现场对接，正在协调", "已与相关部门会商", "已制定解决方案，推进中", "已电话回访企业")


# ---------------------------------------------------------------------------- names


@cache
def _keys(part: str) -> tuple[str, str]:
    from taizhang.lib.pinyin import full, initials

    return initials(part), full(part)


def search_key(*parts: str) -> str:
    """taizhang.lib.pinyin.search_key of the joined parts, pinyin cached per part."""
    keys = [_keys(p) for p in parts]
    return " ".join(
        ("".join(parts), "".join(k[0] for k in keys), "".join(k[1] for k in keys))
    ).lower()


def person_name(r: random.Random) -> tuple[str, str]:
    return r.choice(SURNAMES), "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))


def place_names(r: random.Random, n: int, used: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        name = r.choice(PLACE) + r.choice(PLACE)
        if name[0] != name[1] and name not in used:
            used.add(name)
            out.append(name)
    return out


# ---------------------------------------------------------------------------- tables


@dataclass
class Table:
    """One table of a model: the columns given by the generator and the defaults of the rest."""

    model: Any
    given: list[str]
    name: str = ""
    columns: list[str] = field(default_factory=list)
    fill: tuple = ()

    def __post_init__(self) -> None:
        from django.utils import timezone

        opts = self.model._meta
        self.name = opts.db_table
        now = timezone.now()
        extra: list[tuple[str, Any]] = []
        fields = {f.attname: f for f in opts.concrete_fields}
        unknown = [c for c in self.given if c not in fields]
        if unknown:
            raise ValueError(f"{self.name}: no column {unknown}")
        for f in opts.concrete_fields:
            if f.attname in self.given or (f.primary_key and f.attname not in self.given):
                continue
            if f.has_default():
                value = f.default() if callable(f.default) else f.default
                if f.default is timezone.now:
                    value = now
                extra.append((f.column, value))
            elif f.null:
                extra.append((f.column, None))
            elif f.blank and f.get_internal_type() in {"CharField", "TextField"}:
                extra.append((f.column, ""))
            else:
                raise ValueError(f"{self.name}.{f.column}: NOT NULL without a value")
        self.columns = [fields[c].column for c in self.given] + [c for c, _ in extra]
        self.fill = tuple(v for _, v in extra)


def through(model: Any, attr: str) -> Any:
    return getattr(model, attr).through


# ---------------------------------------------------------------------------- the plan


def counts(scale: float) -> dict[str, int]:
    out = {k: max(1, round(v * scale)) for k, v in FULL.items()}
    out["districts"] = max(2, out["districts"])
    out["cities"] = min(out["cities"], out["districts"])
    return out


def lognormal_weights(r: random.Random, n: int, sigma: float) -> list[float]:
    w = [r.lognormvariate(0, sigma) for _ in range(n)]
    total = sum(w)
    return [x / total for x in w]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split by weights into integers that add up to it exactly."""
    raw = [total * w for w in weights]
    out = [int(x) for x in raw]
    rest = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in rest[: total - sum(out)]:
        out[i] += 1
    return out


@dataclass
class District:
    id: int
    code: str
    path: str
    weight: float
    towns: list[int] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)  # unit ids, busiest first
    units: list[int] = field(default_factory=list)
    unit_weights: list[float] = field(default_factory=list)
    leaders: list[int] = field(default_factory=list)
    cadres: list[int] = field(default_factory=list)
    supervisor_user: int = 0
    unit_users: dict[int, int] = field(default_factory=dict)
    enterprises: list[int] = field(default_factory=list)
    enterprise_division: dict[int, int] = field(default_factory=dict)
    visits: list[tuple[int, dt.date]] = field(default_factory=list)


Sink = Callable[[Table, Iterable[tuple]], None]


class Generator:
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


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
