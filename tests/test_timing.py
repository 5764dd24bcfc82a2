"""One truth of time: timing_of (Python, from step history) and annotate_timing (SQL)."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest

from taizhang.assessment.bulletin import overdue_items
from taizhang.core.calendar import do_save_holiday_notice, get_calendar
from taizhang.core.models import CalendarYear, Workday
from taizhang.lib.lights import Light
from taizhang.matters import services
from taizhang.matters.models import Matter, Status
from taizhang.matters.timing import annotate_timing, timing_of
from tests.enterprise_fixtures import accept_and_assign, new_problem
from tests.lib.test_holiday_notice import NOTICE_2027
from tests.task_fixtures import frozen

D = dt.date


def _report(ew, m: Matter, who: str, day: date) -> Matter:
    services.do_finish(ew.scope(who), m, note="已办结", expected_version=m.version, date=day)
    m.refresh_from_db()
    return m


def _problem(ew, title: str, day: date, **kw) -> Matter:
    m = new_problem(
        ew, "ent_a", ew.w.enterprise_a, title, raised_on=day, category=kw.pop("cat", None)
    )
    return accept_and_assign(ew, m, "sup_a", ew.w.unit_a, day=day, **kw)


def _fallback_problem(ew) -> Matter:
    """A complex problem (30 working days) assigned on 2026-12-28: its deadline lies in 2027."""
    with frozen(D(2026, 12, 28)):
        return _problem(ew, "跨年融资难", D(2026, 12, 28), cat=ew.complex)


def test_it_is_red_as_of_2022_08_31_for_a_matter_closed_in_2023_and_not_red_today(eworld):
    ew = eworld
    m = ew.problem_a  # assigned 2022-03-01, deadline 2022-03-10
    m = _report(ew, m, "unit_a", D(2023, 2, 1))
    services.do_rate(
        ew.scope("ent_a"), m, rating="satisfied", expected_version=m.version, date=D(2023, 2, 3)
    )
    m.refresh_from_db()
    services.do_close(ew.scope("sup_a"), m, expected_version=m.version, date=D(2023, 2, 6))
    m.refresh_from_db()

    then = timing_of(m, D(2022, 8, 31))
    assert then.light == Light.RED and then.finished_on is None
    assert then.status_then == Status.ASSIGNED and then.deadline == D(2022, 3, 10)
    late = get_calendar().workdays_between(D(2022, 3, 10), D(2022, 8, 31)).days
    assert then.late_workdays == late and then.reason == f"已逾期{late}个工作日"

    now = timing_of(m)
    assert now.light == Light.GREEN and now.reason == "逾期完成"
    assert now.finished_on == D(2023, 2, 1) and now.status_then == Status.CLOSED
    assert now.late_workdays == get_calendar().workdays_between(D(2022, 3, 10), D(2023, 2, 1)).days
    row = annotate_timing(Matter.objects.filter(pk=m.pk)).get()
    assert (row.light, row.late_workdays) == ("green", now.late_workdays)

    # The bulletin lists it as overdue at the 2022 cut-off, by its kind, and not in 2023.
    items = overdue_items(ew.scope("sup_a"), ew.w.a, D(2022, 8, 31))
    mine = [o for o in items if "招工难" in o.title]
    assert [(o.kind, o.days) for o in mine] == [("企业问题", late)]
    assert not [
        o for o in overdue_items(ew.scope("sup_a"), ew.w.a, D(2023, 6, 30)) if "招工难" in o.title
    ]


def _cases(ew) -> list[Matter]:
    day = D(2022, 3, 1)
    early = _report(ew, _problem(ew, "按期办结", day), "unit_a", D(2022, 3, 3))
    late = _report(ew, _problem(ew, "逾期办结", day), "unit_a", D(2022, 3, 15))
    ext = _problem(ew, "延期", day)
    services.do_request_extension(
        ew.scope("unit_a"), ext, deadline=D(2022, 3, 25), reason="需协调",
        expected_version=ext.version, date=D(2022, 3, 2),
    )  # fmt: skip
    ext.refresh_from_db()
    ext = services.do_approve_extension(
        ew.scope("sup_a"), ext, expected_version=ext.version, date=D(2022, 3, 3)
    ).matter
    returned = _report(ew, _problem(ew, "退回重办", day), "unit_a", D(2022, 3, 4))
    returned = services.do_send_back(
        ew.scope("sup_a"), returned, note="未解决", expected_version=returned.version,
        date=D(2022, 3, 7),
    ).matter  # fmt: skip
    day_off = _problem(ew, "周六到期", day, deadline=D(2022, 3, 12))
    waiting = new_problem(ew, "ent_a", ew.w.enterprise_a, "待受理", raised_on=day)
    return [ew.problem_a, early, late, ext, returned, day_off, waiting, _fallback_problem(ew)]


AS_OF = [
    D(2022, 3, 8), D(2022, 3, 10), D(2022, 3, 11), D(2022, 3, 12), D(2022, 3, 16),
    D(2022, 3, 16), D(2022, 3, 21), D(2022, 3, 28), D(2022, 12, 30), D(2026, 12, 28),
    D(2026, 12, 31), D(2027, 1, 4), D(2027, 2, 9), D(2027, 2, 11), D(2027, 2, 12),
    D(2027, 3, 15),
]  # fmt: skip


def test_it_computes_the_same_timing_in_sql_and_python(eworld):
    matters = _cases(eworld)
    last_step = {m.pk: max([s.date for s in m.steps.all()] or [m.raised_on]) for m in matters}
    seen: set[tuple[str | None, bool]] = set()
    for as_of in AS_OF:
        rows = {
            r.pk: r
            for r in annotate_timing(Matter.objects.filter(pk__in=[m.pk for m in matters]), as_of)
        }
        for m in matters:
            if last_step[m.pk] > as_of:
                continue  # SQL reads today's columns: it is the rule from the last step on
            t = timing_of(m, as_of)
            r = rows[m.pk]
            got = (r.light, r.late_workdays, r.deadline_as_of)
            want = (t.light.value if t.light else None, t.late_workdays, t.deadline)
            assert got == want, (m.title, as_of, got, want)
            seen.add((want[0], t.finished_on is not None))
    # The table covers every light, open and finished, and the no-deadline case.
    assert {
        ("red", False),
        ("yellow", False),
        ("green", False),
        ("green", True),
        (None, False),
    } <= seen


def test_it_filters_and_sorts_the_problem_list_by_light_in_the_database(eworld):
    from taizhang.matters.queries import ProblemFilter, filter_problems, page_lights, with_lights

    matters = _cases(eworld)
    scope = eworld.scope("sup_a")
    with frozen(D(2022, 3, 16)):
        red = with_lights(
            filter_problems(scope, ProblemFilter(light="red")),
            ProblemFilter(light="red"),
            D(2022, 3, 16),
        )
        titles = {m.title for m in red}
        assert titles == {"招工难", "用地手续慢", "周六到期"}
        f = ProblemFilter(sort="light")
        ranked = list(with_lights(filter_problems(scope, f), f, D(2022, 3, 16)))
        assert [m.light for m in ranked][:2] == ["red", "red"] and ranked[-1].light is None
        shown = page_lights(ranked[:3], D(2022, 3, 16))
        assert [light.light.value for _, light in shown[:2]] == ["red", "red"]
    assert len(matters) == 8


def test_it_counts_a_deadline_across_2027_new_year_and_spring_festival_as_unconfirmed(eworld):
    m = _fallback_problem(eworld)
    # 30 working days from 2026-12-28 skip 元旦 2027-01-01 and 春节 (Fri 02-05, Mon 02-08).
    assert m.deadline == D(2027, 2, 11)
    t = timing_of(m, D(2026, 12, 28))
    assert t.light == Light.GREEN and not t.confirmed and t.unconfirmed_year == 2027
    assert t.unconfirmed_note == "2027年放假安排尚未公布，按法定节假日推算"
    late = timing_of(m, D(2027, 2, 12))
    assert late.light == Light.RED and late.late_workdays == 1 and not late.result.confirmed


def test_it_confirms_2027_and_follows_the_notice_once_it_is_pasted(eworld):
    m = _fallback_problem(eworld)
    assert Workday.objects.get(date=D(2027, 2, 9)).is_workday
    assert not Workday.objects.get(date=D(2027, 2, 9)).confirmed
    do_save_holiday_notice(eworld.scope("sup_a"), NOTICE_2027)
    assert CalendarYear.objects.get(year=2027).confirmed_by_notice
    t = timing_of(m, D(2026, 12, 28))
    assert t.confirmed and t.unconfirmed_year is None
    cal = get_calendar()
    # The notice: 春节 02-05..02-12 off, Sunday 02-14 worked.
    assert cal.add_workdays(D(2026, 12, 28), 30).date == D(2027, 2, 16)
    assert not Workday.objects.get(date=D(2027, 2, 9)).is_workday
    assert Workday.objects.get(date=D(2027, 2, 14)).is_workday
    assert Workday.objects.get(date=D(2027, 2, 14)).confirmed
    # A matter assigned now gets the notice's deadline; lateness counts the notice's days.
    with frozen(D(2026, 12, 28)):
        again = _problem(eworld, "通知后交办", D(2026, 12, 28), cat=eworld.complex)
    assert again.deadline == D(2027, 2, 16)
    assert timing_of(again, D(2027, 2, 17)).late_workdays == 1
    row = annotate_timing(Matter.objects.filter(pk=again.pk), D(2027, 2, 17)).get()
    assert row.late_workdays == 1 and row.light == "red"


def _check_table(lo: date, hi: date) -> None:
    cal = get_calendar()
    ords = dict(Workday.objects.filter(date__range=(lo, hi)).values_list("date", "ordinal"))
    days = sorted(ords)
    assert len(days) == (hi - lo).days + 1
    for a in days:
        for b in days:
            assert ords[b] - ords[a] == cal.workdays_between(a, b).days, (a, b)


@pytest.mark.django_db
def test_it_fills_the_workday_table_so_ordinals_count_working_days():
    # Every pair of days from December 2026 (library) into February 2027 (fallback).
    _check_table(D(2026, 12, 1), D(2027, 2, 28))
    cal = get_calendar()
    first = Workday.objects.order_by("date").first()
    assert first.date == D(2000, 1, 1)
    # Spot checks across the whole table: ordinal = working days from the epoch.
    for d in (D(2003, 12, 31), D(2004, 1, 1), D(2019, 10, 8), D(2026, 12, 31), D(2028, 12, 31)):
        row = Workday.objects.get(date=d)
        assert row.ordinal == cal.workdays_between(D(1999, 12, 31), d).days
        assert row.is_workday == cal.is_workday(d)
        assert row.confirmed == cal.is_confirmed(d)


@pytest.mark.django_db
def test_it_refills_the_table_when_an_override_changes():
    from taizhang.core.models import CalendarOverride

    CalendarOverride.objects.create(date=D(2026, 12, 30), is_workday=False, note="本地放假")
    assert not Workday.objects.get(date=D(2026, 12, 30)).is_workday
    _check_table(D(2026, 12, 20), D(2027, 1, 10))
    CalendarOverride.objects.filter(date=D(2026, 12, 30)).delete()
    assert Workday.objects.get(date=D(2026, 12, 30)).is_workday
    _check_table(D(2026, 12, 20), D(2027, 1, 10))


def test_it_computes_python_timings_only_for_the_rows_on_the_page(eworld, client):
    from unittest import mock

    from taizhang.matters import timing
    from taizhang.matters.models import Kind

    w = eworld.w
    Matter.objects.bulk_create(
        Matter(
            kind=Kind.ENTERPRISE_PROBLEM,
            division=w.a,
            enterprise=w.enterprise_a,
            title=f"批量问题{i}",
            raised_on=D(2022, 2, 1),
            status=Status.ASSIGNED,
            lead_unit=w.unit_a,
            assigned_on=D(2022, 2, 1),
            deadline=D(2022, 2, 10) + dt.timedelta(days=i),
        )
        for i in range(70)
    )
    client.force_login(w.users["sup_a"])
    with mock.patch.object(timing, "_timing", wraps=timing._timing) as computed:
        r = client.get("/problems/", {"light": "red", "sort": "light"})
    assert r.status_code == 200
    assert computed.call_count == 30  # one page, not the 72 red rows
    assert r.context["page"].paginator.count == 72  # counted by the database
    assert r.context["total"] == "72"  # printed exactly below the 10,000 cap


@pytest.mark.django_db
def test_it_refills_both_years_when_an_override_moves():
    from taizhang.core.models import CalendarOverride

    o = CalendarOverride.objects.create(date=D(2026, 6, 1), is_workday=False, note="本地放假")
    assert not Workday.objects.get(date=D(2026, 6, 1)).is_workday
    o.date = D(2027, 1, 5)  # moved to a later year: the earlier one is rewritten too
    o.save()
    assert Workday.objects.get(date=D(2026, 6, 1)).is_workday
    assert not Workday.objects.get(date=D(2027, 1, 5)).is_workday
    _check_table(D(2026, 5, 25), D(2026, 6, 10))


def test_it_sorts_the_api_problem_list_by_light(eworld, client):
    _cases(eworld)
    client.force_login(eworld.w.users["sup_a"])
    with frozen(D(2022, 3, 16)):
        r = client.get("/api/v1/problems", {"sort": "light", "limit": 100})
    assert r.status_code == 200
    lights = [p["light"] for p in r.json()["items"]]
    rank = {"red": 0, "yellow": 1, "green": 2, None: 3}
    assert lights == sorted(lights, key=rank.__getitem__) and lights[0] == "red"
    assert r.json()["count"] == len(lights)
