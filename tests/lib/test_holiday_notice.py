from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from taizhang.lib.holiday_notice import NoticeError, parse_notice

NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
国办发明电〔2024〕12号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
根据国务院关于修改《全国年节及纪念日放假办法》的决定，经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。

节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2024年11月12日
"""

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
国办发明电〔2025〕7号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。

节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
"""

# Made up, but shaped like the real ones (2027-01-01 is a Friday, 春节 2027-02-06).
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。2月14日（周日）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天。
六、中秋节：9月15日（周三）放假1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


def _check_against_library(year: int, text: str) -> None:
    notice = parse_notice(text)
    assert notice.year == year
    d = date(year, 1, 1)
    while d.year == year:
        expected = chinese_calendar.is_workday(d)
        if d in notice.workdays:
            assert expected, d
        elif d in notice.days_off:
            assert not expected, d
        else:
            # Outside the notice, the plain week rules.
            assert expected == (d.weekday() < 5), d
        d += timedelta(days=1)


def test_it_parses_the_real_2025_notice_like_the_library():
    _check_against_library(2025, NOTICE_2025)
    n = parse_notice(NOTICE_2025)
    assert len(n.items) == 6
    assert n.workdays == {
        date(2025, 1, 26): "春节",
        date(2025, 2, 8): "春节",
        date(2025, 4, 27): "劳动节",
        date(2025, 9, 28): "国庆节、中秋节",
        date(2025, 10, 11): "国庆节、中秋节",
    }
    assert n.days_off[date(2025, 1, 1)] == "元旦"
    assert len([d for d, name in n.days_off.items() if name == "春节"]) == 8


def test_it_parses_the_real_2026_notice_like_the_library():
    _check_against_library(2026, NOTICE_2026)
    n = parse_notice(NOTICE_2026)
    assert [it.name for it in n.items][:2] == ["元旦", "春节"]
    assert sum(1 for r in n.rows() if r[1] == "上班") == 6


def test_it_parses_a_notice_without_title_when_the_year_is_given():
    body = NOTICE_2027.split("\n", 1)[1]
    n = parse_notice(body, 2027)
    assert date(2027, 2, 5) in n.days_off
    assert n.overrides()[date(2027, 2, 14)] is True
    with pytest.raises(NoticeError, match="未能识别年份"):
        parse_notice(body)


def test_it_reads_dates_written_with_their_own_year():
    text = "一、元旦：2022年12月31日（周六）至2023年1月2日（周一）放假调休，共3天。"
    n = parse_notice(text, 2023)
    assert sorted(n.days_off) == [date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2)]


@pytest.mark.parametrize(
    ("text", "year", "message"),
    [
        ("", None, "请粘贴"),
        ("随便写点什么", 2027, "未识别到放假安排条目"),
        (NOTICE_2026, 2027, "不一致"),
        ("一、元旦：1月1日（周四）放假。", 2027, "是周五"),
        ("一、春节：2月5日（周五）至12日（周五）放假调休，共9天。", 2027, "共9天"),
        ("一、元旦：1月1日（周五）至3日（周日）放假。1月3日（周日）上班。", 2027, "既放假又上班"),
        ("一、元旦：2月30日放假。", 2027, "不存在"),
        ("一、元旦：上班。", 2027, "未找到"),
        ("一、元旦：3日放假。", 2027, "没有月份"),
    ],
)
def test_it_refuses_bad_text_with_a_chinese_message(text, year, message):
    with pytest.raises(NoticeError, match=message):
        parse_notice(text, year)
