"""The task API: extractor endpoint with bad input, tasks, reports, steps, drafts, figures, scoping."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from taizhang.core.models import ApiToken
from taizhang.matters.models import Matter
from tests import task_fixtures
from tests.seeds import REPORT_2024, seed_path
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld  # the fixture, used by name below


def api(user) -> Client:
    _, raw = ApiToken.issue(user, "测试")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(c: Client, url: str, data) -> object:
    return c.post(url, json.dumps(data), content_type="application/json")


def test_it_extracts_from_json_text_and_from_an_uploaded_file(tworld):
    c = api(tworld.users["unit_rs"])
    r = post(
        c, "/api/v1/extract", {"text": "2024年主要目标：全年城镇新增就业3760人以上。", "year": 2024}
    )
    assert r.status_code == 200
    ind = r.json()["indicators"]
    assert ind[0]["name"] == "城镇新增就业" and ind[0]["value"] == 3760
    assert ind[0]["comparator"] == ">=" and ind[0]["kind"] == "target"
    assert set(ind[0]) == {
        "name", "value", "unit", "base_value", "comparator", "kind", "period", "sentence", "start", "end",
    }  # fmt: skip
    gbk = seed_path(REPORT_2024).read_text(encoding="utf-8").encode("gbk", errors="replace")
    r = c.post("/api/v1/extract", {"file": SimpleUploadedFile("报告.txt", gbk)})
    assert r.status_code == 200
    names = {i["name"] for i in r.json()["indicators"] if i["kind"] == "target"}
    assert {"城镇新增就业", "新签约亿元以上项目", "高新技术企业"} <= names
    assert len(r.json()["outline"]) >= 25


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"text": ""}, 422, "报告内容为空"),
        ({"text": "   \n"}, 422, "报告内容为空"),
        ({}, 422, "请提供报告文本"),
        ({"text": "就业3760人", "year": "明年"}, 422, "年份无效"),
        ([1, 2], 422, "JSON 对象"),
    ],
)
def test_it_refuses_bad_extract_requests_clearly(tworld, body, status, message):
    r = post(api(tworld.users["sup_a"]), "/api/v1/extract", body)
    assert r.status_code == status and message in r.json()["detail"]


def test_it_refuses_binary_non_utf8_and_huge_input_on_the_api(tworld):
    c = api(tworld.users["sup_a"])
    r = c.post("/api/v1/extract", b"\xff\xfe\x00garbage", content_type="application/json")
    assert r.status_code == 422 and "UTF-8 JSON" in r.json()["detail"]
    r = c.post("/api/v1/extract", {"file": SimpleUploadedFile("x.txt", bytes(range(256)) * 50)})
    assert r.status_code == 422 and "不是文本文件" in r.json()["detail"]
    r = c.post("/api/v1/extract", {"file": SimpleUploadedFile("x.txt", b"")})
    assert r.status_code == 422 and "文件为空" in r.json()["detail"]
    r = c.post("/api/v1/extract", {"other": "x"})
    assert r.status_code == 422
    # Extraction never crashes, whatever the text.
    r = post(c, "/api/v1/extract", {"text": "\x00\x01￿𝌆" * 100 + "十四五PM2.5第十二届"})
    assert r.status_code == 200
    from taizhang.tasks import drafts

    with override_settings(TAIZHANG={**drafts.settings.TAIZHANG, "REPORT_MAX_BYTES": 1024}):
        r = post(c, "/api/v1/extract", {"text": "就业" * 1000})
        assert r.status_code == 413 and "过大" in r.json()["detail"]
        r = c.post("/api/v1/extract", {"file": SimpleUploadedFile("x.txt", "就业".encode() * 1000)})
        assert r.status_code == 413


def test_it_lists_tasks_within_scope_only(tworld):
    tid = tworld.task.pk
    for who, seen in [
        ("sup_a", True),
        ("leader_a", True),
        ("unit_rs", True),
        ("unit_a_town", True),  # co-unit
        ("unit_a", False),  # another unit of the district
        ("sup_b", False),
        ("unit_b", False),
    ]:
        c = api(tworld.users[who])
        ids = [t["id"] for t in c.get("/api/v1/tasks").json()["items"]]
        assert (tid in ids) is seen, who
        assert c.get(f"/api/v1/tasks/{tid}").status_code == (200 if seen else 404), who


def test_it_creates_reports_and_runs_steps_through_the_api(tworld):
    sup, lead = api(tworld.users["sup_a"]), api(tworld.users["unit_rs"])
    with frozen(dt.date(2024, 2, 20)):
        r = post(
            sup,
            "/api/v1/tasks",
            {
                "title": "城镇新增就业3400人",
                "lead_unit_id": tworld.unit_rs.pk,
                "co_unit_ids": [tworld.w.unit_a_town.pk],
                "year": 2024,
                "target_value": "3400",
                "target_unit": "人",
                "comparator": ">=",
                "task_source": "work_report",
            },
        )
        assert r.status_code == 201, r.json()
        t = r.json()
        assert t["status"] == "assigned" and t["target_value"] == "3400"
        assert post(lead, "/api/v1/tasks", {"title": "x", "lead_unit_id": 1}).status_code == 403
        url = f"/api/v1/tasks/{t['id']}"
        steps = f"/api/v1/matters/{t['id']}/steps"
        v = t["version"]
        report = {"period": "2024-02", "actual_value": "1", "text": "x", "version": v}
        r = post(sup, f"{steps}/submit_report", report)
        assert r.status_code == 403 and "牵头单位" in r.json()["detail"]
        r = post(
            lead, f"{steps}/submit_report", {**report, "actual_value": "3604", "text": "超额完成"}
        )
        assert r.status_code == 200 and r.json()["step"]["label"] == "2024-02进度报送"
        assert r.json()["status"] == "in_progress"
        v = r.json()["version"]
        r = post(lead, f"{steps}/submit_report", {**report, "actual_value": "3605", "version": v})
        assert r.status_code == 200 and r.json()["step"]["label"] == "更正2024-02进度报送"
        got = lead.get(url).json()
        assert got["progress_pct"] == "106.0" and got["light"] == "green"
        assert got["actual_value"] == "3605" and len(got["reports"]) == 1
        assert got["reports"][0]["corrections"] == 1 and got["reports"][0]["on_time"] is True
        v = got["version"]
        r = post(sup, f"{steps}/approve_extension", {"version": v})
        assert r.status_code == 422  # nothing pending
        r = post(
            lead,
            f"{steps}/request_extension",
            {"version": v, "deadline": "2025-01-31", "reason": "年底招聘"},
        )
        assert r.status_code == 200 and r.json()["pending_deadline"] == "2025-01-31"
        v = r.json()["version"]
        assert post(lead, f"{steps}/approve_extension", {"version": v}).status_code == 403
        r = post(sup, f"{steps}/approve_extension", {"version": v})
        assert r.json()["deadline"] == "2025-01-31"
        v = r.json()["version"]
        assert (
            post(sup, f"{steps}/urge", {"version": v - 1, "level": "blue", "note": "x"}).status_code
            == 409
        )
        r = post(sup, f"{steps}/urge", {"version": v, "level": "blue", "note": "请加快"})
        assert r.json()["step"]["label"] == "蓝色督办单"
        v = r.json()["version"]
        r = post(lead, f"{steps}/report", {"version": v, "note": "完成", "evidence": ""})
        assert r.status_code == 422 and "佐证" in r.json()["detail"]
        r = post(lead, f"{steps}/report", {"version": v, "note": "完成"})
        assert r.status_code == 422 and r.json()["errors"] == {"evidence": ["请填写佐证材料"]}
        r = post(lead, f"{steps}/report", {"version": v, "note": "完成", "evidence": "统计月报"})
        assert r.json()["status"] == "reported"
        r = post(sup, f"{steps}/close", {"version": r.json()["version"]})
        assert r.json()["status"] == "closed"
        r = post(sup, f"{steps}/rate", {"version": r.json()["version"], "rating": "satisfied"})
        assert r.status_code == 422 and "没有「rate」环节" in r.json()["detail"]


def test_it_drafts_and_publishes_through_the_api(tworld):
    sup = api(tworld.users["sup_a"])
    text = "2024年主要目标：全年城镇新增就业3760人以上，新开工项目30个以上。"
    with frozen(dt.date(2024, 2, 20)):
        r = post(sup, "/api/v1/drafts", {"text": text, "title": "测试报告"})
        assert r.status_code == 201 and r.json()["rows"] == 2 and r.json()["year"] == 2024
        d = r.json()["id"]
        rows = sup.get(f"/api/v1/drafts/{d}/rows").json()
        assert (
            rows[0]["title"] == "城镇新增就业" and text[rows[0]["start"] : rows[0]["end"]] == "3760"
        )
        r = post(sup, f"/api/v1/drafts/{d}/publish", {"row_ids": [x["id"] for x in rows]})
        assert r.status_code == 422 and r.json()["errors"]["rows"][0].startswith("第1行")
        for x in rows:
            r = sup.patch(
                f"/api/v1/drafts/{d}/rows/{x['id']}",
                json.dumps({"lead_unit": tworld.unit_rs.pk, "due_day": 20}),
                content_type="application/json",
            )
            assert r.status_code == 200 and r.json()["due_day"] == 20
        r = post(sup, f"/api/v1/drafts/{d}/publish", {"row_ids": [x["id"] for x in rows]})
        assert r.status_code == 201 and [t["title"] for t in r.json()] == [
            "城镇新增就业",
            "新开工项目",
        ]
    # Drafts are the office's working paper: a unit's scope does not contain them at all.
    assert api(tworld.users["unit_rs"]).get(f"/api/v1/drafts/{d}/rows").status_code == 404
    assert api(tworld.users["sup_b"]).get(f"/api/v1/drafts/{d}/rows").status_code == 404
    assert post(api(tworld.users["unit_rs"]), "/api/v1/drafts", {"text": text}).status_code == 403


def test_it_reports_figures_and_due_reports(tworld):
    sup = api(tworld.users["sup_a"])
    with frozen(dt.date(2024, 3, 1)):
        fig = sup.get("/api/v1/tasks/figures?year=2024").json()
    assert fig["total"] == 1 and fig["by_light"]["红灯"] == 1
    assert fig["overdue"][0]["id"] == tworld.task.pk
    assert [a["kind"] for a in fig["answers"]] == ["suggestion", "proposal"]
    facts = sup.get("/api/v1/tasks/report-facts?until=2024-03-31").json()
    assert [f["period"] for f in facts] == ["2024-01", "2024-02", "2024-03"]
    assert (
        api(tworld.users["sup_b"]).get("/api/v1/tasks/report-facts?until=2024-03-31").json() == []
    )
    assert Matter.objects.filter(kind="supervision_task").count() == 1
