"""`taizhang extract FILE [--year YYYY] [--format json|table]`."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from typing import TextIO

from .core import extract
from .fileio import read_text_file
from .models import ExtractInputError, Indicator

_KIND_LABEL = {"target": "目标", "achievement": "完成"}


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def _fmt(value: object) -> str:
    return "" if value is None else str(value)


def render_table(items: Sequence[Indicator]) -> str:
    header = ["类型", "年份", "指标", "比较", "数值", "单位", "基数值"]
    rows = [
        [
            _KIND_LABEL.get(i.kind, i.kind),
            _fmt(i.period),
            i.name,
            i.comparator,
            _fmt(i.value),
            i.unit,
            _fmt(i.base_value),
        ]
        for i in items
    ]
    widths = [max(_width(r[c]) for r in [header, *rows]) for c in range(len(header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *rows]]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="taizhang extract", description="从政府工作报告或新闻稿中提取量化指标。"
    )
    p.add_argument("file", metavar="FILE", help=".txt（UTF-8/GBK）或 .docx 文件")
    p.add_argument("--year", type=int, default=None, help="文档的主（目标）年份，如 2024")
    p.add_argument("--format", choices=("json", "table"), default="json", help="输出格式")
    return p


def cli_main(argv: list[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args_in = list(argv)
    if args_in and args_in[0] == "extract":
        args_in = args_in[1:]  # tolerate being handed the sub-command name too
    try:
        args = _parser().parse_args(args_in)
    except SystemExit as exc:  # argparse already printed usage
        return exc.code if isinstance(exc.code, int) else 2
    if args.year is not None and not 1900 <= args.year <= 2100:
        print(f"错误：年份无效：{args.year}", file=err)
        return 2
    try:
        text = read_text_file(args.file)
    except ExtractInputError as exc:
        print(f"错误：{exc}", file=err)
        return 2
    items = extract(text, year=args.year)
    if args.format == "json":
        out.write(json.dumps([i.to_dict() for i in items], ensure_ascii=False, indent=2))
        out.write("\n")
    else:
        out.write(render_table(items) + "\n")
    return 0
