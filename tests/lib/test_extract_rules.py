"""Rule-by-rule tests of `extract()` on short hand-written sentences."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from taizhang.lib.extract import Indicator, extract


def one(text: str, year: int | None = None) -> Indicator:
    found = extract(text, year)
    assert len(found) == 1, [(i.name, i.value, i.unit) for i in found]
    return found[0]


def span(text: str, ind: Indicator) -> str:
    return text[ind.start : ind.end]


# --- numerals -------------------------------------------------------------


def test_chinese_numeral_with_comparator_and_target_cue() -> None:
    text = "力争全年城镇新增就业三千四百人以上。"
    ind = one(text)
    assert (ind.name, ind.value, ind.unit, ind.comparator) == ("城镇新增就业", 3400, "人", ">=")
    assert ind.kind == "target"
    assert span(text, ind) == "三千四百"


def test_chinese_percentage_span_is_numeric_part() -> None:
    text = "居民人均可支配收入增长百分之六点七。"
    ind = one(text)
    assert ind.value == 6.7 and ind.unit == "%" and ind.base_value == 6.7
    assert "居民人均可支配收入" in ind.name
    assert span(text, ind) == "六点七"


def test_arabic_money_scales_to_base_unit() -> None:
    text = "一般公共预算收入完成3.7亿元。"
    ind = one(text)
    assert (ind.name, ind.value, ind.unit) == ("一般公共预算收入", 3.7, "亿元")
    assert ind.base_value == 370000000 and isinstance(ind.base_value, int)
    assert span(text, ind) == "3.7"


def test_chinese_multiplier_moves_into_unit() -> None:
    text = "今年帮助农民工返乡就业两万人。"
    ind = one(text)
    assert (ind.value, ind.unit, ind.base_value) == (2, "万人", 20000)
    assert span(text, ind) == "两"


def test_chinese_count_before_noun() -> None:
    text = "建成十二个社区服务中心。"
    ind = one(text)
    assert (ind.value, ind.unit) == (12, "个")
    assert "社区服务中心" in ind.name


def test_full_width_digits_and_percent() -> None:
    text = "城镇新增就业３７６０人，失业率控制在５．５％以内。"
    a, b = extract(text)
    assert (a.value, a.unit, span(text, a)) == (3760, "人", "３７６０")
    assert (b.value, b.unit, b.comparator, span(text, b)) == (5.5, "%", "<=", "５．５")


def test_area_and_integral_values_are_ints() -> None:
    ind = one("建成标准化厂房31万平方米。")
    assert ind.value == 31 and isinstance(ind.value, int)
    assert (ind.unit, ind.base_value) == ("万平方米", 310000)


def test_thousands_separator() -> None:
    text = "采用线上方式解决用工1,288人。"
    ind = one(text)
    assert ind.value == 1288 and span(text, ind) == "1,288"


# --- ranges ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["GDP增长6%-6.5%。", "GDP增长6%—6.5%。", "GDP增长6-6.5%。"])
def test_percent_range_gives_lower_and_upper(text: str) -> None:
    low, high = extract(text)
    assert (low.value, low.comparator, low.unit) == (6, ">=", "%")
    assert (high.value, high.comparator, high.unit) == (6.5, "<=", "%")
    assert low.name == high.name == "GDP增长"
    assert span(text, low) == "6" and span(text, high) == "6.5"


def test_working_day_range() -> None:
    low, high = extract("缩短审批时间5至10个工作日。")
    assert (low.value, low.comparator, high.value, high.comparator) == (5, ">=", 10, "<=")
    assert low.unit == high.unit == "个工作日"


# --- comparators ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "comparator"),
    [
        ("高新技术企业20家以上。", ">="),
        ("研发投入不低于3亿元。", ">="),
        ("新增就业不少于500人。", ">="),
        ("至少建成5个示范村。", ">="),
        ("审批时限压缩在10个工作日以内。", "<="),
        ("单位能耗下降2%以下。", "<="),
        ("财政支出不超过8亿元。", "<="),
        ("失业率控制在5.5%。", "<="),
        ("负债率低于60%。", "<="),
        ("营业收入突破100亿元。", ">"),
        ("利润超过20亿元。", ">"),
        ("出口额超5亿元。", ">"),
        ("地区生产总值增长6%左右。", "≈"),
        ("办理留抵退税约1.65亿元。", "≈"),
        ("惠及群众近5000人。", "≈"),
        ("走访企业1100余次。", "≈"),
        ("发放奖补资金1000多万元。", "≈"),
        ("纳税企业达到14户。", "="),
        ("完成投资34.7亿元。", "="),
        ("实现营业收入12亿元。", "="),
        ("新签约项目42个。", "="),
    ],
)
def test_comparators(text: str, comparator: str) -> None:
    assert one(text).comparator == comparator


def test_fenbie_assigns_listed_subjects() -> None:
    a, b = extract("规上工业增加值、固定资产投资分别增长5%、7.6%。")
    assert (a.name, a.value) == ("规上工业增加值增长", 5)
    assert (b.name, b.value) == ("固定资产投资增长", 7.6)


def test_shared_value_for_listed_rates() -> None:
    ind = one("办理人大代表建议96件、政协提案132件，办结率、满意率100%。".split("，")[1])
    assert "办结率" in ind.name and "满意率" in ind.name and ind.value == 100


# --- names ----------------------------------------------------------------


def test_size_class_qualifier_is_not_a_value() -> None:
    ind = one("新签约亿元以上项目26个以上。")
    assert (ind.name, ind.value, ind.unit, ind.comparator) == ("新签约亿元以上项目", 26, "个", ">=")
    only = one("千万元以上纳税企业达到14户。")
    assert (only.name, only.value, only.unit) == ("千万元以上纳税企业", 14, "户")


def test_count_and_investment_in_one_clause() -> None:
    count, invest = extract("全年新开工项目8个，12个省市重点项目完成投资60亿元以上。")[1:]
    assert (count.name, count.value, count.unit, count.comparator) == (
        "省市重点项目",
        12,
        "个",
        "=",
    )
    assert invest.name == "省市重点项目完成投资"
    assert (invest.value, invest.unit, invest.base_value, invest.comparator) == (
        60,
        "亿元",
        6000000000,
        ">=",
    )


def test_noun_after_count_is_used_when_verb_precedes() -> None:
    found = extract("先后改造64个老旧小区，72条背街小巷。")
    assert [(i.name, i.value) for i in found] == [("老旧小区", 64), ("背街小巷", 72)]


def test_change_clause_borrows_previous_subject() -> None:
    found = extract("规模以上工业增加值增速逐月回升，较年初提高了3.2个百分点。")
    assert found[0].name == "规模以上工业增加值增速提高"
    assert found[0].unit == "个百分点"


def test_share_of_previous_value() -> None:
    found = extract("重点项目完成投资34.7亿元、占年度投资计划的121.3%。")
    assert found[1].name == "重点项目完成投资占年度投资计划"
    assert found[1].kind == "achievement"


# --- things that are not quantities ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "PM2.5浓度下降。",
        "PM10和PM₁₀均达标。",
        "创建4A级景区。",
        "汤河水质优于地表IV类水标准，空气质量二级。",
        "落实“1+8+N”机制。",
        "创新“52311”行政调解机制，以“12361”总体布局为主线。",
        "围绕“2+4”产业布局，构建“5+1”体系，奋力建设“六个之城”。",
        "2月7日、8日召开第十二届人民代表大会第四次会议。",
        "2023年工作回顾。1至8月份情况良好。",
        "贯彻省委十一届六次全会精神。",
        "抓好八个方面工作，狠抓两件大事，推进“三个一批”，打造三家村。",
        "一是培育创新主体。二是建设创新平台。",
        "实现一件事一次办，与干部一起推动投产一批。",
        "“十四五”规划开局。",
        "全面建成15分钟养老服务圈。",
        "需要去1公里外的公园。",
        "实施五大攻坚行动和十大工程。",
    ],
)
def test_not_quantities(text: str) -> None:
    assert extract(text) == []


def test_pollutant_number_is_skipped_but_its_value_kept() -> None:
    ind = one("PM10平均浓度下降8微克/立方米。")
    assert (ind.value, ind.unit) == (8, "微克/立方米")


# --- kind and period --------------------------------------------------------

MINI_REPORT = (
    "某区2024年政府工作报告\n\n"
    "2023年工作回顾\n\n"
    "全年完成地区生产总值100亿元，去年新增就业2000人。项目全部建成后，预计年产值15亿元。\n\n"
    "2024年工作安排\n\n"
    "全年城镇新增就业3000人以上。到2026年，培育规上企业50家。\n"
)


def test_sections_decide_kind_and_period() -> None:
    by_value = {i.value: i for i in extract(MINI_REPORT)}
    assert (by_value[100].kind, by_value[100].period) == ("achievement", 2023)
    assert (by_value[2000].kind, by_value[2000].period) == ("achievement", 2023)
    assert (by_value[15].kind, by_value[15].period) == ("target", None)
    assert (by_value[3000].kind, by_value[3000].period) == ("target", 2024)
    assert (by_value[50].kind, by_value[50].period) == ("target", 2026)


def test_year_parameter_overrides_target_year() -> None:
    by_value = {i.value: i for i in extract(MINI_REPORT, year=2025)}
    assert by_value[3000].period == 2025
    assert by_value[100].period == 2023  # the review heading names its own year


def test_news_forecast_and_plan_are_targets() -> None:
    text = (
        "该区谋划投资61亿元的二期项目，预计年产值80亿元。"
        "其中年产4万吨切片项目计划年内开工建设。"
        "目前已完成投资2.2亿元，占年度投资计划的11%。"
    )
    kinds = {i.value: i.kind for i in extract(text, year=2022)}
    assert kinds[80] == "target" and kinds[4] == "target" and kinds[61] == "target"
    assert kinds[2.2] == "achievement" and kinds[11] == "achievement"


def test_news_periods_from_time_words() -> None:
    text = "2021年完成固定资产投资27.7亿元。去年新增就业500人。今年新增就业600人。"
    periods = {i.value: i.period for i in extract(text, year=2022)}
    assert periods == {27.7: 2021, 500: 2021, 600: 2022}
    assert {i.period for i in extract("今年新增就业600人。")} == {None}


# --- markup noise and offsets ------------------------------------------------


def test_bold_markers_and_offsets() -> None:
    text = "全年**城镇新增就业**3760人以上。"
    ind = one(text)
    assert ind.name == "城镇新增就业" and span(text, ind) == "3760"
    assert "**" not in ind.sentence


def test_wrapped_line_is_joined_and_offsets_point_to_original() -> None:
    text = "今年以来，全区规模以上工业增加值同比增\n\n长6.5%，固定资产投资增长8%。"
    a, b = extract(text)
    assert a.name == "规模以上工业增加值增长" and span(text, a) == "6.5"
    assert "\n" not in a.sentence
    assert b.name == "固定资产投资增长" and span(text, b) == "8"


def test_heading_line_is_not_joined() -> None:
    text = "2023年工作回顾\n全年完成地区生产总值100亿元。"
    ind = one(text)
    assert ind.name == "地区生产总值"


# --- output shape -----------------------------------------------------------


def test_to_dict_fields_and_json() -> None:
    ind = one("全年城镇新增就业3760人以上。", year=2024)
    d = ind.to_dict()
    assert list(d) == [f.name for f in fields(Indicator)]
    assert list(d) == [
        "name", "value", "unit", "base_value", "comparator", "kind", "period", "sentence",
        "start", "end",
    ]  # fmt: skip
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert d["period"] == 2024 and d["sentence"] == "全年城镇新增就业3760人以上。"


@pytest.mark.parametrize("bad", ["", None, 42, b"3760\xe4\xba\xba"])
def test_non_text_input_gives_empty_list(bad: object) -> None:
    assert extract(bad) == []  # type: ignore[arg-type]


# --- outline ----------------------------------------------------------------

OUTLINE_REPORT = (
    "一、2023年工作回顾\n\n"
    "（一）产业发展提质增效。一是回顾事项。\n\n"
    "二、2024年重点工作\n\n"
    "（一）坚定不移抓产业。全年实施项目120个。\n\n"
    "（二）用心用情惠民生\n\n"
    "一是办好民生实事。新建学校3所；二是稳定就业，新增就业1000人。\n\n"
    "三、加强政府自身建设\n\n"
    "（一）坚定政治信仰。\n"
)


def test_outline_full_width_headings_and_items() -> None:
    from taizhang.lib.extract import parse_outline

    tasks = parse_outline(OUTLINE_REPORT)
    assert [(t.level, t.heading, t.title) for t in tasks] == [
        (1, "坚定不移抓产业", "坚定不移抓产业"),
        (1, "用心用情惠民生", "用心用情惠民生"),
        (2, "用心用情惠民生", "办好民生实事"),
        (2, "用心用情惠民生", "稳定就业，新增就业1000人"),
    ]
    first = tasks[0]
    assert first.sentence == "坚定不移抓产业。全年实施项目120个。"
    assert OUTLINE_REPORT[first.start : first.end] == "（一）坚定不移抓产业。"
    item = tasks[2]
    assert OUTLINE_REPORT[item.start : item.end].startswith("一是办好民生实事。")
    assert item.sentence == "一是办好民生实事。新建学校3所；"


def test_outline_without_structure_is_empty() -> None:
    from taizhang.lib.extract import parse_outline

    assert parse_outline("今年新增就业600人。项目进展顺利。") == []
    assert parse_outline("2023年工作回顾\n\n（一）产业发展。一是回顾。\n") == []
    assert parse_outline("") == []


def test_it_reads_bounds_as_targets_in_text_without_headings():
    from taizhang.lib.extract import extract

    (one,) = extract("2024年全年城镇新增就业3760人以上。")
    assert (one.kind, one.period, one.comparator) == ("target", 2024, ">=")
    gdp, jobs = extract("今年全区地区生产总值增长7%左右，城镇新增就业3500人以上。", year=2025)
    assert gdp.kind == jobs.kind == "target" and gdp.period == 2025


def test_it_keeps_reported_results_with_bounds_as_achievements():
    from taizhang.lib.extract import extract

    done, growth = extract("1至8月份完成投资123.3亿元，增长10%以上。")
    assert done.kind == growth.kind == "achievement"
    visits, signed = extract("今年以来，走访企业1100余次，新签约亿元以上项目26个。")
    assert visits.kind == signed.kind == "achievement"
    (last,) = extract("去年城镇新增就业3600人以上。")
    assert last.kind == "achievement"


def test_it_names_an_amount_after_the_projects_just_counted():
    from taizhang.lib.extract import extract

    count, amount = extract("新签约项目42个、总投资261.2亿元。")
    assert amount.name == "新签约项目总投资" and amount.unit == "亿元"
    count, amount = extract("全年实施省市重点项目25个，完成投资80亿元以上。")
    assert amount.name == "省市重点项目完成投资" and amount.comparator == ">="


def test_it_reads_pollutant_concentration_targets_but_not_the_pollutant_name():
    from taizhang.lib.extract import extract

    (one,) = extract("2025年主要预期目标：PM2.5平均浓度控制在每立方米40微克以下。")
    assert (one.name, one.value, one.unit, one.comparator) == ("PM2.5平均浓度", 40, "微克", "<=")
