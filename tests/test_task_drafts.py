"""Work report → draft task table → published tasks: editing, merge, split, atomic publish, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from taizhang.matters.models import Kind, Matter, Status
from taizhang.tasks import drafts
from taizhang.tasks.models import DraftRow, ReportDraft
from tests import task_fixtures
from tests.seeds import REPORT_2024, seed_path
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld  # the fixture, used by name below
TODAY = dt.date(2024, 2, 20)


@pytest.fixture
def seed_text() -> str:
    return seed_path(REPORT_2024).read_text(encoding="utf-8")


@pytest.fixture
def draft(tworld, seed_text) -> ReportDraft:
    with frozen(TODAY):
        return drafts.do_create_draft(tworld.scope("sup_a"), text=seed_text)


def row(draft: ReportDraft, title: str) -> DraftRow:
    return draft.rows.get(title=title)


def test_it_drafts_one_row_per_target_and_per_outline_task(draft, seed_text):
    assert draft.year == 2024 and draft.division.code == "410603"
    jobs = row(draft, "城镇新增就业")
    assert jobs.kind == "target" and jobs.target_value == Decimal(3760)
    assert jobs.target_unit == "人" and jobs.comparator == ">="
    assert seed_text[jobs.start : jobs.end] == "3760" and jobs.deadline == dt.date(2024, 12, 31)
    targets = draft.rows.filter(kind="target")
    assert {"新签约亿元以上项目", "省市重点项目完成投资", "高新技术企业"} <= set(
        targets.values_list("title", flat=True)
    )
    assert not targets.filter(title="地区生产总值").exists()  # 2023 achievements are not tasks
    tasks = draft.rows.filter(kind="task")
    assert tasks.filter(title="培育引领性创新主体", heading__startswith="坚持创新驱动").exists()
    assert tasks.count() >= 25
    assert list(draft.rows.values_list("order", flat=True)) == list(
        range(1, draft.rows.count() + 1)
    )


def test_it_still_drafts_indicators_from_a_text_without_structure(tworld):
    with frozen(TODAY):
        d = drafts.do_create_draft(
            tworld.scope("sup_a"), text="今年我们新增就业岗位一千二百个，完成投资3.5亿元。"
        )
    assert d.rows.count() >= 2 and d.rows.filter(target_value=Decimal("3.5")).exists()


def test_it_edits_merges_splits_and_deletes_rows(tworld, draft):
    s = tworld.scope("sup_a")
    jobs = row(draft, "城镇新增就业")
    drafts.do_update_row(
        s,
        jobs,
        {
            "title": "城镇新增就业3760人",
            "lead_unit": tworld.unit_rs.pk,
            "co_units": [tworld.w.unit_a.pk],
            "due_day": "20",
        },
    )
    jobs.refresh_from_db()
    assert (
        jobs.title == "城镇新增就业3760人"
        and jobs.lead_unit == tworld.unit_rs
        and jobs.due_day == 20
    )
    assert list(jobs.co_units.all()) == [tworld.w.unit_a]
    with pytest.raises(ValidationError, match="牵头单位「.*」不属于山城区"):
        drafts.do_update_row(s, jobs, {"lead_unit": tworld.w.unit_b.pk})

    a, b = row(draft, "新签约亿元以上项目"), row(draft, "新落地亿元以上项目")
    n = draft.rows.count()
    merged = drafts.do_merge_rows(s, draft, [a.pk, b.pk])
    assert merged.title == "新签约亿元以上项目；新落地亿元以上项目"
    assert merged.target_value == Decimal(26) and draft.rows.count() == n - 1
    parts = drafts.do_split_row(s, merged)
    assert [p.title for p in parts] == ["新签约亿元以上项目", "新落地亿元以上项目"]
    assert draft.rows.count() == n
    assert [p.order for p in parts] == [parts[0].order, parts[0].order + 1]
    with pytest.raises(ValidationError, match="无法自动拆分"):
        drafts.do_split_row(s, row(draft, "高新技术企业"))
    two = drafts.do_split_row(
        s, row(draft, "高新技术企业"), "高新技术企业（新认定）｜高新技术企业（复审）"
    )
    assert len(two) == 2
    assert drafts.do_delete_rows(s, draft, [two[1].pk]) == 1
    orders = list(draft.rows.values_list("order", flat=True))
    assert orders == list(range(1, len(orders) + 1))


def test_it_publishes_selected_rows_all_or_nothing_with_row_numbered_errors(tworld, draft):
    s = tworld.scope("sup_a")
    jobs, invest = row(draft, "城镇新增就业"), row(draft, "省市重点项目完成投资")
    drafts.do_update_row(s, jobs, {"lead_unit": tworld.unit_rs.pk})
    before = Matter.objects.count()
    with frozen(TODAY), pytest.raises(ValidationError) as e:
        drafts.do_publish_draft(s, draft, [jobs.pk, invest.pk])
    msgs = e.value.message_dict["rows"]
    assert msgs == [f"第{invest.order}行（省市重点项目完成投资）：请选择牵头单位"]
    assert Matter.objects.count() == before  # nothing half-published

    drafts.do_bulk_set(
        s,
        draft,
        [invest.pk],
        {"lead_unit": tworld.w.unit_a.pk, "leader": tworld.w.leader_a.pk, "cycle": "quarterly"},
    )
    with frozen(TODAY):
        tasks = drafts.do_publish_draft(s, draft, [jobs.pk, invest.pk])
    assert len(tasks) == 2
    t = Matter.objects.get(pk__in=[x.pk for x in tasks], title="省市重点项目完成投资")
    assert t.kind == Kind.SUPERVISION_TASK and t.status == Status.ASSIGNED
    assert t.task.target_value == Decimal(60) and t.task.target_unit == "亿元"
    assert t.task.cycle == "quarterly" and t.leader == tworld.w.leader_a
    assert "60亿元以上" in t.task.source_sentence and t.task.task_source == "work_report"
    with frozen(TODAY), pytest.raises(ValidationError, match="已发布，不能重复发布"):
        drafts.do_publish_draft(s, draft, [jobs.pk])
    with pytest.raises(ValidationError, match="已发布"):
        drafts.do_update_row(s, row(draft, "城镇新增就业"), {"title": "x"})


def test_it_rolls_back_every_task_when_one_fails_while_publishing(tworld, draft, monkeypatch):
    s = tworld.scope("sup_a")
    ids = [row(draft, t).pk for t in ("城镇新增就业", "新开工项目")]
    drafts.do_bulk_set(s, draft, ids, {"lead_unit": tworld.unit_rs.pk})
    real = drafts.services.do_create_task
    calls = []

    def flaky(scope, data, **kw):
        calls.append(data["title"])
        if len(calls) == 2:
            raise ValidationError({"title": ["模拟失败"]})
        return real(scope, data, **kw)

    monkeypatch.setattr(drafts.services, "do_create_task", flaky)
    before = Matter.objects.count()
    with frozen(TODAY), pytest.raises(ValidationError, match="模拟失败"):
        drafts.do_publish_draft(s, draft, ids)
    assert Matter.objects.count() == before
    assert not draft.rows.filter(published__isnull=False).exists()


def test_it_scopes_drafts_to_the_supervision_office(tworld, draft, client):
    with pytest.raises(PermissionDenied):
        drafts.do_create_draft(tworld.scope("unit_rs"), text="全年新增就业3760人以上。")
    with pytest.raises(PermissionDenied):
        drafts.do_merge_rows(tworld.scope("sup_b"), draft, [1, 2])
    client.force_login(tworld.users["sup_b"])
    assert client.get(f"/tasks/drafts/{draft.pk}/").status_code == 404
    client.force_login(tworld.users["unit_rs"])
    assert client.get("/tasks/drafts/").status_code == 403
    client.force_login(tworld.users["sup_a"])
    page = client.get(f"/tasks/drafts/{draft.pk}/")
    assert page.status_code == 200 and "<mark>3760</mark>" in page.content.decode()


def post_upload(client, name: str, content: bytes):
    return client.post(
        "/tasks/drafts/", {"file": SimpleUploadedFile(name, content), "text": ""}, follow=True
    )


def test_it_reads_uploads_in_utf8_and_gbk_and_refuses_bad_files_clearly(tworld, client, seed_text):
    client.force_login(tworld.users["sup_a"])
    r = post_upload(client, "报告.txt", seed_text.encode("gbk", errors="replace"))
    assert "已生成任务分解草稿" in r.content.decode()
    d = ReportDraft.objects.latest("pk")
    assert d.rows.filter(title="城镇新增就业", target_value=3760).exists()
    for name, content, message in [
        ("空.txt", b"", "文件为空"),
        ("图.txt", bytes(range(256)) * 40, "不是文本文件"),
        ("图.png", b"\x89PNG\r\n", "不支持的文件类型"),
        ("坏.docx", b"PK\x03\x04garbage", "无法读取 Word 文档"),
    ]:
        assert message in post_upload(client, name, content).content.decode(), name
    r = client.post("/tasks/drafts/", {"text": "   "}, follow=True)
    assert "报告内容为空" in r.content.decode()
    with override_settings(TAIZHANG={**drafts.settings.TAIZHANG, "REPORT_MAX_BYTES": 2048}):
        r = post_upload(client, "大.txt", "全年新增就业3760人。".encode() * 400)
        assert "文件过大：大.txt 超过 2048 字节 的限制" in r.content.decode()
        r = client.post("/tasks/drafts/", {"text": "就业" * 2000}, follow=True)
        assert "报告内容过大" in r.content.decode()


def test_it_edits_and_publishes_through_the_web(tworld, draft, client):
    client.force_login(tworld.users["sup_a"])
    jobs = row(draft, "城镇新增就业")
    url = f"/tasks/drafts/{draft.pk}/"
    client.post(
        f"{url}rows/{jobs.pk}/",
        {
            "op": "save",
            "title": "城镇新增就业",
            "lead_unit": tworld.unit_rs.pk,
            "deadline": "2024-12-31",
            "cycle": "monthly",
            "due_day": "25",
            "co_units_present": "1",
        },
    )
    other = row(draft, "新开工项目")
    r = client.post(f"{url}bulk/", {"op": "publish", "ids": [jobs.pk, other.pk]}, follow=True)
    assert f"第{other.order}行（新开工项目）：请选择牵头单位" in r.content.decode()
    with frozen(TODAY):
        r = client.post(f"{url}bulk/", {"op": "publish", "ids": [jobs.pk]}, follow=True)
    assert "已发布1项督办任务" in r.content.decode()
    assert Matter.objects.filter(title="城镇新增就业", lead_unit=tworld.unit_rs).exists()
