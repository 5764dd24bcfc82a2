"""Import of ugly real-world sheets: preview, error rows, commit, re-import, rollback, limits."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from taizhang.core.models import AuditEntry
from taizhang.imports import engine
from taizhang.imports.engine import CommitError
from taizhang.imports.kinds.projects import ProjectImporter
from taizhang.imports.models import ColumnMapping
from taizhang.imports.reading import ReadError
from taizhang.imports.workbooks import error_report, template
from taizhang.projects.models import MonthlyReport, Project, ProjectYear
from tests.import_sheets import PROBLEM_HEADER, csv_bytes, xlsx


def ugly_projects() -> bytes:
    """Title rows, a two-row merged header, 亿/万元 text, full-width digits, notes, a blank row."""
    return xlsx(
        [
            ["山城区2022年重点项目台账"],
            ["填报单位：区发改委", None, None, None, None, None, None, "单位：万元"],
            [
                "序号",
                "项目编号",
                "项目名称",
                "所属区划",
                "责任单位",
                "投资情况",
                None,
                "项目阶段",
                "年度",
                "项目级别",
            ],
            [None, None, None, None, None, "总投资", "年度投资计划", None, None, None],
            [
                1,
                "ＳＣ－１０１",
                "鹤壁数据中心",
                "山城区",
                "区发改委",
                "1.2亿",
                "3500万元",
                "在建",
                "２０２２",
                "区重点",
            ],
            [],
            [
                2,
                "SC-102",
                "红旗社区养老中心",
                "红旗街道",
                "红旗街道办事处",
                "约5000万元",
                "1,200",
                "开工",
                "2022年",
                "市重点",
            ],
            [
                3,
                "SC-101",
                "重复的数据中心",
                "山城区",
                "区发改委",
                "1",
                "1",
                "在建",
                "2022",
                "区重点",
            ],
            [4, "SC-103", "未知单位项目", "山城区", "区不存在局", "100", "", "", "", ""],
            [5, "SC-104", "跨区项目", "淇滨区", "淇滨区发改委", "100", "", "", "", ""],
            [
                6,
                "SC-001",
                "新拓洋生物科技产业园（二期）",
                "山城区",
                "区发改委",
                "300000",
                "",
                "",
                "",
                "",
            ],
            [7, "SC-105", "金额有误", "山城区", "区发改委", "好几亿", "", "飞速", "", ""],
            ["注：1.金额单位为万元；2.项目级别按市发改委文件填写。"],
            ["填表人：张三", None, None, "审核人：李四"],
        ],
        merges=[
            "A1:J1",
            "F3:G3",
            "A3:A4",
            "B3:B4",
            "C3:C4",
            "D3:D4",
            "E3:E4",
            "H3:H4",
            "I3:I4",
            "J3:J4",
        ],
    )


def errors_by_row(analysis) -> dict[int, list[tuple[str, str, str]]]:
    out: dict[int, list] = {}
    for row, col, val, reason in analysis.errors:
        out.setdefault(row, []).append((col, val, reason))
    return out


def test_it_previews_an_ugly_project_ledger(world):
    a = engine.run("projects", world.scope("sup_a"), ugly_projects(), "台账.xlsx")
    assert a.sheet.header_rows == [3, 4]
    assert dict(a.columns)["总投资"] == "total"
    assert a.counts == {
        "create": 2,
        "update": 1,
        "unchanged": 0,
        "error": 4,
        "total": 7,
        "notes": 2,
    }
    by_row = {r.row: r for r in a.rows}
    first = by_row[5]
    assert first.action == "create" and first.key[1] == "SC-101"
    assert first.payload["data"]["total_investment"] == Decimal("12000.00")
    assert first.payload["plan"] == Decimal("3500.00") and first.payload["year"] == 2022
    assert by_row[7].payload["data"]["total_investment"] == Decimal("5000.00")
    assert by_row[7].payload["data"]["division"] == world.a_town
    errs = errors_by_row(a)
    assert "与第5行重复" in errs[8][0][2]
    assert errs[9] == [
        ("责任单位", "区不存在局", "单位「区不存在局」不存在，请先在系统中添加该单位或核对名称")
    ]
    assert "不在您的管辖范围内" in errs[10][0][2]
    assert {e[0] for e in errs[12]} == {"总投资（万元）", "项目阶段"}
    assert by_row[11].action == "update" and by_row[11].changes == ["项目名称"]
    assert Project.objects.count() == 3  # a preview writes nothing


def test_it_commits_once_and_a_reimport_changes_nothing(world):
    scope = world.scope("sup_a")
    before = AuditEntry.objects.count()
    a = engine.run("projects", scope, ugly_projects(), "台账.xlsx", commit=True)
    assert a.counts["create"] == 2 and a.counts["update"] == 1
    p = Project.objects.get(code="SC-101")
    assert p.total_investment == Decimal("12000.00") and p.stage == "building"
    assert ProjectYear.objects.get(project=p, year=2022).annual_plan == Decimal("3500.00")
    world.pa.refresh_from_db()
    assert world.pa.name == "新拓洋生物科技产业园（二期）"
    entries = AuditEntry.objects.filter(pk__gt=0).order_by("-id")[
        : AuditEntry.objects.count() - before
    ]
    assert {e.source for e in entries} == {"import"}
    count = AuditEntry.objects.count()
    again = engine.run("projects", scope, ugly_projects(), "台账.xlsx", commit=True)
    assert again.counts["create"] == 0 and again.counts["update"] == 0
    assert again.counts["unchanged"] == 3
    assert AuditEntry.objects.count() == count


def test_it_writes_nothing_when_a_row_fails_at_commit(world, monkeypatch):
    scope = world.scope("sup_a")
    original = ProjectImporter.commit_one

    def fail_on_row_7(self, r):
        if r.row == 7:
            from taizhang.core.errors import invalid

            raise invalid("name", "模拟写入失败")
        return original(self, r)

    monkeypatch.setattr(ProjectImporter, "commit_one", fail_on_row_7)
    projects, audits = Project.objects.count(), AuditEntry.objects.count()
    with pytest.raises(CommitError) as e:
        engine.run("projects", scope, ugly_projects(), "台账.xlsx", commit=True)
    assert e.value.row == 7 and "模拟写入失败" in str(e.value)
    assert Project.objects.count() == projects and AuditEntry.objects.count() == audits
    world.pa.refresh_from_db()
    assert world.pa.name == "新拓洋生物科技产业园"


def test_it_refuses_unit_staff_and_leaders(world):
    for name in ("unit_a", "leader_a", "cadre_a"):
        with pytest.raises(PermissionDenied):
            engine.run("projects", world.scope(name), ugly_projects(), "台账.xlsx")


def test_it_reads_gbk_csv_and_utf8_bom_csv(world):
    rows = [
        ["项目编号", "项目名称", "责任单位", "总投资（亿元）"],
        ["SC-201", "淇河生态廊道", "区发改委", "2.5"],
    ]
    for encoding in ("gbk", "utf-8-sig", "gb18030"):
        a = engine.run("projects", world.scope("sup_a"), csv_bytes(rows, encoding), "x.csv")
        assert a.counts["create"] == 1, encoding
        assert a.rows[0].payload["data"]["total_investment"] == Decimal("25000.00")


def test_it_maps_own_headers_and_remembers_them(world):
    data = xlsx(
        [["项目编号", "项目名称", "牵头负责部门", "总投资"], ["SC-301", "测试", "区发改委", 100]]
    )
    a = engine.run("projects", world.scope("sup_a"), data, "x.xlsx")
    assert a.missing == ["责任单位"]
    a = engine.run(
        "projects", world.scope("sup_a"), data, "x.xlsx", mapping={"牵头负责部门": "unit"}
    )
    assert not a.missing and a.counts["create"] == 1
    engine.remember("projects", {"牵头负责部门": "unit"})
    assert ColumnMapping.objects.filter(kind="projects", field="unit").exists()
    a = engine.run("projects", world.scope("sup_a"), data, "x.xlsx")
    assert not a.missing and a.counts["create"] == 1


def reports_sheet(rows: list[list]) -> bytes:
    return xlsx(
        [
            ["2022年重点项目月度投资完成情况表"],
            ["项目编号", "项目名称", "年度", "月份", "当月完成投资（万元）", "形象进度"],
            *rows,
        ]
    )


def test_it_imports_monthly_reports_and_skips_unchanged(world):
    scope = world.scope("sup_a")
    data = reports_sheet(
        [
            ["SC-001", "新拓洋", 2022, "1月", "0.5亿", "主体施工"],
            ["SC-001", "新拓洋", "２０２２", 2, "3000万元", ""],
            ["SC-001", "新拓洋", 2022, 2, "1", "重复"],
            ["SC-002", "红旗", 2022, 13, "1", ""],
            ["QB-001", "淇滨", 2022, 1, "1", ""],
            ["XX-999", "无此项目", 2022, 1, "1", ""],
            ["SC-002", "红旗", 2099, 1, "1", ""],
        ]
    )
    a = engine.run("reports", scope, data, "m.xlsx", commit=True)
    assert a.counts["create"] == 2 and a.counts["error"] == 5
    errs = errors_by_row(a)
    assert "与第4行重复" in errs[5][0][2]
    assert "应在1—12之间" in errs[6][0][2]
    assert "不在您的管辖范围内" in errs[7][0][2]
    assert "不存在" in errs[8][0][2]
    assert "未来月份" in errs[9][0][2]
    amounts = dict(MonthlyReport.objects.filter(project=world.pa).values_list("month", "amount"))
    assert amounts == {1: Decimal("5000.00"), 2: Decimal("3000.00")}
    count = AuditEntry.objects.count()
    again = engine.run("reports", scope, data, "m.xlsx", commit=True)
    assert again.counts["unchanged"] == 2, (
        again.counts,
        [vars(r) for r in again.rows],
    ) and again.counts["create"] == 0
    assert AuditEntry.objects.count() == count


def test_it_converts_cumulative_figures_to_months(world):
    data = xlsx(
        [
            ["项目编号", "年度", "月份", "累计完成投资（万元）"],
            ["SC-001", 2022, 1, 1000],
            ["SC-001", 2022, 2, 2500],
            ["SC-001", 2022, 3, "0.4亿"],
            ["SC-002", 2022, 1, 800],
            ["SC-002", 2022, 2, 500],
        ]
    )
    a = engine.run("reports", world.scope("sup_a"), data, "c.xlsx", commit=True)
    assert a.counts["create"] == 4 and a.counts["error"] == 1
    assert "小于此前月份累计" in a.errors[0][3]
    amounts = dict(MonthlyReport.objects.filter(project=world.pa).values_list("month", "amount"))
    assert amounts == {1: Decimal("1000"), 2: Decimal("1500"), 3: Decimal("1500")}


@pytest.mark.parametrize("threshold", [0, 10_000])
def test_it_checks_the_project_total_on_both_commit_paths(world, settings, threshold):
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_BULK_THRESHOLD": threshold}
    data = reports_sheet(
        [
            ["SC-002", "红旗", 2022, 1, 3000, ""],
            ["SC-002", "红旗", 2022, 2, 2500, ""],  # 5500 > 5000 total
            ["SC-002", "红旗", 2022, 3, 2000, ""],
        ]
    )
    a = engine.run("reports", world.scope("sup_a"), data, "m.xlsx", commit=True)
    assert a.counts["create"] == 2
    assert "超过项目总投资" in errors_by_row(a)[4][0][2]
    reports = MonthlyReport.objects.filter(project=world.pa_town).order_by("month")
    assert [(r.month, r.amount) for r in reports] == [
        (1, Decimal("3000.00")),
        (3, Decimal("2000.00")),
    ]
    entries = AuditEntry.objects.filter(object_type="projects.monthlyreport", source="import")
    assert entries.count() == 2 and {e.root_id for e in entries} == {str(world.pa_town.pk)}


def test_it_batches_large_commits_with_the_same_audit_trail(world, settings, monkeypatch):
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_BULK_THRESHOLD": 0}
    scope = world.scope("sup_a")
    engine.run(
        "reports", scope, reports_sheet([["SC-001", "", 2022, 1, 100, "a"]]), "m.xlsx", commit=True
    )
    data = reports_sheet([["SC-001", "", 2022, 1, 200, "b"], ["SC-001", "", 2022, 2, 300, ""]])
    engine.run("reports", scope, data, "m.xlsx", commit=True)
    r1 = MonthlyReport.objects.get(project=world.pa, month=1)
    assert r1.amount == Decimal("200") and r1.corrections == 1 and r1.note == "b"
    update = AuditEntry.objects.filter(object_id=str(r1.pk), action="update").get()
    assert update.source == "import" and update.changes["当月完成投资（万元）"] == ["100", "200"]
    # A failure inside the batched path rolls back the batch already written.
    from taizhang.projects.models import MonthlyReport as MR

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(MR.objects, "bulk_update", boom)
    count, audits = MonthlyReport.objects.count(), AuditEntry.objects.count()
    data = reports_sheet([["SC-001", "", 2022, 3, 1, ""], ["SC-001", "", 2022, 1, 999, ""]])
    with pytest.raises(RuntimeError):
        engine.run("reports", scope, data, "m.xlsx", commit=True)
    assert MonthlyReport.objects.count() == count and AuditEntry.objects.count() == audits


def test_it_refuses_a_zip_bomb_and_a_corrupt_file(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (30 * 1024 * 1024))
    with pytest.raises(ReadError, match="压缩比异常"):
        engine.run("projects", world.scope("sup_a"), buf.getvalue(), "bomb.xlsx")
    with pytest.raises(ReadError, match="损坏"):
        engine.run("projects", world.scope("sup_a"), b"PK\x03\x04not really a zip", "bad.xlsx")
    with pytest.raises(ReadError, match="无法读取"):
        engine.run("projects", world.scope("sup_a"), b"\xd0\xcf\x11\xe0garbage" * 10, "bad.xls")


def test_it_enforces_size_row_and_column_limits(world, settings):
    rows = [["项目编号", "项目名称", "责任单位", "总投资"]] + [
        [f"L{i}", "x", "区发改委", 1] for i in range(40)
    ]
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_MAX_ROWS": 5}
    with pytest.raises(ReadError, match="超过单次导入上限 5 行"):
        engine.run("projects", world.scope("sup_a"), xlsx(rows), "x.xlsx")
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_MAX_ROWS": 1000, "IMPORT_MAX_COLUMNS": 3}
    with pytest.raises(ReadError, match="超过上限 3 列"):
        engine.run("projects", world.scope("sup_a"), xlsx(rows), "x.xlsx")
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_MAX_COLUMNS": 100, "IMPORT_MAX_BYTES": 1024}
    with pytest.raises(ReadError, match="超过上限"):
        engine.run("projects", world.scope("sup_a"), xlsx(rows), "x.xlsx")


def test_it_hands_out_templates_with_choice_lists_and_an_error_report(world):
    wb = load_workbook(io.BytesIO(template("projects")))
    ws = wb.active
    assert [c.value for c in ws[1]][:3] == ["项目编号", "项目名称", "所属区划"]
    assert ws["A2"].value == "SC-2026-001"
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any("在建" in f for f in lists) and any("区重点" in f for f in lists)
    # The template imports as it is.
    a = engine.run("projects", world.scope("sup_a"), template("projects"), "t.xlsx")
    assert not a.missing and a.counts["total"] == 1
    a = engine.run("projects", world.scope("sup_a"), ugly_projects(), "台账.xlsx")
    report = load_workbook(io.BytesIO(error_report(a))).active
    rows = list(report.values)
    assert rows[0][:3] == ("原行号", "错误原因", "序号")
    assert [r[0] for r in rows[1:]] == [8, 9, 10, 12]
    assert "区不存在局" in rows[2][1] and rows[2][6] == "区不存在局"


def test_it_reads_dates_in_four_formats_in_a_problem_ledger(eworld):
    ew = eworld
    w = ew.w
    code = w.enterprise_a.credit_code
    data = xlsx(
        [
            ["企业问题台账"],
            [
                "问题编号",
                "统一社会信用代码",
                "企业名称",
                "问题类别",
                "问题标题",
                "具体内容",
                "问题来源",
                "提出日期",
            ],
            ["WT-1", code, "", "用工", "招工难一", "缺工30人", "走访", "2022.3.5"],
            ["WT-2", "", "宝发能源", "融资", "贷款难", "", "座谈会", "2022年3月6日"],
            ["WT-3", code, "", "用地", "用地难", "", "", dt.datetime(2022, 3, 7)],
            ["WT-4", code, "", "用工", "招工难四", "", "", 44629],  # Excel serial for 2022-03-09
            ["WT-5", code, "", "用工", "日期错", "", "", "2022.13.1"],
            ["WT-6", code, "", "吃饭", "类别错", "", "", "2022-03-05"],
            ["WT-1", code, "", "用工", "重复编号", "", "", "2022-03-05"],
            ["WT-7", ew.enterprise_b.credit_code, "", "用工", "外区企业", "", "", "2022-03-05"],
        ]
    )
    scope = w.scope("sup_a")
    a = engine.run("problems", scope, data, "p.xlsx")
    errs = errors_by_row(a)
    assert sorted(errs) == [7, 8, 9, 10]
    assert "无法识别的日期" in errs[7][0][2] and "问题类别" == errs[8][0][0]
    assert "与第3行重复" in errs[9][0][2] and "不在您的管辖范围内" in errs[10][0][2]
    days = [r.payload["raised_on"] for r in a.rows if r.action == "create"]
    assert days == [
        dt.date(2022, 3, 5),
        dt.date(2022, 3, 6),
        dt.date(2022, 3, 7),
        dt.date(2022, 3, 9),
    ]
    from taizhang.matters.models import Matter

    n = Matter.objects.count()
    engine.run("problems", scope, data, "p.xlsx", commit=True)
    assert Matter.objects.count() == n + 4
    count = AuditEntry.objects.count()
    again = engine.run("problems", scope, data, "p.xlsx", commit=True)
    assert again.counts["unchanged"] == 4 and again.counts["create"] == 0
    assert AuditEntry.objects.count() == count


def test_it_imports_enterprises_by_credit_code(eworld):
    from taizhang.enterprises.models import Enterprise
    from tests.enterprise_fixtures import code

    w = eworld.w
    data = xlsx(
        [
            ["统一社会信用代码", "企业名称", "所属区划", "四上类别", "联系人"],
            [code(50), "新企业甲", "山城区", "规上工业", "王五"],
            [
                eworld.enterprise_a2.credit_code.lower(),
                "宝发能源（更名）",
                "山城区",
                "规上工业",
                "",
            ],
            ["91410603MA00000001", "校验位错", "山城区", "", ""],
            [code(51), "淇滨企业", "淇滨区", "", ""],
        ]
    )
    a = engine.run("enterprises", w.scope("sup_a"), data, "e.xlsx", commit=True)
    assert a.counts["create"] == 1 and a.counts["update"] == 1 and a.counts["error"] == 2
    assert Enterprise.objects.get(credit_code=code(50)).category == "industry"
    eworld.enterprise_a2.refresh_from_db()
    assert eworld.enterprise_a2.name == "宝发能源（更名）"
    again = engine.run("enterprises", w.scope("sup_a"), data, "e.xlsx")
    assert again.counts["unchanged"] == 2, (again.counts, [vars(r) for r in again.rows])


def test_it_imports_liaison_assignments(eworld):
    w = eworld.w
    data = xlsx(
        [
            ["包联人", "包联身份", "统一社会信用代码", "项目编号", "开始日期"],
            ["王区长", "包联领导", eworld.enterprise_a2.credit_code, "", "2022年1月1日"],
            ["李干部", "包联干部", "", "SC-001", "2022.2.1"],
            ["查无此人", "包联干部", "", "SC-001", "2022.2.1"],
        ]
    )
    a = engine.run("liaisons", w.scope("sup_a"), data, "l.xlsx", commit=True)
    assert a.counts["create"] == 2 and a.counts["error"] == 1
    again = engine.run("liaisons", w.scope("sup_a"), data, "l.xlsx")
    assert again.counts["unchanged"] == 2, (again.counts, [vars(r) for r in again.rows])


def test_it_writes_problems_steps_and_audit_on_the_batched_path(eworld, settings):
    from taizhang.matters.models import Matter

    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_BULK_THRESHOLD": 0}
    w = eworld.w
    data = xlsx(
        [
            PROBLEM_HEADER,
            [
                "PB-1",
                w.enterprise_a.credit_code,
                "用工",
                "缺技工",
                "缺焊工20人",
                "走访",
                "2022-03-05",
            ],
            ["PB-2", w.enterprise_a.credit_code, "融资", "贷款难", "", "座谈会", "2022-03-06"],
        ]
    )
    engine.run("problems", w.scope("sup_a"), data, "p.xlsx", commit=True)
    m = Matter.objects.get(title="缺技工")
    assert m.enterprise == w.enterprise_a and m.raised_on == dt.date(2022, 3, 5)
    step = m.steps.get()
    assert step.label == "提出" and step.by == w.users["sup_a"] and step.note == "缺焊工20人"
    entry = AuditEntry.objects.get(object_type="matters.matter", object_id=str(m.pk))
    assert entry.source == "import" and entry.action == "create"
    assert entry.actor == w.users["sup_a"] and entry.division_path == w.a.path
    assert [None, "缺技工"] in entry.changes.values()
    assert entry.root_type == "matters.matter" and entry.root_id == str(m.pk)
    # What the live path records for the same fields, the batched path records too.
    assert [None, "缺焊工20人"] in entry.changes.values()
    again = engine.run("problems", w.scope("sup_a"), data, "p.xlsx", commit=True)
    assert again.counts["unchanged"] == 2, (again.counts, [vars(r) for r in again.rows])
    # Rows written around the ORM leave the id sequence in step for ordinary saves.
    from taizhang.matters import services as ms

    later = ms.do_create_problem(
        w.scope("sup_a"),
        {
            "enterprise": w.enterprise_a,
            "title": "之后登记",
            "category": m.category,
            "source": m.source,
            "description": "x",
        },
    )
    assert later.pk > max(Matter.objects.exclude(pk=later.pk).values_list("pk", flat=True))
    assert m.status == later.status and m.version == later.version


def test_it_reports_every_mistake_of_a_row_at_once(eworld):
    """A row with four mistakes took four uploads; now one upload lists all four."""
    ew = eworld
    w = ew.w
    header = ["问题编号", "企业名称", "问题类别", "问题标题", "问题来源", "提出日期"]
    data = xlsx(
        [
            header,
            ["WT-1", "不存在的企业", "吃饭", "", "串门", "2022.13.1"],
            ["WT-2", "宝发", "用工", "招工难", "visit", "2022-03-05"],
        ]
    )
    a = engine.run("problems", w.scope("sup_a"), data, "p.xlsx")
    errs = errors_by_row(a)
    columns = {col for col, _v, _r in errs[2]}
    assert columns == {"企业名称", "问题类别", "问题标题", "问题来源", "提出日期"}
    source = next(r for c, _v, r in errs[2] if c == "问题来源")
    # The valid values are the labels people read; the codes are not offered.
    assert "走访" in source and "visit" not in source and "service_day" not in source
    # A code is still accepted, and a shortened enterprise name gets a suggestion.
    assert 3 in errs and len(errs[3]) == 1 and "您是否要填「宝发能源" in errs[3][0][2]
