"""Acceptance checks on the shared seed documents (read in place, never copied)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from taizhang.lib.extract import Indicator, extract, parse_outline
from tests.seeds import REPORT_2024, SEEDS, seed_path, seed_paths

# Named at collection so each news seed is its own test; a missing set fails under CI below.
NEWS = sorted(SEEDS.glob("00[014]_*.txt")) or [SEEDS / "00x_missing.txt"]


@pytest.fixture(scope="module")
def report_text() -> str:
    return seed_path(REPORT_2024).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(report_text: str) -> list[Indicator]:
    return extract(report_text)


def find(items: list[Indicator], name_part: str, value: float, unit: str) -> Indicator:
    hits = [i for i in items if name_part in i.name and i.value == value and i.unit == unit]
    assert hits, f"no indicator {name_part} {value}{unit}: {[(i.name, i.value) for i in items]}"
    return hits[0]


TARGETS = [
    ("高新技术企业", 20, "家", ">="),
    ("国家科技型中小企业", 45, "家", ">="),
    ("新签约亿元以上项目", 26, "个", ">="),
    ("新落地亿元以上项目", 23, "个", ">="),
    ("新开工项目", 30, "个", ">="),
    ("省市重点项目完成投资", 60, "亿元", ">="),
    ("城镇新增就业", 3760, "人", ">="),
    ("省级专精特新中小企业", 3, "家", "="),
    ("专精特新小巨人企业", 2, "家", "="),
    ("制造业单项冠军", 2, "家", "="),
    ("头雁企业", 1, "家", "="),
    ("省市重点项目", 12, "个", "="),
    ("高标准农田", 1, "万亩", "="),
    ("高标准农田", 2.5, "万亩", "="),
]


@pytest.mark.parametrize(("name", "value", "unit", "cmp_"), TARGETS)
def test_report_targets(
    report: list[Indicator], name: str, value: float, unit: str, cmp_: str
) -> None:
    ind = find(report, name, value, unit)
    assert (ind.comparator, ind.kind, ind.period) == (cmp_, "target", 2024)


ACHIEVEMENTS = [
    ("地区生产总值", 121.3, "亿元", "="),
    ("社会消费品零售总额", 6.1, "%", "="),
    ("基础设施投资", 32.7, "%", "="),
    ("规模以上工业增加值", 33.2, "个百分点", "="),
    ("一般公共预算收入", 8.86, "亿元", "="),
    ("税收占比", 66.4, "%", "="),
    ("千万元以上纳税企业", 14, "户", "="),
    ("百万元以上纳税企业", 154, "户", "="),
    ("新签约项目", 42, "个", "="),
    ("总投资", 261.2, "亿元", "="),
    ("新落地项目", 23, "个", "="),
    ("总投资", 142.5, "亿元", "="),
    ("省市重点项目", 15, "个", "="),
    ("省市重点项目完成投资", 34.7, "亿元", "="),
    ("年度投资计划", 121.3, "%", "="),
    ("瞪羚", 2, "家", "="),
    ("闲置土地", 122.6, "亩", "="),
    ("标准化厂房", 31, "万平方米", "="),
    ("就业率", 100, "%", "="),
    ("人均纯收入", 13.8, "%", "="),
    ("土壤环境安全利用率", 100, "%", "="),
    ("政务服务事项", 1144, "项", "="),
    ("人大代表建议", 96, "件", "="),
    ("政协提案", 132, "件", "="),
    ("办结率", 100, "%", "="),
    ("满意率", 100, "%", "="),
]


@pytest.mark.parametrize(("name", "value", "unit", "cmp_"), ACHIEVEMENTS)
def test_report_achievements(
    report: list[Indicator], name: str, value: float, unit: str, cmp_: str
) -> None:
    ind = find(report, name, value, unit)
    assert (ind.comparator, ind.kind, ind.period) == (cmp_, "achievement", 2023)


def test_report_money_base_values(report: list[Indicator]) -> None:
    assert find(report, "地区生产总值", 121.3, "亿元").base_value == 12130000000
    assert find(report, "一般公共预算收入", 8.86, "亿元").base_value == 886000000
    assert find(report, "省市重点项目完成投资", 60, "亿元").base_value == 6000000000
    assert find(report, "标准化厂房", 31, "万平方米").base_value == 310000


def test_report_forecast_in_review_is_target(report: list[Indicator]) -> None:
    ind = find(report, "年产值", 15, "亿元")
    assert (ind.kind, ind.period) == ("target", None)


def test_report_range(report: list[Indicator]) -> None:
    low = find(report, "审批时间", 5, "个工作日")
    high = find(report, "审批时间", 10, "个工作日")
    assert (low.comparator, high.comparator) == (">=", "<=")


NOT_QUANTITIES = [
    "2月7日、8日",
    "第十二届人民代表大会第四次会议",
    "“六个之城”",
    "“52311”",
    "“12361”",
    "十一届六次全会",
    "十届七次全会",
    "两件大事",
    "八个方面",
    "“2+4”",
    "IV类",
    "“两降一增”",
    "15分钟养老服务圈",
    "三贤电子二期",
    "三年后",
    "一件事一次办",
    "“五个一批”",
]


@pytest.mark.parametrize("phrase", NOT_QUANTITIES)
def test_report_excludes_non_quantities(
    report: list[Indicator], report_text: str, phrase: str
) -> None:
    at = report_text.index(phrase)
    inside = [i for i in report if at <= i.start < at + len(phrase)]
    assert not inside, [(i.name, i.value, i.unit) for i in inside]


def test_report_qualifier_is_not_a_value(report: list[Indicator], report_text: str) -> None:
    # "亿元以上" / "千万元以上" classify projects and taxpayers; no value of their own.
    assert not [i for i in report if i.unit == "亿元" and "以上项目" in i.name]
    assert not [i for i in report if report_text[i.start : i.end] in ("千", "百")]


def test_report_offsets_and_sections(report: list[Indicator], report_text: str) -> None:
    plan_start = report_text.index("2024年工作总体要求")
    for ind in report:
        written = report_text[ind.start : ind.end]
        assert written and written in ind.sentence
        assert Decimal(written.replace(",", "")) == Decimal(str(ind.value))
        if ind.start > plan_start:
            assert (ind.kind, ind.period) == ("target", 2024)


def test_report_year_override(report_text: str) -> None:
    items = extract(report_text, year=2025)
    assert find(items, "城镇新增就业", 3760, "人").period == 2025
    assert find(items, "地区生产总值", 121.3, "亿元").period == 2023


def test_report_outline(report_text: str) -> None:
    tasks = parse_outline(report_text)
    level1 = [t for t in tasks if t.level == 1]
    assert len(level1) == 8
    assert level1[0].heading == "坚持创新驱动，点燃转型升级新引擎"
    assert level1[7].heading == "聚力改善民生，共享和谐发展新成果"
    first_items = [t.title for t in tasks if t.level == 2 and t.heading == level1[0].heading]
    assert first_items == ["培育引领性创新主体", "建设高能级创新平台"]
    employ = [t for t in tasks if t.title == "强化就业优先保障"]
    assert employ and "3760人以上" in employ[0].sentence
    for t in tasks:
        original = report_text[t.start : t.end]
        assert original
        if t.level == 1:
            assert original.startswith("(") and t.heading in original
        else:
            assert original[1] == "是" and t.title in original
    # Everything is in the forward-looking part, nothing from the review.
    plan_start = report_text.index("2024年工作重点")
    assert all(t.start > plan_start for t in tasks)
    # The 政府自身建设 headings after the eight task areas are not tasks.
    assert not [t for t in tasks if "坚定政治信仰" in t.heading]


@pytest.mark.parametrize("path", NEWS, ids=lambda p: p.name[:3])
def test_news_documents(path) -> None:
    text = seed_path(path.name).read_text(encoding="utf-8")
    items = extract(text)
    assert items
    for ind in items:
        assert text[ind.start : ind.end]
        assert ind.kind in ("target", "achievement")
        assert ind.period is None or 2000 <= ind.period <= 2100


def test_news_specifics() -> None:
    by_name = {p.name[:3]: p.read_text(encoding="utf-8") for p in seed_paths("00[014]_*.txt")}
    n000 = extract(by_name["000"])
    assert find(n000, "走访企业", 1100, "次").comparator == "≈"
    refund = find(n000, "留抵退税", 1.65, "亿元")
    assert (refund.comparator, refund.base_value) == ("≈", 165000000)
    assert find(n000, "城镇新增就业", 4481, "人").kind == "achievement"
    assert find(n000, "年产值", 100, "亿元").kind == "target"
    n004 = extract(by_name["004"], year=2022)
    assert find(n004, "年产值", 80, "亿元").kind == "target"
    assert find(n004, "年产", 4, "万吨").kind == "target"
    assert find(n004, "年度计划完成投资", 20, "亿元").kind == "target"
    old = find(n004, "老旧小区", 47, "个")
    assert (old.kind, old.period) == ("achievement", 2020)
    n001 = extract(by_name["001"])
    assert find(n001, "固定资产投资", 27.7, "亿元").period == 2021


def test_news_outline_is_empty_without_structure() -> None:
    news = seed_paths("00[014]_*.txt")
    for path in news:
        text = path.read_text(encoding="utf-8")
        assert all(t.level in (1, 2) for t in parse_outline(text))
    assert parse_outline(news[0].read_text(encoding="utf-8")) == []
