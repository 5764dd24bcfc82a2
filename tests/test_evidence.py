"""Evidence packs (问责佐证材料包): the whole chain of an overdue matter in one .docx (issue 15)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from docx import Document

from taizhang.attachments.services import do_attach
from taizhang.core.calendar import get_calendar
from taizhang.core.models import AuditEntry
from taizhang.evidence.pack import workday_arithmetic
from taizhang.matters import services
from taizhang.notify import services as notify
from taizhang.notify.models import Delivery
from tests.attachment_files import pdf
from tests.enterprise_fixtures import accept_and_assign, new_problem

D = dt.date


def text_of(body: bytes) -> list[str]:
    doc = Document(io.BytesIO(body))
    lines = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            lines.append(" | ".join(c.text for c in row.cells))
    return lines


def remind(day: str) -> None:
    call_command("remind", f"--today={day}", stdout=io.StringIO())


@pytest.fixture
def chain(eworld):
    """A problem assigned on 2022-09-28 with 5 working days across 国庆 (due 2022-10-10),
    reminded (yellow, red) through a WeCom robot, extended to 2022-10-20, with a file."""
    ew, w = eworld, eworld.w
    sup = w.scope("sup_a")
    m = new_problem(ew, "sup_a", w.enterprise_a, "厂房消防验收迟迟未办", raised_on=D(2022, 9, 26))
    m = accept_and_assign(ew, m, "sup_a", w.unit_a, day=D(2022, 9, 28), deadline=D(2022, 10, 10))
    notify.do_save_channel(
        sup,
        notify.ChannelInput(
            division=w.a,
            kind="wecom",
            name="督办工作群",
            url="http://127.0.0.1:9/cgi-bin/webhook/send?key=tok-wecom",
        ),
    )
    notify.do_save_preferences(w.users["unit_a"], notify.PreferenceInput(channels=["wecom"]))
    remind("2022-09-30")  # 3 working days left (10月8日、9日调休上班, 10日): yellow
    remind("2022-10-11")  # one working day late: red
    m.refresh_from_db()
    m = services.do_request_extension(
        w.scope("unit_a"),
        m,
        deadline=D(2022, 10, 20),
        reason="需等待消防部门现场复核",
        expected_version=m.version,
        date=D(2022, 10, 11),
    ).matter
    m = services.do_approve_extension(
        sup, m, note="同意，务必按期办结", expected_version=m.version, date=D(2022, 10, 12)
    ).matter
    do_attach(sup, m, [pdf("消防验收意见书.pdf")], user=w.users["sup_a"])
    return ew, m


def download(user, url: str):
    c = Client()
    c.force_login(user)
    return c.get(url)


def test_it_assembles_the_whole_chain_of_an_overdue_matter(chain):
    ew, m = chain
    assert Delivery.objects.filter(matter=m).exists()  # the robot was queued by `remind`
    r = download(ew.users["sup_a"], f"/matters/{m.pk}/evidence.docx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    lines = text_of(r.content)
    text = "\n".join(lines)
    # 交办: who, when, deadline and its working-day arithmetic across 国庆.
    assert any(
        line.startswith("2022-09-28 由") and "交办" in line and "办理时限 2022-10-10" in line
        for line in lines
    )
    assert (
        "交办 2022-09-28 + 5个工作日 = 2022-10-10"
        "（期间 10月1日—10月7日为节假日；10月8日、10月9日调休上班）" in lines
    )
    # Every reminder, and who was told on which channel.
    assert "2022-09-30 临期提醒，对应时限 2022-10-10，通知" in text
    assert "2022-10-11 逾期提醒，对应时限 2022-10-10，通知" in text
    assert any("企业微信群机器人「督办工作群」 群机器人：「【临期提醒】" in line for line in lines)
    assert any("企业微信群机器人「督办工作群」 群机器人：「【逾期提醒】" in line for line in lines)
    assert any("站内通知 unit_a（区发改委）：临期提醒" in line for line in lines)
    # The extension: request, decision and the days it added.
    assert any("延期申请" in line and "需等待消防部门现场复核" in line for line in lines)
    assert any("同意延期" in line and "同意，务必按期办结" in line for line in lines)
    assert any(
        line.startswith("原时限 2022-10-10 延至 2022-10-20，延长8个工作日") for line in lines
    )
    # The files: name, uploader, time.
    assert any(line.startswith("消防验收意见书.pdf |") and "sup_a" in line for line in lines)
    assert AuditEntry.objects.filter(
        verb="下载问责佐证材料包", object_id=str(m.pk), actor=ew.users["sup_a"]
    ).exists()


def test_it_gives_the_pack_to_the_office_only(chain):
    ew, m = chain
    for url in (f"/matters/{m.pk}/evidence.docx", f"/api/v1/matters/{m.pk}/evidence.docx"):
        assert download(ew.users["unit_a"], url).status_code == 403  # its own matter
        assert download(ew.users["unit_b"], url).status_code == 404  # another district's
    assert not AuditEntry.objects.filter(verb="下载问责佐证材料包").exists()


def test_it_packs_a_units_overdue_matters_of_a_period(chain):
    ew, m = chain
    unit = ew.w.unit_a
    url = f"/api/v1/units/{unit.pk}/evidence.docx?from=2022-10-01&to=2022-12-31"
    r = download(ew.users["sup_a"], url)
    assert r.status_code == 200
    text = "\n".join(text_of(r.content))
    assert "厂房消防验收迟迟未办" in text
    assert "区发改委在2022-10-01至2022-12-31期间到期未按时办结的事项共" in text
    # Another period has none of it.
    r = download(ew.users["sup_a"], url.replace("2022-10-01", "2022-11-01"))
    assert "厂房消防验收迟迟未办" not in "\n".join(text_of(r.content))
    # Unit staff cannot download the pack, not even their own unit's; another district's
    # staff do not find the unit.
    assert download(ew.users["unit_a"], url).status_code == 403
    assert download(ew.users["unit_b"], url).status_code == 404
    bad = download(
        ew.users["sup_a"], f"/units/{unit.pk}/evidence.docx?from=2022-12-01&to=2022-01-01"
    )
    assert bad.status_code == 400 and "起始日期不能晚于截止日期" in bad.content.decode()
    assert AuditEntry.objects.filter(verb="下载问责佐证材料包", object_id=str(unit.pk)).count() == 2


def test_it_lists_each_units_overdue_matters_on_the_office_page(chain):
    ew, m = chain
    r = download(ew.users["sup_a"], "/evidence/?from=2022-10-01&to=2022-12-31")
    html = r.content.decode()
    assert r.status_code == 200 and "区发改委" in html
    assert f"/units/{ew.w.unit_a.pk}/evidence.docx?from=2022-10-01&amp;to=2022-12-31" in html
    assert download(ew.users["unit_a"], "/evidence/").status_code == 403


def test_it_says_when_a_period_has_no_holiday(db):
    cal = get_calendar()
    line = workday_arithmetic(cal, D(2022, 3, 1), D(2022, 3, 10), "交办")
    assert line == "交办 2022-03-01 + 7个工作日 = 2022-03-10（期间除周末外无节假日）"
