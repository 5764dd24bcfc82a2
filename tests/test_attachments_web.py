"""Attachments in the web forms: problems, workflow steps, milestones, monthly reports,
visits, tasks — each record and its files saved together or not at all."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from taizhang.attachments import services
from taizhang.attachments.models import Attachment
from taizhang.enterprises.models import Visit
from taizhang.matters.models import Matter, MatterStep, Status
from taizhang.projects import services as projects
from taizhang.projects.models import MonthlyReport
from tests import attachment_files as af
from tests.streams import streamed
from tests.test_attachments import stored_files


def client_for(ew, role: str) -> Client:
    c = Client()
    c.force_login(ew.users[role])
    return c


def problem_form(ew, title: str, files: list) -> dict:
    return {
        "enterprise": ew.w.enterprise_a.pk,
        "category": ew.ordinary.pk,
        "title": title,
        "source": "visit",
        "raised_on": "2022-03-01",
        "files": files,
    }


def test_it_saves_a_new_problem_with_its_photos(eworld, media):
    r = client_for(eworld, "cadre_a").post(
        "/problems/new/", problem_form(eworld, "厂区道路破损", [af.jpeg(), af.pdf()])
    )
    assert r.status_code == 302
    m = Matter.objects.get(title="厂区道路破损")
    assert sorted(a.original_name for a in services.attachments_of(m)) == [
        "现场照片.jpg",
        "验收报告.pdf",
    ]
    page = client_for(eworld, "sup_a").get(f"/problems/{m.pk}/").content.decode()
    a = services.attachments_of(m).get(content_type="image/jpeg")
    assert f'src="/attachments/{a.pk}/thumb/"' in page  # the thumbnails grid
    assert "验收报告.pdf" in page and 'enctype="multipart/form-data"' in page


def test_it_refuses_a_new_problem_whose_file_is_refused(eworld, media):
    r = client_for(eworld, "cadre_a").post(
        "/problems/new/", problem_form(eworld, "带病毒的问题", [af.jpeg(), af.exe()])
    )
    assert r.status_code == 200
    assert "可执行程序" in r.content.decode()
    assert not Matter.objects.filter(title="带病毒的问题").exists()
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def _report(ew, files: list) -> tuple[int, Matter]:
    m = ew.problem_a
    r = client_for(ew, "unit_a").post(
        f"/problems/{m.pk}/act/",
        {"action": "report", "version": m.version, "note": "已修复道路", "files": files},
    )
    return r.status_code, Matter.objects.get(pk=m.pk)


def test_it_attaches_finish_evidence_to_the_step_it_was_sent_with(eworld, media):
    status, m = _report(eworld, [af.jpeg("修复后.jpg")])
    assert status == 302 and m.status == Status.REPORTED
    step = MatterStep.objects.filter(matter=m, action="report").get()
    a = services.attachments_of(m, step=step).get()
    assert a.original_name == "修复后.jpg" and a.step_id == step.pk
    page = client_for(eworld, "ent_a").get(f"/portal/problems/{m.pk}/").content.decode()
    assert f"/attachments/{a.pk}/" in page


def test_it_does_not_take_a_step_whose_evidence_is_refused(eworld, media):
    status, m = _report(eworld, [af.zip_bomb()])
    assert status == 302 and m.status == Status.ASSIGNED
    assert not MatterStep.objects.filter(matter=m, action="report").exists()
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_it_attaches_files_to_a_task_progress_step(eworld, media):
    from tests.matrix.world import _task

    w = eworld.w
    task = _task(w, "sup_a", w.unit_a, [], w.leader_a, "城镇新增就业")
    r = client_for(eworld, "unit_a").post(
        f"/tasks/{task.pk}/act/",
        {"action": "progress", "version": task.version, "note": "已完成一半", "files": [af.xlsx()]},
    )
    assert r.status_code == 302
    a = services.attachments_of(task).get()
    assert a.original_name == "台账.xlsx" and a.step_id is not None
    assert "台账.xlsx" in client_for(eworld, "sup_a").get(f"/tasks/{task.pk}/").content.decode()


def test_it_attaches_files_to_milestones_and_monthly_reports(eworld, media):
    w = eworld.w
    ms = projects.do_add_milestone(
        w.scope("sup_a"), w.pa, {"name": "主体封顶", "planned_date": dt.date(2022, 8, 15)}
    )
    c = client_for(eworld, "unit_a")
    r = c.post(
        f"/projects/{w.pa.pk}/milestones/{ms.pk}/",
        {"version": ms.version, "actual_date": "2022-08-10", "files": [af.pdf("验收单.pdf")]},
    )
    assert r.status_code == 302
    assert [a.original_name for a in services.attachments_of(ms)] == ["验收单.pdf"]
    r = c.post(
        f"/projects/{w.pa.pk}/reports/",
        {"year": 2022, "month": 3, "amount": "120", "files": [af.jpeg("工地.jpg")]},
    )
    assert r.status_code == 302
    report = MonthlyReport.objects.get(project=w.pa, year=2022, month=3)
    assert [a.original_name for a in services.attachments_of(report)] == ["工地.jpg"]
    page = c.get(f"/projects/{w.pa.pk}/").content.decode()
    assert "验收单.pdf" in page and "工地.jpg" in page
    # A refused file leaves the month unreported.
    c.post(
        f"/projects/{w.pa.pk}/reports/",
        {"year": 2022, "month": 4, "amount": "50", "files": [af.html_as_jpg()]},
    )
    assert not MonthlyReport.objects.filter(project=w.pa, year=2022, month=4).exists()


def test_it_records_a_visit_with_photos_from_the_camera_input(eworld, media):
    c = client_for(eworld, "cadre_a")
    page = c.get("/visits/").content.decode()
    assert 'accept="image/*" capture="environment"' in page
    r = c.post(
        "/visits/",
        {
            "kind": "visit",
            "date": "2022-03-05",
            "title": "春季走访",
            "enterprises": [eworld.w.enterprise_a.pk],
            "persons": [eworld.w.cadre_a.pk],
            "files": [af.jpeg("走访.jpg")],
        },
    )
    assert r.status_code == 302
    v = Visit.objects.get(title="春季走访")
    assert [a.original_name for a in services.attachments_of(v)] == ["走访.jpg"]
    assert "走访.jpg" in c.get("/visits/").content.decode()


def test_it_lists_file_names_in_the_problem_export(eworld, media):
    import csv
    import io

    m = eworld.problem_a
    services.do_attach(eworld.scope("unit_a"), m, [af.jpeg(), af.pdf()])
    c = client_for(eworld, "sup_a")
    rows = list(
        csv.reader(io.StringIO(streamed(c.get("/problems/export.csv")).decode("utf-8-sig")))
    )
    header = next(r for r in rows if "佐证材料" in r)
    col = header.index("佐证材料")
    row = next(r for r in rows if m.title in r)
    assert row[col] == "现场照片.jpg、验收报告.pdf"
    mine = streamed(client_for(eworld, "unit_a").get("/my/export.csv")).decode("utf-8-sig")
    assert "现场照片.jpg、验收报告.pdf" in mine
