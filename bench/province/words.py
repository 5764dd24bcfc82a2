"""Fixed data of the generated province: dates, sizes at scale 1.0, and the words
its Chinese names are made of (places, people, enterprises, projects, problems)."""

from __future__ import annotations

import datetime as dt
import random
from functools import cache

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
