"""Demo 创文 ledger: 城乡一体化示范区 (410471), 2022, after the 8月20日 誓师大会 (seed 001).

The tree has the seed's 9 测评项目板块, 72 项测评内容 and 140 条测评标准 (names made up
after the national 测评体系's sections); 30 points with their 包保 leaders; inspections
from late August with failures turned into rectifications — most rectified on time, some
late, some sent back at re-inspection, a few still open. Everything through the domain
do_* functions; the figures are the system's own counts (tests/test_civility_demo.py)."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from PIL import Image

from taizhang.attachments import services as attachments
from taizhang.civility import services, tree
from taizhang.core.calendar import get_calendar
from taizhang.core.scope import Scope

CODE = "410471"
YEAR = 2022

# 板块 → (适用点位类型, 责任部门, its 8 测评内容).
SECTIONS: list[tuple[str, str, str, list[str]]] = [
    (
        "社会主义核心价值观宣传教育",
        "street、park、window、station",
        "政府督查室",
        [
            "公益广告",
            "道德模范宣传",
            "好人榜",
            "核心价值观主题公园",
            "新时代文明实践站",
            "宣传栏",
            "市民公约",
            "文明标语",
        ],
    ),
    (
        "公共文明",
        "street、park、station、hospital",
        "市场监督管理局",
        [
            "文明交通",
            "文明餐桌",
            "文明旅游",
            "文明上网",
            "礼让斑马线",
            "排队礼让",
            "公共场所禁烟",
            "不文明行为劝导",
        ],
    ),
    (
        "市容环境",
        "street、market、community、station",
        "住房和城乡建设局",
        [
            "主次干道",
            "背街小巷",
            "城中村",
            "建筑工地",
            "垃圾分类",
            "公共厕所",
            "户外广告",
            "绿化养护",
        ],
    ),
    (
        "公共秩序",
        "street、market、station、hospital",
        "商务局",
        [
            "占道经营",
            "车辆停放",
            "非机动车管理",
            "农贸市场秩序",
            "流动摊贩",
            "施工围挡",
            "噪声管控",
            "养犬管理",
        ],
    ),
    (
        "志愿服务",
        "community、park、station、window",
        "人力资源和社会保障局",
        [
            "志愿服务站点",
            "志愿者注册",
            "学雷锋志愿服务",
            "关爱特殊群体",
            "邻里互助",
            "志愿服务记录",
            "志愿服务阵地",
            "志愿服务品牌",
        ],
    ),
    (
        "未成年人思想道德建设",
        "school、community",
        "政府督查室",
        [
            "校园周边环境",
            "学校德育",
            "乡村学校少年宫",
            "心理健康教育",
            "网吧管理",
            "课外活动场所",
            "家庭教育",
            "校外托管",
        ],
    ),
    (
        "诚信建设",
        "market、window",
        "市场监督管理局",
        [
            "诚信经营",
            "明码标价",
            "计量器具",
            "食品安全",
            "诚信宣传",
            "失信惩戒",
            "消费维权",
            "商户公示",
        ],
    ),
    (
        "公共服务",
        "window、hospital、station",
        "营商环境服务中心",
        [
            "政务服务窗口",
            "医疗服务",
            "无障碍设施",
            "便民服务",
            "公交站台",
            "服务热线",
            "适老化服务",
            "母婴室",
        ],
    ),
    (
        "生态环境",
        "park、community、street",
        "生态环境局",
        [
            "大气污染防治",
            "水体治理",
            "扬尘管控",
            "油烟治理",
            "公园绿地",
            "河道保洁",
            "裸土覆盖",
            "秸秆禁烧",
        ],
    ),
]

STANDARD_TEXTS = (
    "{c}设施齐全、整洁完好，无破损、无脏污",
    "{c}管理制度健全，有专人负责、责任落实到位",
)

# name, type, town (None: the district), 包保 leader index, 分包层级.
POINTS: list[tuple[str, str, str | None, int, str]] = [
    ("湛河北路", "street", None, 0, "road"),
    ("开发区大道", "street", None, 0, "road"),
    ("光明路", "street", "湛北路街道", 1, "road"),
    ("建设路", "street", "湛北路街道", 1, "road"),
    ("滍阳大道", "street", "滍阳镇", 0, "road"),
    ("曙光街", "street", "湛北路街道", 1, "road"),
    ("湛北路农贸市场", "market", "湛北路街道", 1, "town"),
    ("滍阳农贸市场", "market", "滍阳镇", 0, "town"),
    ("新城区综合市场", "market", None, 1, "town"),
    ("湛北路社区", "community", "湛北路街道", 1, "village"),
    ("康乐社区", "community", "湛北路街道", 0, "village"),
    ("滍阳新村社区", "community", "滍阳镇", 0, "village"),
    ("湖滨社区", "community", "湛北路街道", 1, "village"),
    ("阳光花园社区", "community", "滍阳镇", 1, "village"),
    ("示范区实验学校", "school", None, 0, "town"),
    ("湛北路小学", "school", "湛北路街道", 1, "town"),
    ("滍阳镇中心学校", "school", "滍阳镇", 0, "town"),
    ("平顶山西站", "station", None, 0, "road"),
    ("示范区公交枢纽站", "station", None, 1, "road"),
    ("滍阳客运站", "station", "滍阳镇", 0, "road"),
    ("示范区人民医院", "hospital", None, 1, "town"),
    ("滍阳镇卫生院", "hospital", "滍阳镇", 0, "town"),
    ("湛河公园", "park", None, 0, "town"),
    ("白龟湖湿地公园", "park", None, 1, "town"),
    ("滍阳文化广场", "park", "滍阳镇", 0, "town"),
    ("示范区政务服务中心", "window", None, 1, "town"),
    ("不动产登记大厅", "window", None, 0, "town"),
    ("湛北路便民服务中心", "window", "湛北路街道", 1, "town"),
    ("滍阳镇便民服务中心", "window", "滍阳镇", 0, "town"),
    ("示范区供电营业厅", "window", None, 1, "town"),
]

# Which district department answers for a point of each type when it lies in no town.
TYPE_UNIT = {
    "street": "住房和城乡建设局",
    "market": "商务局",
    "community": "住房和城乡建设局",
    "school": "政府督查室",
    "station": "工业和信息化局",
    "hospital": "人力资源和社会保障局",
    "park": "生态环境局",
    "window": "营商环境服务中心",
}


def _photo(name: str) -> ContentFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(buf, "JPEG")
    return ContentFile(buf.getvalue(), name=name)


def load_tree(scope: Scope, org) -> None:
    district = org.divisions[CODE]
    rows = []
    n = 0
    for section, types, dep, contents in SECTIONS:
        for content in contents:
            n += 1
            # 68 contents carry two standards, the last four one: 68 × 2 + 4 = 140.
            texts = STANDARD_TEXTS if n <= 68 else STANDARD_TEXTS[:1]
            for i, t in enumerate(texts):
                rows.append(
                    {
                        "section": section,
                        "content": content,
                        "text": t.format(c=content),
                        "score": "1" if i else "1.5",
                        "unit": org.units[(CODE, dep)],
                        "point_types": types,
                        # Facilities take longer to repair than a rule to be posted.
                        "workdays": 5 if i == 0 and section == "市容环境" else None,
                    }
                )
    tree.do_load_tree(scope, district, YEAR, tree.clean_rows(scope, district, rows))


def load(scope: Scope, org) -> None:
    load_tree(scope, org)
    district = org.divisions[CODE]
    leaders = org.leaders[CODE]
    towns = {d.name: d for d in district.children.all()}
    points = []
    for name, kind, town, leader, level in POINTS:
        if town:
            division = towns[town]
            suffix = "人民政府" if town.endswith(("乡", "镇")) else "办事处"
            unit = org.units[(CODE, town)]
            assert unit.name == f"{town}{suffix}"
        else:
            division = district
            unit = org.units[(CODE, TYPE_UNIT[kind])]
        points.append(
            services.do_save_point(
                scope,
                {
                    "division": division,
                    "name": name,
                    "type": kind,
                    "unit": unit,
                    "leader": leaders[leader],
                    "leader_level": level,
                    "position": f"平顶山市城乡一体化示范区{town or ''}{name}",
                },
            )
        )
    _inspect(scope, points)


def _inspect(scope: Scope, points) -> None:
    """Two rounds of inspections (late August, late October) of every point; a fixed seed
    decides the failures and how each was rectified."""
    rng = random.Random(14)
    cal = get_calendar()
    rounds = [dt.date(2022, 8, 23), dt.date(2022, 10, 25)]
    for r, start in enumerate(rounds):
        for i, p in enumerate(points):
            day = cal.add_workdays(start, i % 6).date
            applying = services.standards_for(p, YEAR)
            picked = rng.sample(applying, k=min(len(applying), rng.choice((0, 1, 1, 2))))
            failures = [
                services.FoundFailure(s, f"{p.name}{s.content.name}不达标", [_photo("现场.jpg")])
                for s in picked
            ]
            _, matters = services.do_inspect(
                scope, p, date=day, failures=failures, note="", is_synthetic=True
            )
            for m in matters:
                _rectify(scope, m, rng, late_round=r == 1)


def _report(scope: Scope, m, day: dt.date) -> None:
    m.refresh_from_db()
    photo = attachments.do_attach(scope, m, [_photo("整改后.jpg")])[0]
    services.do_submit_rectification(
        scope, m, note="已按标准整改", photos=[photo.pk], expected_version=m.version, date=day
    )


def _rectify(scope: Scope, m, rng: random.Random, *, late_round: bool) -> None:
    cal = get_calendar()
    fate = rng.random()
    if late_round and fate < 0.2:
        return  # still open: overdue now
    if fate < 0.65:
        took = rng.randint(1, 3)  # on time (limits are 3 or 5 working days)
    elif fate < 0.85:
        took = rng.randint(6, 9)  # late
    else:
        # Sent back at re-inspection, then rectified within the new limit.
        day = cal.add_workdays(m.raised_on, 2).date
        _report(scope, m, day)
        recheck = cal.add_workdays(day, 1).date
        m.refresh_from_db()
        services.do_recheck_fail(
            scope, m, note="整改不到位，仍有脏乱", expected_version=m.version, date=recheck
        )
        again = cal.add_workdays(recheck, 2).date
        _report(scope, m, again)
        m.refresh_from_db()
        services.do_recheck_pass(
            scope, m, expected_version=m.version, date=cal.add_workdays(again, 1).date
        )
        return
    day = cal.add_workdays(m.raised_on, took).date
    _report(scope, m, day)
    m.refresh_from_db()
    services.do_recheck_pass(
        scope, m, expected_version=m.version, date=cal.add_workdays(day, 1).date
    )


__all__ = ["load"]
