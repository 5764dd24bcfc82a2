"""Demo organisation: three Henan districts named in the seed documents, and their accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from taizhang.core.identity import mark_demo_password
from taizhang.core.models import Division, Person, Profile, ReportingPeriod, Role, Unit

# Passes the password policy (taizhang.core.passwords): 10+ characters, three classes.
DEMO_PASSWORD = "Taizhang@2026"

DIVISIONS = [
    # code, name, level, parent code
    ("410000", "河南省", "province", None),
    ("410600", "鹤壁市", "city", "410000"),
    ("410603", "山城区", "district", "410600"),
    ("410603001", "红旗街道", "town", "410603"),
    ("410603002", "长风南路街道", "town", "410603"),
    ("410603003", "山城路街道", "town", "410603"),
    ("410603004", "汤河街道", "town", "410603"),
    ("410603005", "宝山街道", "town", "410603"),
    ("410603100", "鹿楼乡", "town", "410603"),
    ("410603101", "大胡乡", "town", "410603"),
    ("410603102", "石林镇", "town", "410603"),
    ("410603102201", "奔二巷社区", "village", "410603001"),
    ("410400", "平顶山市", "city", "410000"),
    ("410411", "湛河区", "district", "410400"),
    ("410411001", "马庄街道", "town", "410411"),
    ("410411002", "南环路街道", "town", "410411"),
    ("410411003", "轻工路街道", "town", "410411"),
    ("410411004", "河滨街道", "town", "410411"),
    ("410411005", "九里山街道", "town", "410411"),
    ("410411100", "曹镇乡", "town", "410411"),
    ("410411101", "北渡街道", "town", "410411"),
    ("410471", "平顶山市城乡一体化示范区", "district", "410400"),
    ("410471001", "滍阳镇", "town", "410471"),
    ("410471002", "湛北路街道", "town", "410471"),
]

DEPARTMENTS = [
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
]

PARKS = {
    "410603": ["牟山园区管委会", "石林园区管委会", "循环经济园区管委会"],
    "410411": ["湛河区工业园区管委会", "湛河新区管委会"],
    "410471": ["平新先进制造业开发区管委会"],
}


@dataclass
class Org:
    divisions: dict[str, Division]
    units: dict[tuple[str, str], Unit]
    leaders: dict[str, list[Person]]


def load_org() -> Org:
    divisions: dict[str, Division] = {}
    for code, name, level, parent in DIVISIONS:
        divisions[code] = Division.objects.create(
            code=code, name=name, level=level, parent=divisions.get(parent) if parent else None
        )
    units: dict[tuple[str, str], Unit] = {}
    leaders: dict[str, list[Person]] = {}
    for dcode in ("410603", "410411", "410471"):
        district = divisions[dcode]
        prefix = "区" if dcode != "410471" else "示范区"
        for dep in DEPARTMENTS:
            name = f"{prefix}{dep}"
            units[(dcode, dep)] = Unit.objects.create(
                division=district, name=name, kind="department"
            )
        for park in PARKS[dcode]:
            units[(dcode, park)] = Unit.objects.create(division=district, name=park, kind="park")
        for town in district.children.filter(level="town"):
            suffix = "人民政府" if town.name.endswith(("乡", "镇")) else "办事处"
            units[(dcode, town.name)] = Unit.objects.create(
                division=town, name=f"{town.name}{suffix}", kind="town"
            )
        leaders[dcode] = [
            Person.objects.create(name=n, division=district, position=p, is_leader=True)
            for n, p in LEADERS[dcode]
        ]
    return Org(divisions, units, leaders)


# Synthetic names (the seeds name leaders only in passing; these are invented for the demo).
LEADERS = {
    "410603": [
        ("王建国", "区长"),
        ("李红梅", "常务副区长"),
        ("张卫东", "副区长"),
        ("赵志强", "副区长"),
        ("刘海燕", "副区长"),
    ],
    "410411": [
        ("陈立新", "区长"),
        ("周国庆", "常务副区长"),
        ("吴建华", "副区长"),
        ("郑晓东", "副区长"),
    ],
    "410471": [("孙明亮", "管委会主任"), ("钱玉兰", "管委会副主任")],
}


def create_accounts(org: Org) -> list[tuple[str, str, str]]:
    """Demo accounts; returns (username, role label, what they see) for printing."""
    User = get_user_model()
    d = org.divisions
    sc, zh, sfq = d["410603"], d["410411"], d["410471"]
    cadre_person = org.leaders["410603"][2]
    rows = [
        ("admin", "业务管理员", Role.ADMIN, None, None, None, "全部业务数据"),
        (
            "sc_duchashi",
            "山城区督查室",
            Role.SUPERVISOR,
            sc,
            None,
            None,
            "山城区全部，可交办、销号",
        ),
        (
            "sc_lingdao",
            "山城区区长",
            Role.LEADER,
            sc,
            None,
            org.leaders["410603"][0],
            "山城区全部（只读）",
        ),
        (
            "sc_fgw",
            "山城区发改委",
            Role.UNIT,
            None,
            org.units[("410603", "发展和改革委员会")],
            None,
            "本单位负责的项目，可报送",
        ),
        (
            "sc_moushan",
            "牟山园区管委会",
            Role.UNIT,
            None,
            org.units[("410603", "牟山园区管委会")],
            None,
            "本单位负责的项目，可报送",
        ),
        (
            "sc_baolian",
            f"包联领导{cadre_person.name}",
            Role.CADRE,
            None,
            None,
            cadre_person,
            "本人包联的项目",
        ),
        ("zh_duchashi", "湛河区督查室", Role.SUPERVISOR, zh, None, None, "湛河区全部"),
        (
            "zh_mazhuang",
            "马庄街道办事处",
            Role.UNIT,
            None,
            org.units[("410411", "马庄街道")],
            None,
            "马庄街道负责的项目",
        ),
        ("sfq_duchashi", "示范区督查室", Role.SUPERVISOR, sfq, None, None, "示范区全部"),
        # 三权分立: the three administrators see no business data.
        ("xt_guanli", "系统管理员", Role.SYSADMIN, None, None, None, "账号管理（无业务数据）"),
        ("aq_guanli", "安全管理员", Role.SECADMIN, None, None, None, "角色、权限范围、双因素"),
        ("sj_guanli", "审计管理员", Role.AUDITOR, None, None, None, "审计日志（只读、导出）"),
    ]
    out = []
    for username, label, role, division, unit, person, sees in rows:
        # No demo account is a superuser: the superuser is for installation only (三权分立).
        user = User.objects.create_user(username, password=DEMO_PASSWORD, first_name=label)
        mark_demo_password(user)
        Profile.objects.create(user=user, role=role, division=division, unit=unit, person=person)
        out.append((username, f"{label}（{Role(role).label}）", sees))
    return out


def set_periods(org: Org) -> None:
    ReportingPeriod.objects.create(division=org.divisions["410603"], year=2022, month=8)
    ReportingPeriod.objects.create(division=org.divisions["410411"], year=2022, month=2)
    ReportingPeriod.objects.create(division=org.divisions["410471"], year=2022, month=8)
