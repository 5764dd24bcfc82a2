"""The 工作日历 page: paste the State Council notice, preview, save; and the 未确认 mark."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from taizhang.core.models import AuditEntry, CalendarOverride, CalendarYear
from tests import task_fixtures
from tests.lib.test_holiday_notice import NOTICE_2027
from tests.streams import streamed
from tests.test_timing import _fallback_problem

tworld = task_fixtures.tworld  # the fixture, used by name below
URL = "/calendar/"
NOTE = "2027年放假安排尚未公布，按法定节假日推算"


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


@pytest.mark.parametrize(("who", "status"), [("sup_a", 200), ("admin", 200)])
def test_it_opens_the_calendar_page_for_the_office(world, who, status):
    r = login(world, who).get(URL)
    assert r.status_code == status
    html = r.content.decode()
    assert 'data-year="2027"' in html and NOTE in html


@pytest.mark.parametrize("who", ["unit_a", "leader_a", "cadre_a", "ent_a", "nobody"])
def test_it_refuses_the_calendar_page_to_everyone_else(world, who):
    c = login(world, who)
    assert c.get(URL).status_code == 403
    assert c.post(URL, {"text": NOTICE_2027, "action": "save"}).status_code == 403
    assert not CalendarYear.objects.exists()


def test_it_sends_anonymous_users_to_log_in(world):
    r = Client().get(URL)
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_it_previews_without_saving(world):
    r = login(world, "sup_a").post(URL, {"text": NOTICE_2027, "action": "preview"})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-table="preview"' in html
    assert "2027-02-14" in html and "上班" in html and "2027-02-12" in html
    assert not CalendarOverride.objects.exists() and not CalendarYear.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "随便写点什么", "year": "2027"}, "未识别到放假安排条目"),
        ({"text": NOTICE_2027, "year": "2026"}, "不一致"),
        ({"text": NOTICE_2027, "year": "二〇二七"}, "年份应为2000至2100之间的四位数字"),
        ({"text": NOTICE_2027, "year": "99999999999999999999"}, "年份应为2000至2100之间的四位数字"),
        ({"text": "一、元旦：1月1日（周四）放假。", "year": "2027"}, "是周五"),
        ({"text": ""}, "请粘贴通知全文"),
    ],
)
@pytest.mark.parametrize("action", ["preview", "save"])
def test_it_answers_bad_notice_text_in_chinese(world, data, message, action):
    r = login(world, "sup_a").post(URL, {**data, "action": action})
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not CalendarOverride.objects.exists() and not CalendarYear.objects.exists()


def test_it_saves_the_notice_and_drops_the_unconfirmed_mark(eworld):
    m = _fallback_problem(eworld)
    c = login(eworld.w, "sup_a")
    listing = c.get("/problems/").content.decode()
    assert "未确认" in listing and NOTE in listing
    detail = c.get(f"/problems/{m.pk}/").content.decode()
    assert "未确认" in detail and NOTE in detail

    r = c.post(URL, {"text": NOTICE_2027, "action": "save"})
    assert r.status_code == 302
    cy = CalendarYear.objects.get(year=2027)
    assert cy.confirmed_by_notice and cy.saved_by == eworld.users["sup_a"]
    # 28 days off (3+8+3+5+1+1+7) and 5 make-up working days.
    assert CalendarOverride.objects.filter(date__year=2027).count() == 33
    assert CalendarOverride.objects.get(date=dt.date(2027, 2, 14)).is_workday
    entry = AuditEntry.objects.get(verb="录入2027年放假安排")
    assert "2027-02-14" in str(entry.changes)

    page = c.get(URL).content.decode()
    assert "已录入国务院放假通知" in page
    assert NOTE not in c.get("/problems/").content.decode()
    assert NOTE not in c.get(f"/problems/{m.pk}/").content.decode()

    # Entering it again replaces the notice's days (one day fewer off now).
    again = NOTICE_2027.replace("六、中秋节：9月15日（周三）放假1天。\n", "")
    assert c.post(URL, {"text": again, "action": "save"}).status_code == 302
    assert not CalendarOverride.objects.filter(date=dt.date(2027, 9, 15)).exists()
    assert CalendarOverride.objects.filter(date__year=2027).count() == 32


def test_it_marks_task_deadlines_and_my_work_in_2027_as_unconfirmed(tworld):
    from taizhang.tasks import services as task_services
    from tests.task_fixtures import frozen

    w = tworld.w
    with frozen(dt.date(2026, 12, 28)):
        task = task_services.do_create_task(
            w.scope("sup_a"),
            {
                "title": "春节前完成欠薪清零",
                "year": 2027,
                "lead_unit": tworld.unit_rs,
                "deadline": dt.date(2027, 2, 10),
                "raised_on": dt.date(2026, 12, 28),
            },
        )
    sup = login(w, "sup_a")
    for url in ("/tasks/", f"/tasks/{task.pk}/"):
        html = sup.get(url).content.decode()
        assert "未确认" in html and NOTE in html, url
    mine = login(w, "unit_rs").get("/my/").content.decode()
    assert "春节前完成欠薪清零" in mine and NOTE in mine


def _xlsx_text(content: bytes) -> str:
    import io

    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)


def test_it_notes_unconfirmed_deadlines_in_the_list_exports(eworld):
    _fallback_problem(eworld)
    c = login(eworld.w, "sup_a")
    assert NOTE in _xlsx_text(streamed(c.get("/problems/export.xlsx")))
    mine = _xlsx_text(streamed(login(eworld.w, "unit_a").get("/my/export.xlsx")))
    assert "跨年融资难" in mine and NOTE in mine
    c.post(URL, {"text": NOTICE_2027, "action": "save"})
    assert NOTE not in _xlsx_text(streamed(c.get("/problems/export.xlsx")))
