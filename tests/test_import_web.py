"""Import through the web pages, the job worker, the API and the CLI."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from taizhang.core.models import ApiToken, AuditEntry
from taizhang.imports import jobs
from taizhang.imports.models import ColumnMapping, ImportJob
from taizhang.projects.models import Project
from tests.import_sheets import xlsx

SHEET = [
    ["项目编号", "项目名称", "负责部门", "总投资（万元）"],
    ["SC-401", "网页导入项目", "区发改委", "1.5亿"],
]


@pytest.fixture(autouse=True)
def no_thread(settings):
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_INLINE_THREAD": False}


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def test_it_walks_upload_mapping_preview_commit(world):
    c = login(world, "sup_a")
    assert "导入" in c.get("/").content.decode()
    r = c.post("/imports/", {"kind": "projects", "file": SimpleUploadedFile("p.xlsx", xlsx(SHEET))})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r.url == f"/imports/{job.pk}/"
    assert c.get(f"/imports/{job.pk}/status.json").json()["status"] == "pending"
    assert jobs.run_pending() == 1
    page = c.get(f"/imports/{job.pk}/").content.decode()
    assert "缺少必填列" in page and "责任单位" in page
    c.post(
        f"/imports/{job.pk}/mapping/",
        {
            "map:负责部门": "unit",
            "map:项目编号": "code",
            "map:项目名称": "name",
            "map:总投资（万元）": "total",
        },
    )
    assert ColumnMapping.objects.filter(kind="projects", field="unit").exists()
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "preview" and job.counts["create"] == 1
    assert c.get(f"/imports/{job.pk}/status.json").json()["percent"] == 100
    c.post(f"/imports/{job.pk}/commit/")
    # The conditional UPDATE gives the job to one runner only.
    assert not jobs.claim(job.pk, "preview", "commit_pending")
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "done", job.message
    p = Project.objects.get(code="SC-401")
    assert str(p.total_investment) == "15000.00"
    assert (
        AuditEntry.objects.filter(object_id=str(p.pk), object_type="projects.project").get().source
        == "import"
    )
    assert "已导入" in c.get(f"/imports/{job.pk}/").content.decode()


def test_it_serves_templates_and_error_reports(world):
    c = login(world, "sup_a")
    for kind in ("projects", "reports", "enterprises", "liaisons", "problems"):
        r = c.get(f"/imports/template/{kind}.xlsx")
        assert r.status_code == 200 and r.content[:2] == b"PK"
    data = xlsx([["项目编号", "项目名称", "责任单位", "总投资"], ["SC-9", "x", "没有的局", 1]])
    c.post("/imports/", {"kind": "projects", "file": SimpleUploadedFile("p.xlsx", data)})
    jobs.run_pending()
    job = ImportJob.objects.get()
    assert "没有的局" in c.get(f"/imports/{job.pk}/").content.decode()
    r = c.get(f"/imports/{job.pk}/errors.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_it_keeps_imports_to_the_supervision_office(world):
    for name in ("unit_a", "leader_a", "cadre_a"):
        c = login(world, name)
        assert c.get("/imports/").status_code == 403
        r = c.post(
            "/imports/", {"kind": "projects", "file": SimpleUploadedFile("p.xlsx", xlsx(SHEET))}
        )
        assert r.status_code == 403
        assert "/imports/" not in c.get("/").content.decode()
    c = login(world, "sup_a")
    c.post("/imports/", {"kind": "projects", "file": SimpleUploadedFile("p.xlsx", xlsx(SHEET))})
    job = ImportJob.objects.get()
    assert login(world, "sup_b").get(f"/imports/{job.pk}/").status_code == 404


def test_it_imports_over_the_api(world):
    _token, raw = ApiToken.issue(world.users["sup_a"], "t")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    data = xlsx(
        [
            ["项目编号", "项目名称", "责任单位", "总投资"],
            ["SC-501", "接口项目", "区发改委", "3500万元"],
        ]
    )
    r = c.post("/api/v1/imports/projects", {"file": SimpleUploadedFile("p.xlsx", data)})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["counts"]["create"] == 1 and body["status"] == "preview"
    r = c.post(f"/api/v1/imports/{body['job_id']}/commit")
    # Queued for the worker, not run in the request: 202 and where to look.
    assert r.status_code == 202 and r.json()["status"] == "commit_pending"
    assert not Project.objects.filter(code="SC-501").exists()
    assert jobs.run_pending() == 1
    r = c.get(r.json()["url"])
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert Project.objects.filter(code="SC-501").exists()
    r = c.post("/api/v1/imports/projects", {"file": SimpleUploadedFile("p.xlsx", b"junk")})
    assert r.status_code == 422 and "损坏" in r.json()["detail"]
    _t, raw_u = ApiToken.issue(world.users["unit_a"], "u")
    r = Client(HTTP_AUTHORIZATION=f"Bearer {raw_u}").post(
        "/api/v1/imports/projects", {"file": SimpleUploadedFile("p.xlsx", data)}
    )
    assert r.status_code == 403


def test_it_imports_from_the_command_line(world, tmp_path, capsys):
    path = tmp_path / "p.xlsx"
    path.write_bytes(
        xlsx(
            [
                ["项目编号", "项目名称", "责任单位", "总投资"],
                ["SC-601", "命令行项目", "区发改委", 100],
                ["SC-602", "x", "没有的局", 1],
            ]
        )
    )
    out = io.StringIO()
    call_command("import", "projects", str(path), "--user", "sup_a", stdout=out)
    text = out.getvalue()
    assert "新增 1" in text and "错误 1" in text and "第3行 责任单位「没有的局」" in text
    assert not Project.objects.filter(code="SC-601").exists()
    call_command(
        "import", "projects", str(path), "--user", "sup_a", "--commit", stdout=io.StringIO()
    )
    assert Project.objects.get(code="SC-601").name == "命令行项目"
    assert "100%" in capsys.readouterr().err


def test_it_offers_the_managed_names_as_drop_downs_in_the_template(world):
    import io

    import openpyxl

    from taizhang.projects.models import IndustryChain

    IndustryChain.objects.get_or_create(name="高端装备制造")
    c = login(world, "sup_a")
    wb = openpyxl.load_workbook(io.BytesIO(c.get("/imports/template/projects.xlsx").content))
    lists = wb["名称清单"]
    columns = {lists.cell(1, i).value: i for i in range(1, lists.max_column + 1)}
    units = [lists.cell(r, columns["责任单位"]).value for r in range(2, lists.max_row + 1)]
    chains = [lists.cell(r, columns["产业链"]).value for r in range(2, lists.max_row + 1)]
    assert world.unit_a.name in units and world.unit_b.name not in units  # only the user's own
    assert "高端装备制造" in chains
    formulas = [dv.formula1 for dv in wb.worksheets[0].data_validations.dataValidation]
    assert any("名称清单" in f for f in formulas)
    # The import answers a shortened name with the name it probably means.
    data = xlsx(
        [
            ["项目编号", "项目名称", "责任单位", "总投资", "产业链"],
            ["SC-9", "x", world.unit_a.name, 1, "高端装备"],
        ]
    )
    c.post("/imports/", {"kind": "projects", "file": SimpleUploadedFile("p.xlsx", data)})
    jobs.run_pending()
    job = ImportJob.objects.get()
    assert "您是否要填「高端装备制造」" in c.get(f"/imports/{job.pk}/").content.decode()
