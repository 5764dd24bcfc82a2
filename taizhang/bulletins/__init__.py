"""Bulletins (通报): official-document .docx built from plain content, charts as images."""

from __future__ import annotations

from taizhang.bulletins.charts import ChartBlock
from taizhang.bulletins.docx import BulletinContent, Section, TableBlock, build_bulletin, cn_date

__all__ = ["BulletinContent", "ChartBlock", "Section", "TableBlock", "build_bulletin", "cn_date"]
