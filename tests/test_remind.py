"""`taizhang remind` under a frozen clock: the right items turn yellow/red, each is sent once."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

from django.core import mail
from django.core.management import call_command

from taizhang.matters import services
from taizhang.matters.models import Matter, Notification, Reminder
from taizhang.matters.timing import timing_of

# All three fixture problems were assigned on 2022-03-01 with 7 working days: due 2022-03-10.


def remind(today: str | None = None, *extra: str) -> str:
    out = StringIO()
    args = ["remind", *extra] + ([f"--today={today}"] if today else [])
    call_command(*args, stdout=out)
    return out.getvalue()


def kinds(user) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(user=user)
        .exclude(kind="step")
        .values_list("matter__title", "kind")
    )


def test_it_sends_yellow_then_red_then_escalates_exactly_once(eworld):
    ew, w = eworld, eworld.w
    for name in ("unit_a", "sup_a", "leader_a"):
        w.users[name].email = f"{name}@example.gov.cn"
        w.users[name].save()
    # problem_b is finished before the deadline: it never lights up.
    b = ew.problem_b
    services.do_finish(
        ew.scope("unit_b"), b, note="已办结", expected_version=b.version, date=dt.date(2022, 3, 2)
    )

    assert "黄灯0条，红灯0条" in remind("2022-03-01")
    assert not Notification.objects.exclude(kind="step").exists()

    out = remind("2022-03-04")  # 4 working days left: yellow
    assert "黄灯2条，红灯0条，升级0条" in out
    assert kinds(w.users["unit_a"]) == [("招工难", "yellow")]
    assert kinds(w.users["unit_a2"]) == [("用地手续慢", "yellow")]
    assert kinds(w.users["unit_a_town"]) == [("用地手续慢", "yellow")]  # co-unit hears too
    assert kinds(w.users["sup_a"]) == [("招工难", "yellow"), ("用地手续慢", "yellow")]
    assert kinds(w.users["unit_b"]) == [] and kinds(w.users["sup_b"]) == []
    assert timing_of(Matter.objects.get(pk=ew.problem_a.pk), dt.date(2022, 3, 4)).light == "yellow"
    sent = len(mail.outbox)
    assert sent == 3  # unit_a and sup_a ×2 have addresses
    assert any("临期提醒" in m.subject and "招工难" in m.subject for m in mail.outbox)

    # Running again, and again on the weekend, sends nothing new.
    assert "黄灯0条" in remind("2022-03-04")
    assert "黄灯0条" in remind("2022-03-05")
    assert len(mail.outbox) == sent
    assert Notification.objects.exclude(kind="step").count() == 5

    out = remind("2022-03-11")  # one working day late: red, not yet escalated
    assert "红灯2条，升级0条" in out
    assert kinds(w.users["unit_a"]) == [("招工难", "red"), ("招工难", "yellow")]
    assert kinds(w.users["leader_a"]) == []
    assert timing_of(Matter.objects.get(pk=ew.problem_a.pk), dt.date(2022, 3, 11)).light == "red"

    out = remind("2022-03-21")  # 7 working days late > 5: escalate to the responsible leader
    assert "红灯0条，升级2条" in out
    assert kinds(w.users["leader_a"]) == [("招工难", "escalate")]
    assert any("逾期升级" in m.subject for m in mail.outbox if "leader_a@" in m.to[0])
    assert "升级0条" in remind("2022-03-21") and "升级0条" in remind("2022-03-22")
    assert Reminder.objects.count() == 6
    assert Notification.objects.filter(kind="escalate").count() == 3  # leader_a + sup_a ×2


def test_it_starts_a_new_cycle_after_an_extension(eworld):
    ew = eworld
    m = ew.problem_a
    remind("2022-03-04")
    assert Notification.objects.filter(matter=m, kind="yellow").count() == 2
    m = services.do_request_extension(
        ew.scope("unit_a"),
        m,
        deadline=dt.date(2022, 3, 31),
        reason="等待审批",
        expected_version=m.version,
        date=dt.date(2022, 3, 4),
    ).matter
    services.do_approve_extension(
        ew.scope("sup_a"), m, expected_version=m.version, date=dt.date(2022, 3, 4)
    )
    assert "黄灯0条" in remind("2022-03-04")  # a is green again; the others were sent already
    assert Notification.objects.filter(matter=m, kind="yellow").count() == 2
    remind("2022-03-28")
    assert Notification.objects.filter(matter=m, kind="yellow").count() == 4


def test_it_follows_the_frozen_clock_when_no_date_is_given(eworld):
    frozen = dt.datetime(2022, 3, 11, 9, 0, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=frozen):
        out = remind()
    assert out.startswith("2022-03-11") and "红灯3条" in out


def test_it_can_dry_run_without_sending(eworld):
    out = remind("2022-03-11", "--dry-run")
    assert "红灯3条" in out and "演练" in out
    assert not Reminder.objects.exists() and not mail.outbox
