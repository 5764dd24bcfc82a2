"""The extractor on report styles it was not first built on (issue: report extraction in
every style). Each rule below is one failure seen on such a report, written as our own
example sentence; the corpus test scores six hand-annotated texts of different styles."""

from __future__ import annotations

from pathlib import Path

import pytest

from taizhang.lib.extract import extract
from taizhang.lib.extract.evaluate import KINDS, score_file

CORPUS = Path(__file__).parent / "extract_corpus"
STYLES = sorted(p.stem for p in CORPUS.glob("*.txt"))


def one(text: str, value: float, **kw):
    hits = [i for i in extract(text, **kw) if i.value == value]
    assert len(hits) == 1, [(i.name, i.value, i.unit, i.kind) for i in extract(text, **kw)]
    return hits[0]


def test_it_has_six_styles():
    assert STYLES == [
        "bulletin", "county_summary", "half_year", "news", "target_list", "work_report",
    ]  # fmt: skip


@pytest.mark.parametrize("style", STYLES)
def test_it_meets_the_scores_on_every_style(style):
    sc = score_file(CORPUS / f"{style}.txt")
    for kind in KINDS:
        assert sc.f1(kind) >= 0.95, (kind, sc.misses)
    assert sc.name_accuracy() >= 0.9, sc.misses


def test_it_reads_a_plain_target_list_as_targets_without_bound_words():
    text = "2027年主要预期目标是：地区生产总值增长6%左右，一般公共预算收入增长5.5%，固定资产投资增长8%。"
    assert {i.kind for i in extract(text)} == {"target"}
    assert one(text, 5.5).name == "一般公共预算收入增长"


def test_it_lets_a_section_heading_decide_and_carry_down_to_bullets():
    text = (
        "一、今年以来工作完成情况\n（1）新开工项目12个。\n● 引进企业8家。\n"
        "二、下一步工作计划\n1. 新开工项目15个。\n● 引进企业10家。\n"
    )
    kinds = [(i.value, i.kind, i.name) for i in extract(text)]
    assert kinds == [
        (12, "achievement", "新开工项目"),
        (8, "achievement", "引进企业"),
        (15, "target", "新开工项目"),
        (10, "target", "引进企业"),
    ]


def test_it_names_a_bulleted_growth_after_its_indicator():
    found = extract("●工业用电量：完成5.6亿千瓦时，增长7.2%。")
    assert [(i.name, i.value) for i in found] == [("工业用电量", 5.6), ("工业用电量增长", 7.2)]


def test_it_names_both_values_of_fenbie():
    found = extract("城镇、农村居民人均可支配收入分别达到38000元和19000元。")
    assert [i.name for i in found] == ["城镇居民人均可支配收入", "农村居民人均可支配收入"]


def test_it_takes_the_name_after_the_number_when_a_verb_precedes_it():
    assert one("全年改造提升9个农贸市场。", 9).name == "农贸市场"


def test_it_keeps_the_minus_sign_and_a_decrease():
    neg = one("外贸进出口总额增长-1.5%。", -1.5)
    assert (neg.name, neg.unit) == ("外贸进出口总额增长", "%")
    down = one("单位生产总值能耗下降3.2%。", 3.2)
    assert down.name == "单位生产总值能耗下降"
    # A range's dash is not a sign.
    assert [i.value for i in extract("增长5-6个百分点。")] == [5, 6]


def test_it_reads_estimates_and_secured_funds_in_a_review_as_results():
    text = "一、上半年工作回顾\n预计全年完成固定资产投资增长9%。上半年争取到上级资金2.1亿元。\n"
    assert {i.kind for i in extract(text)} == {"achievement"}


def test_it_gives_both_spellings_of_the_annual_plan_the_same_kind():
    a = one("甲镇年度计划投资20亿元。", 20)
    b = one("乙镇年度投资计划20亿元。", 20)
    assert a.kind == b.kind == "target"
    # A share of the plan is still a fact.
    assert one("完成投资9亿元，占年度投资计划的45%。", 45).kind == "achievement"


def test_it_ignores_rankings_and_the_thresholds_of_rules():
    assert extract("增速居全省第二位，排名全市第3位。") == []
    assert extract("进度落后12个百分点的予以通报。") == []
    assert extract("进度落后序时进度20个百分点以上的，予以约谈。") == []


def test_it_keeps_a_unitless_ratio_and_folds_wan_into_a_count():
    ratio = one("城乡居民收入比缩小到1.86。", 1.86)
    assert (ratio.name, ratio.unit) == ("城乡居民收入比", "")
    jobs = one("●城镇新增就业：1.2万名。", 1.2)
    assert (jobs.name, jobs.unit, jobs.base_value) == ("城镇新增就业", "万名", 12000)


def test_it_drops_the_place_that_achieved_a_figure_from_its_name():
    found = extract("前三季度，东湖区实现地区生产总值88.2亿元，同比增长5.6%。")
    assert [i.name for i in found] == ["地区生产总值", "地区生产总值增长"]
