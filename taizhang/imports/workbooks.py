"""The .xlsx files we hand out: a template per kind and the error report of an import."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from taizhang.core.scope import Scope
from taizhang.imports.engine import Analysis, importer_for
from taizhang.imports.kinds.base import ERROR

_HEAD = Font(bold=True)
_REQUIRED = PatternFill("solid", fgColor="FDE9D9")


def template(kind: str, scope: Scope | None = None) -> bytes:
    """Chinese headers, one example row, and drop-down lists where a column is a choice.

    With the user's scope, the names the system manages (units, industry chains, problem
    categories) become drop-downs too, listed on a sheet of their own ("名称清单"): a
    list written into the validation itself may not exceed 255 characters.
    """
    imp = importer_for(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = imp.label
    ws.append([c.label for c in imp.columns])
    ws.append([c.example if c.example != "" else None for c in imp.columns])
    managed = imp.managed_lists(scope) if scope is not None else {}
    lists = wb.create_sheet("名称清单") if managed else None
    for i, c in enumerate(imp.columns, 1):
        cell = ws.cell(row=1, column=i)
        cell.font = _HEAD
        if c.required:
            cell.fill = _REQUIRED
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = c.width
        names = managed.get(c.key)
        if lists is not None and names:
            col = get_column_letter(lists.max_column + 1 if lists.max_row > 1 else 1)
            lists[f"{col}1"] = c.label
            for n, name in enumerate(names, 2):
                lists[f"{col}{n}"] = name
            dv = DataValidation(
                type="list",
                formula1=f"'名称清单'!${col}$2:${col}${len(names) + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",  # a new name may still be typed; the import checks it
                errorTitle="不在清单中",
                error=f"{c.label}不在系统的名称清单中，请从下拉列表选择",
            )
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
        elif c.choices:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(c.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="输入有误",
                error=f"{c.label}应为：{'、'.join(c.choices)}",
            )
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填表说明")
    notes.append(["列名", "是否必填", "说明"])
    for c in imp.columns:
        hint = "可选：" + "、".join(c.choices) if c.choices else ""
        if c.key in managed:
            hint = "从下拉列表选择（见「名称清单」工作表）"
        if "万元" in c.label:
            hint = "单位万元；也可写「1.2亿」「3500万元」"
        notes.append([c.label, "必填" if c.required else "", hint])
    notes.append([])
    notes.append(
        [
            "第一行为表头、第二行为示例，请删除示例行后填写；表头上方的标题行、表格下方的注释行会被自动忽略。"
        ]
    )
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["C"].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def error_report(analysis: Analysis) -> bytes:
    """The rows with errors as they were in the sheet, each with its reasons beside it."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误行")
    headers = [h for h, _f in analysis.columns]
    ws.append(["原行号", "错误原因", *headers])
    for r in analysis.rows:
        if r.action != ERROR:
            continue
        reasons = "；".join(
            f"{col}「{val}」：{reason}" if val else (f"{col}：{reason}" if col else reason)
            for col, val, reason in r.errors
        )
        ws.append([r.row, reasons, *list(r.cells)[: len(headers)]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
