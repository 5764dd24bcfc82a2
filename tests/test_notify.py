"""Notices pushed to robots and SMS: `taizhang remind` + `taizhang notify` against a local fake server."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client

from taizhang.matters.models import Reminder
from taizhang.notify import services
from taizhang.notify.models import ChannelConfig, Delivery, DeliveryAttempt, NoticePreference
from taizhang.notify.queue import claim, dispatch, enqueue
from tests.fake_webhook import FakeWebhook

SH = ZoneInfo("Asia/Shanghai")
DING_SECRET = "SEC0123456789abcdef"
UNIT_A_MOBILE = "13800000002"
LEADER_MOBILE = "13900000001"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.TAIZHANG_BASE_URL = "http://testserver-notify"


@pytest.fixture
def fake():
    server = FakeWebhook(dingtalk_secret=DING_SECRET).start()
    yield server
    server.stop()


def channel_input(w, kind: str, url: str, **more) -> services.ChannelInput:
    return services.ChannelInput(division=w.a, kind=kind, name=f"{kind}群", url=url, **more)


def setup_channels(ew, fake: FakeWebhook) -> tuple[ChannelConfig, ChannelConfig]:
    w = ew.w
    sup = w.scope("sup_a")
    ding = services.do_save_channel(
        sup,
        channel_input(
            w,
            "dingtalk",
            f"{fake.url}/dingtalk/robot/send?access_token=tok-ding",
            secret=DING_SECRET,
        ),
    )
    wecom = services.do_save_channel(
        sup, channel_input(w, "wecom", f"{fake.url}/wecom/webhook/send?key=tok-wecom")
    )
    services.do_save_preferences(
        w.users["unit_a"],
        services.PreferenceInput(channels=["dingtalk", "wecom"], mobile=UNIT_A_MOBILE),
    )
    w.leader_a.phone = LEADER_MOBILE
    w.leader_a.save()
    return ding, wecom


def remind(today: str, *extra: str) -> str:
    out = StringIO()
    call_command("remind", f"--today={today}", *extra, stdout=out)
    return out.getvalue()


def notify(at: dt.datetime | None = None) -> str:
    out = StringIO()
    if at is None:
        call_command("notify", stdout=out)
    else:
        with mock.patch("django.utils.timezone.now", return_value=at):
            call_command("notify", stdout=out)
    return out.getvalue()


def texts(items) -> list[str]:
    out = []
    for r in items:
        body = r.body
        out.append(body["markdown"]["text"] if "markdown" in body else body["text"]["content"])
    return out


def test_it_pushes_exactly_one_message_per_item_and_level_to_dingtalk_and_wecom(eworld, fake):
    setup_channels(eworld, fake)
    remind("2022-03-04")  # two problems turn yellow
    remind("2022-03-04")  # a rerun sends nothing new
    notify()
    ding, wecom = fake.of("/dingtalk"), fake.of("/wecom")
    assert len(ding) == 2 and len(wecom) == 2
    assert fake.refused == []  # every DingTalk request carried a valid 加签
    assert all(r.query["access_token"] == "tok-ding" for r in ding)
    # Each names the matter, the light, the deadline, the unit and a link.
    first = next(t for t in texts(wecom) if "招工难" in t)
    for part in (
        "临期提醒",
        "黄灯",
        "办理时限：2022-03-10",
        "主办单位：区发改委",
        "http://testserver-notify/problems/",
    ):
        assert part in first, part
    # The responsible unit's clerk is @-mentioned by mobile where the channel supports it.
    zg = next(r for r in wecom if "招工难" in r.body["text"]["content"])
    assert zg.body["text"]["mentioned_mobile_list"] == [UNIT_A_MOBILE]
    zg_ding = next(r for r in ding if "招工难" in r.body["markdown"]["text"])
    assert zg_ding.body["at"]["atMobiles"] == [UNIT_A_MOBILE]
    assert f"@{UNIT_A_MOBILE}" in zg_ding.body["markdown"]["text"]

    remind("2022-03-11")  # red
    remind("2022-03-21")  # escalated to the responsible leader
    remind("2022-03-21")
    notify()
    # Nine notices, three of them on district B's problem, which A's robots never hear of.
    assert Reminder.objects.count() == 9
    assert not any("融资难" in t for t in texts(fake.received))
    # District A's six (2 yellow, 2 red, 2 escalations): one message each, per channel.
    assert len(fake.of("/dingtalk")) == 6 and len(fake.of("/wecom")) == 6
    levels = [t for t in texts(fake.of("/wecom")) if "招工难" in t]
    assert [("临期" in t, "逾期提醒" in t, "逾期升级" in t) for t in levels] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]
    escalation = next(
        r
        for r in fake.of("/wecom")
        if "逾期升级" in r.body["text"]["content"] and "招工难" in r.body["text"]["content"]
    )
    assert LEADER_MOBILE in escalation.body["text"]["mentioned_mobile_list"]
    assert Delivery.objects.filter(status="sent").count() == 12
    assert "已发送0条" in notify()  # nothing is sent twice


def test_it_retries_when_the_channel_is_down_and_loses_nothing(eworld, fake):
    setup_channels(eworld, fake)
    fake.fail_with = 500
    out = remind("2022-03-04")
    assert "稍后重试4条" in out and fake.received == []
    rows = list(Delivery.objects.all())
    assert len(rows) == 4 and {d.status for d in rows} == {"queued"}
    assert all(d.attempts == 1 and "HTTP 500" in d.last_answer for d in rows)

    fake.fail_with = None
    assert "已发送0条" in notify()  # not due yet: the backoff holds it
    later = max(d.next_attempt_at for d in rows) + dt.timedelta(seconds=1)
    assert "已发送4条" in notify(later)
    assert len(fake.of("/dingtalk")) == 2 and len(fake.of("/wecom")) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    tries = list(
        DeliveryAttempt.objects.order_by("delivery_id", "at").values_list("delivery_id", "ok")
    )
    assert [ok for _, ok in tries] == [False, True] * 4

    # The delivery log shows both the failure and the later success.
    c = Client()
    c.force_login(eworld.w.users["sup_a"])
    page = c.get("/notify/deliveries/?kind=dingtalk").content.decode()
    assert "HTTP 500" in page and "成功" in page and "已发送" in page
    problem = c.get(f"/problems/{eworld.problem_a.pk}/").content.decode()
    assert "通知推送" in problem and "HTTP 500" in problem


def test_it_gives_up_after_the_last_attempt_and_shows_it_failed(eworld, fake, settings):
    settings.TAIZHANG_NOTIFY = {**settings.TAIZHANG_NOTIFY, "MAX_ATTEMPTS": 2}
    setup_channels(eworld, fake)
    fake.fail_with = 503
    remind("2022-03-04", "--no-push")
    assert "稍后重试4条" in notify()
    assert "失败4条" in notify(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}
    c = Client()
    c.force_login(eworld.w.users["sup_a"])
    page = c.get("/notify/deliveries/?status=failed").content.decode()
    assert page.count('data-status="failed"') == 4


def test_it_refuses_a_wrong_dingtalk_signature_without_retrying(eworld, fake):
    w = eworld.w
    services.do_save_channel(
        w.scope("sup_a"),
        channel_input(w, "dingtalk", f"{fake.url}/dingtalk/send?access_token=t", secret="SECwrong"),
    )
    remind("2022-03-04")
    assert fake.refused and fake.received == []
    d = Delivery.objects.first()
    assert d.status == "failed" and "310000" in d.last_answer  # a bad sign does not heal


def test_it_signs_feishu_and_sends_text(eworld):
    server = FakeWebhook(feishu_secret="fs-secret").start()
    try:
        w = eworld.w
        services.do_save_channel(
            w.scope("sup_a"),
            channel_input(w, "feishu", f"{server.url}/feishu/hook/abc", secret="fs-secret"),
        )
        remind("2022-03-04")
        assert server.refused == [] and len(server.of("/feishu")) == 2
        assert server.of("/feishu")[0].body["msg_type"] == "text"
    finally:
        server.stop()


def sms_channel(ew, fake: FakeWebhook) -> ChannelConfig:
    w = ew.w
    return services.do_save_channel(
        w.scope("sup_a"),
        channel_input(
            w,
            "sms",
            f"{fake.url}/sms/send?account=tz",
            secret="pw1",
            method="form",
            body="mobile={mobile}&content={text}&password={secret}",
            ok_text='"errcode": 0',
        ),
    )


def test_it_holds_sms_in_quiet_hours_until_they_end(eworld, fake):
    sms_channel(eworld, fake)
    services.do_save_preferences(
        eworld.w.users["unit_a"],
        services.PreferenceInput(
            channels=["sms"], mobile=UNIT_A_MOBILE, quiet_start="22:00", quiet_end="07:30"
        ),
    )
    night = dt.datetime(2026, 5, 6, 23, 0, tzinfo=SH)
    with mock.patch("django.utils.timezone.now", return_value=night):
        remind("2022-03-04", "--no-push")
    d = Delivery.objects.get(recipient=eworld.w.users["unit_a"])
    assert d.next_attempt_at == dt.datetime(2026, 5, 7, 7, 30, tzinfo=SH)
    assert "已发送0条" in notify(night + dt.timedelta(minutes=30))
    assert "已发送1条" in notify(dt.datetime(2026, 5, 7, 7, 31, tzinfo=SH))
    (got,) = fake.of("/sms")
    assert got.body["mobile"] == UNIT_A_MOBILE and got.body["password"] == "pw1"
    assert "招工难" in got.body["content"] and got.query == {"account": "tz"}


def test_it_sends_one_daily_digest_instead_of_one_sms_per_item(eworld, fake):
    sms_channel(eworld, fake)
    for name, mobile in (("unit_a", UNIT_A_MOBILE), ("sup_a", "13700000003")):
        services.do_save_preferences(
            eworld.w.users[name],
            services.PreferenceInput(
                channels=["sms"], mobile=mobile, digest=name == "sup_a", digest_hour=8
            ),
        )
    noon = dt.datetime(2026, 5, 6, 12, 0, tzinfo=SH)
    with mock.patch("django.utils.timezone.now", return_value=noon):
        remind("2022-03-04", "--no-push")
    assert "已发送1条" in notify(noon)  # unit_a hears at once about its one item
    assert Delivery.objects.filter(recipient=eworld.w.users["sup_a"], digest=True).count() == 2
    assert "已发送2条" in notify(dt.datetime(2026, 5, 7, 8, 0, tzinfo=SH))
    digest = [r for r in fake.of("/sms") if r.body["mobile"] == "13700000003"]
    assert len(digest) == 1 and "共2条" in digest[0].body["content"]
    assert "招工难" in digest[0].body["content"] and "用地手续慢" in digest[0].body["content"]


def test_it_lets_only_one_worker_claim_a_row_and_reclaims_stale_claims(eworld, fake):
    setup_channels(eworld, fake)
    remind("2022-03-04", "--no-push")
    now = dt.datetime.now(dt.UTC)
    first = claim("worker-1", now, 100)
    assert len(first) == 4
    assert claim("worker-2", now, 100) == []
    # worker-1 died mid-send: after STALE_MINUTES another worker may take its rows.
    assert len(claim("worker-2", now + dt.timedelta(minutes=11), 100)) == 4
    counts = dispatch(now=now + dt.timedelta(minutes=30), worker="worker-3")
    assert counts.sent == 4 and len(fake.received) == 4


def test_it_queues_nothing_for_in_app_only_kinds_and_keeps_disabled_channels_queued(eworld, fake):
    ding, _ = setup_channels(eworld, fake)
    m = eworld.problem_a
    assert enqueue([eworld.w.users["unit_a"]], m, "step", "办理动态", "") == 0
    services.do_set_channel_enabled(eworld.w.scope("sup_a"), ding, False)
    assert (
        enqueue([eworld.w.users["unit_a"]], m, "red", "【逾期提醒】招工难", "") == 1
    )  # wecom only
    ChannelConfig.objects.filter(pk=ding.pk).update(enabled=True)
    d = enqueue([eworld.w.users["unit_a"]], m, "red", "【逾期提醒】招工难", "")
    assert d == 2
    ChannelConfig.objects.filter(pk=ding.pk).update(enabled=False)
    counts = dispatch()
    assert counts.skipped == 1 and counts.sent == 2
    assert Delivery.objects.filter(channel=ding, status="queued").count() == 1


def test_it_stores_webhooks_encrypted_and_shows_them_masked(eworld, fake):
    ding, wecom = setup_channels(eworld, fake)
    raw = ChannelConfig.objects.filter(pk=ding.pk).values("url_sealed", "secret_sealed").get()
    assert "tok-ding" not in raw["url_sealed"] and DING_SECRET not in raw["secret_sealed"]
    assert ChannelConfig.objects.get(pk=ding.pk).url.endswith("access_token=tok-ding")
    c = Client()
    c.force_login(eworld.w.users["sup_a"])
    for url in ("/notify/channels/", f"/notify/channels/{ding.pk}/", "/audit/"):
        page = c.get(url).content.decode()
        assert "tok-ding" not in page and DING_SECRET not in page and "tok-wecom" not in page, url
    assert "http://127.0…****" in c.get("/notify/channels/").content.decode()
    # An edit with the URL left blank keeps the stored one.
    r = c.post(
        f"/notify/channels/{ding.pk}/",
        {"division": eworld.w.a.pk, "kind": "dingtalk", "name": "督查群", "enabled": "1"},
    )
    assert r.status_code == 302
    assert ChannelConfig.objects.get(pk=ding.pk).url.endswith("access_token=tok-ding")
    assert ChannelConfig.objects.get(pk=ding.pk).secret == DING_SECRET


def test_it_hides_a_districts_channels_from_another_district(eworld, fake):
    ding, _ = setup_channels(eworld, fake)
    c = Client()
    c.force_login(eworld.w.users["sup_b"])
    assert c.get(f"/notify/channels/{ding.pk}/").status_code == 404
    assert c.post(f"/notify/channels/{ding.pk}/test/").status_code == 404
    assert "dingtalk群" not in c.get("/notify/channels/").content.decode()
    r = c.post(
        "/notify/channels/",
        {
            "division": eworld.w.a.pk,
            "kind": "wecom",
            "name": "x",
            "url": "https://qyapi.weixin.qq.com/x",
        },
    )
    assert r.status_code == 200 and "请选择本区划或下级区划" in r.content.decode()
    assert ChannelConfig.objects.count() == 2


def test_it_test_sends_from_the_channel_page(eworld, fake):
    ding, _ = setup_channels(eworld, fake)
    c = Client()
    c.force_login(eworld.w.users["sup_a"])
    r = c.post(f"/notify/channels/{ding.pk}/test/", {"mobile": "13800000009"}, follow=True)
    assert "测试消息已发送" in r.content.decode()
    (got,) = fake.of("/dingtalk")
    assert got.body["at"]["atMobiles"] == ["13800000009"]
    fake.fail_with = 500
    r = c.post(f"/notify/channels/{ding.pk}/test/", {}, follow=True)
    assert "测试发送失败" in r.content.decode() and "HTTP 500" in r.content.decode()


def test_it_refuses_bad_settings_with_chinese_messages(eworld, fake):
    w = eworld.w
    c = Client()
    c.force_login(w.users["sup_a"])
    r = c.post(
        "/notify/channels/", {"division": w.a.pk, "kind": "wecom", "name": "群", "url": "ftp://x"}
    )
    assert r.status_code == 200 and "https://" in r.content.decode()
    r = c.post(
        "/notify/channels/",
        {
            "division": w.a.pk,
            "kind": "sms",
            "name": "短信",
            "url": "https://sms.example.cn/send",
            "method": "json",
            "body": '{"to": "{phone}"}',
        },
    )
    assert r.status_code == 200 and "占位符" in r.content.decode()
    assert not ChannelConfig.objects.exists()
    c.force_login(w.users["unit_a"])
    r = c.post("/my/notify/", {"channels": ["wecom"], "mobile": "12345"})
    assert r.status_code == 200 and "手机号应为11位数字" in r.content.decode()
    r = c.post(
        "/my/notify/",
        {
            "channels": ["wecom", "sms"],
            "mobile": UNIT_A_MOBILE,
            "quiet_start": "22:00",
            "quiet_end": "07:30",
        },
    )
    assert r.status_code == 302
    pref = NoticePreference.objects.get(user=w.users["unit_a"])
    assert pref.channels == ["sms", "wecom"] and pref.quiet_end == dt.time(7, 30)


def test_it_keeps_json_sms_bodies_valid_with_quotes_in_the_text():
    from taizhang.lib.channels import Message, SmsGateway

    captured = {}

    def poster(request, timeout):
        captured["body"] = request.data.decode()
        return 200, '{"code":"OK"}'

    sms = SmsGateway(
        url="https://sms.example.cn/send",
        options={
            "method": "json",
            "body": '{"phone": "{mobile}", "msg": "{text}"}',
            "ok_text": '"OK"',
        },
        poster=poster,
    )
    result = sms.send(Message('关于"招工难"的提醒', "第二行", mobiles=("13800000000",)))
    assert result.ok
    assert json.loads(captured["body"])["msg"] == '关于"招工难"的提醒\n第二行'


def test_it_holds_group_pushes_in_the_channels_quiet_hours(eworld, fake):
    w = eworld.w
    services.do_save_channel(
        w.scope("sup_a"),
        channel_input(
            w, "wecom", f"{fake.url}/wecom/send?key=q", quiet_start="22:00", quiet_end="07:30"
        ),
    )
    night = dt.datetime(2026, 5, 6, 22, 15, tzinfo=SH)
    with mock.patch("django.utils.timezone.now", return_value=night):
        out = remind("2022-03-04")
    assert "已发送0条" in out and fake.received == []
    assert "已发送2条" in notify(dt.datetime(2026, 5, 7, 7, 30, tzinfo=SH))
    assert len(fake.of("/wecom")) == 2


def test_it_treats_timeouts_and_5xx_as_retryable_and_4xx_as_final():
    from taizhang.lib.channels import Message, WeComRobot

    def answer_with(*outcomes):
        it = iter(outcomes)

        def poster(request, timeout):
            got = next(it)
            if isinstance(got, Exception):
                raise got
            return got

        return poster

    msg = Message("标题", "正文")
    slow = WeComRobot(url="http://127.0.0.1:9/x", poster=answer_with(TimeoutError()), timeout=2)
    r = slow.send(msg)
    assert not r.ok and r.retry and "超时" in r.answer
    assert (
        WeComRobot(url="https://qyapi.example/send", poster=answer_with((502, "bad gateway")))
        .send(msg)
        .retry
    )
    r = WeComRobot(url="https://qyapi.example/send", poster=answer_with((404, "not found"))).send(
        msg
    )
    assert not r.ok and not r.retry
    r = WeComRobot(
        url="https://qyapi.example/send",
        poster=answer_with((200, '{"errcode": 93000, "errmsg": "invalid webhook url"}')),
    ).send(msg)
    assert not r.ok and not r.retry and "93000" in r.answer
    assert (
        WeComRobot(
            url="https://qyapi.example/send", poster=answer_with((200, '{"errcode": 45009}'))
        )
        .send(msg)
        .retry
    )
