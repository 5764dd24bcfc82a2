"""The bulletin .docx: GB/T 9704-2012 layout read back with python-docx, then through LibreOffice."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import RGBColor

from taizhang.bulletins import charts
from taizhang.bulletins import docx as bulletin_docx
from taizhang.bulletins.charts import ChartBlock, render_bar_chart
from taizhang.bulletins.docx import (
    BulletinContent,
    Section,
    TableBlock,
    build_bulletin,
    cn_date,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def sample(**overrides) -> BulletinContent:
    fields = dict(
        issuer_name="山城区人民政府督查室文件",
        doc_number="山城督〔2022〕8号",
        title="关于2022年第三季度重点工作\n考评情况的通报",
        date=date(2022, 10, 8),
        addressee="各乡镇（街道），区直各单位：",
        preamble=["根据全区重点工作考评办法，现将第三季度考评情况通报如下。"],
        sections=[
            Section(
                "总体情况",
                ["全区重点项目1至9月份完成投资123.3亿元，占年度投资计划的143.2%。"],
                charts=[
                    ChartBlock(
                        "各乡镇（街道）投资完成率",
                        ["红旗街道", "鹿楼乡", "石林镇"],
                        [143.2, 80.5, 60.0],
                        "%",
                        75.0,
                        "红色虚线为时序进度75.0%",
                    )
                ],
            ),
            Section(
                "考评排名",
                ["按考评办法打分排名如下。"],
                tables=[
                    TableBlock(
                        "飞虎榜",
                        ["名次", "单位", "得分"],
                        [[1, "红旗街道", "96.50"], [2, "鹿楼乡", "93.25"]],
                        [20, 90, 40],
                    ),
                    TableBlock("蜗牛榜", ["名次", "单位", "得分"], [[9, "石林镇", "71.80"]]),
                ],
                subsections=[
                    Section("乡镇（街道）", ["略。"]),
                    Section("（二）区直部门", ["略。"]),
                ],
            ),
            Section(
                "三、逾期事项",
                ["以下事项逾期未办结，请主办单位抓紧办理。"],
                tables=[
                    TableBlock(
                        "逾期未办结事项",
                        ["序号", "事项", "主办单位", "办理时限"],
                        [[1, "鹤山路改造", "住建局", "2022年9月15日"]],
                        note="注：截至2022年9月30日。",
                    )
                ],
            ),
        ],
        closing_office="山城区人民政府督查室",
    )
    fields.update(overrides)
    return BulletinContent(**fields)


@pytest.fixture(scope="module")
def built() -> bytes:
    return build_bulletin(sample())


@pytest.fixture(scope="module")
def doc(built):
    return Document(io.BytesIO(built))


def east_asia(run) -> str | None:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def para(doc, text: str):
    for p in doc.paragraphs:
        if p.text == text:
            return p
    raise AssertionError(f"no paragraph {text!r} in {[p.text for p in doc.paragraphs]}")


def test_page_size_and_margins(doc):
    sec = doc.sections[0]
    expected = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 37,
        "bottom_margin": 35,
        "left_margin": 28,
        "right_margin": 26,
    }
    for name, mm in expected.items():
        assert abs(getattr(sec, name).mm - mm) <= 0.5, name
    # 版心 156 × 225 mm
    assert abs(sec.page_width.mm - sec.left_margin.mm - sec.right_margin.mm - 156) <= 0.5
    assert abs(sec.page_height.mm - sec.top_margin.mm - sec.bottom_margin.mm - 225) <= 0.5


def test_document_grid_28_by_22(doc):
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579"
    char_space = int(grid.get(qn("w:charSpace")))
    # 28 characters of 16 pt + charSpace/4096 pt fill the 156 mm text area
    pitch_pt = 16 + char_space / 4096
    assert abs(28 * pitch_pt - 156 / 25.4 * 72) < 0.5
    # 22 lines of 579 twips fill the 225 mm text area
    assert abs(22 * 579 / 20 - 225 / 25.4 * 72) < 2
    body = para(doc, "全区重点项目1至9月份完成投资123.3亿元，占年度投资计划的143.2%。")
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.95)


def test_masthead_red_mark_number_and_rule(doc):
    mark = doc.paragraphs[0]
    assert mark.text == "山城区人民政府督查室文件"
    run = mark.runs[0]
    assert run.font.color.rgb == RGBColor(0xFF, 0x00, 0x00)
    assert east_asia(run) == "方正小标宋简体"
    assert mark.alignment == 1  # centred
    number = doc.paragraphs[1]
    assert number.text == "山城督〔2022〕8号"
    bottom = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "FF0000"
    assert bottom.get(qn("w:val")) == "single"


def test_fonts_title_body_headings(doc):
    title = doc.paragraphs[2]
    assert title.text == "关于2022年第三季度重点工作\n考评情况的通报"
    assert east_asia(title.runs[0]) == "方正小标宋简体"
    assert title.runs[0].font.size.pt == 22
    body = para(doc, "按考评办法打分排名如下。")
    assert east_asia(body.runs[0]) == "仿宋_GB2312"
    assert body.runs[0].font.size.pt == 16
    assert body.paragraph_format.first_line_indent.pt == pytest.approx(31)  # two characters
    assert east_asia(para(doc, "一、总体情况").runs[0]) == "黑体"
    assert east_asia(para(doc, "（一）乡镇（街道）").runs[0]) == "楷体_GB2312"
    # a number the caller already wrote is replaced, not doubled
    assert east_asia(para(doc, "（二）区直部门").runs[0]) == "楷体_GB2312"
    assert para(doc, "三、逾期事项")
    # every slot carries the name, so Word uses it for Latin and Chinese alike
    fonts = body.runs[0]._r.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "仿宋_GB2312"
    }


def test_signature_and_date(doc):
    office, when = doc.paragraphs[-2], doc.paragraphs[-1]
    assert office.text == "山城区人民政府督查室"
    assert when.text == "2022年10月8日"
    assert office.alignment == 2  # right, two characters in
    assert office.paragraph_format.right_indent.pt == pytest.approx(31)
    # the date starts two characters right of the office's first character
    text_w = 156 / 25.4 * 72
    office_left = text_w - 31 - 10 * 15.5
    assert when.paragraph_format.left_indent.pt == pytest.approx(office_left + 31, abs=0.1)
    assert cn_date(date(2022, 1, 5)) == "2022年1月5日"


def test_footer_page_numbers_odd_right_even_left(doc, built):
    sec = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in ((sec.footer, 2), (sec.even_page_footer, 0)):
        p = footer.paragraphs[0]
        assert p.alignment == align
        xml = p._p.xml
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert xml.count('w:fldCharType="begin"') == 1 and 'w:fldCharType="end"' in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert east_asia(p.runs[0]) == "宋体" and p.runs[0].font.size.pt == 14


def test_tables(doc):
    texts = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    assert texts[0] == [
        ["名次", "单位", "得分"],
        ["1", "红旗街道", "96.50"],
        ["2", "鹿楼乡", "93.25"],
    ]
    assert texts[1][1] == ["9", "石林镇", "71.80"]
    assert texts[2][1] == ["1", "鹤山路改造", "住建局", "2022年9月15日"]
    widths = [round(c.width.mm) for c in doc.tables[0].rows[0].cells]
    assert widths == [20, 90, 40]
    cell_run = doc.tables[0].rows[1].cells[1].paragraphs[0].runs[0]
    assert east_asia(cell_run) == "仿宋_GB2312" and cell_run.font.size.pt == 14
    header_run = doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert east_asia(header_run) == "黑体"
    assert doc.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    borders = doc.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:insideH")).get(qn("w:val")) == "single"
    assert para(doc, "注：截至2022年9月30日。")


def test_empty_table_says_none():
    content = sample(
        sections=[Section("蜗牛榜", tables=[TableBlock("蜗牛榜", ["名次", "单位"], [])])]
    )
    doc = Document(io.BytesIO(build_bulletin(content)))
    row = doc.tables[0].rows[1]
    assert row.cells[0].text == "无" and len(row._tr.findall(qn("w:tc"))) == 1


def test_wide_tables_are_scaled_to_the_text_area():
    block = TableBlock("宽表", ["甲", "乙"], [["1", "2"]], [120, 120])
    doc = Document(io.BytesIO(build_bulletin(sample(sections=[Section("表", tables=[block])]))))
    assert sum(c.width.mm for c in doc.tables[0].rows[0].cells) == pytest.approx(156, abs=0.5)
    with pytest.raises(ValueError, match="列数不一致"):
        TableBlock("坏表", ["甲", "乙"], [["1"]])


def test_chart_is_an_inline_png(doc, built):
    assert len(doc.inline_shapes) == 1
    shape = doc.inline_shapes[0]
    assert abs(shape.width.mm - 150) < 0.5
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    image = doc.part.related_parts[blip.embed]
    assert image.blob.startswith(PNG_MAGIC)
    assert para(doc, "各乡镇（街道）投资完成率（单位：%）")
    assert para(doc, "红色虚线为时序进度75.0%")


def test_chart_without_cjk_font_numbers_the_labels(monkeypatch):
    monkeypatch.setattr(charts, "cjk_font_family", lambda: None)
    block = ChartBlock("完成率", ["红旗街道", "B"], [1, 2])
    image = render_bar_chart(block)
    assert image is not None and image.png.startswith(PNG_MAGIC)
    assert image.legend == ("1.红旗街道", "2.B")
    doc = Document(io.BytesIO(build_bulletin(sample(sections=[Section("图", charts=[block])]))))
    assert para(doc, "图中序号：1.红旗街道；2.B")


def test_it_finds_a_cjk_font_missing_from_matplotlibs_cache(monkeypatch):
    """A font installed after matplotlib built its cache still labels the bars with names."""
    from matplotlib import font_manager

    if not any("cjk" in p.lower() for p in font_manager.findSystemFonts()):
        if os.environ.get("CI"):
            pytest.fail("fonts-noto-cjk is required in CI")
        pytest.skip("no CJK font on this machine")
    kept = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", kept)
    charts.cjk_font_family.cache_clear()
    try:
        assert charts.cjk_font_family() is not None
        image = render_bar_chart(ChartBlock("完成率", ["城乡一体化示范区管委会", "石林镇"], [1, 2]))
        assert image is not None and image.legend == ()
    finally:
        charts.cjk_font_family.cache_clear()


def test_it_shortens_long_unit_names_under_bars():
    assert charts.short_label("石林镇") == "石林镇"
    assert charts.short_label("城乡一体化示范区管委会") == "城乡一体化示范…"


def test_chart_without_matplotlib_becomes_a_table(monkeypatch):
    monkeypatch.setattr(bulletin_docx, "render_bar_chart", lambda block: None)
    block = ChartBlock("完成率", ["红旗街道"], [143.25], "%")
    doc = Document(io.BytesIO(build_bulletin(sample(sections=[Section("图", charts=[block])]))))
    assert not doc.inline_shapes
    assert [c.text for c in doc.tables[0].rows[1].cells] == ["红旗街道", "143.3"]


def test_chart_input_checks():
    with pytest.raises(ValueError, match="个数不一致"):
        ChartBlock("x", ["a"], [1, 2])
    with pytest.raises(ValueError, match="非有限"):
        render_bar_chart(ChartBlock("x", ["a"], [float("nan")]))
    assert render_bar_chart(ChartBlock("x", [], [])) is None


# --------------------------------------------------------------------------- LibreOffice


def _soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) is required in CI")
    return found


def _convert(soffice: str, src: Path, target: str, outdir: Path, profile: Path) -> None:
    # A profile per run: parallel conversions sharing one profile block each other.
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )


def test_libreoffice_opens_and_renders_it(built, tmp_path):
    soffice = _soffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    src = tmp_path / "bulletin.docx"
    src.write_bytes(built)
    profile = Path("/tmp") / f"lo-{uuid.uuid4().hex}"
    try:
        _convert(soffice, src, "pdf", tmp_path, profile)
        pdf = tmp_path / "bulletin.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        _convert(soffice, src, "txt:Text (encoded):UTF8", tmp_path, profile)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    text = (tmp_path / "bulletin.txt").read_text(encoding="utf-8-sig")
    for expected in (
        "山城区人民政府督查室文件",
        "山城督〔2022〕8号",
        "关于2022年第三季度重点工作",
        "考评情况的通报",
        "一、总体情况",
        "123.3亿元",
        "96.50",
        "石林镇",
        "2022年10月8日",
    ):
        assert expected in text, expected
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("poppler-utils (pdftotext) is required in CI")
        return
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, timeout=60, check=True
    ).stdout.decode()
    # poppler prints the page number as "—1—" or "— 1 —" depending on its version and the
    # font's spacing; what matters is the em-dash-framed number of GB/T 9704's page mark.
    flat = re.sub(r"\s+", "", out)
    assert "96.50" in flat and "—1—" in flat


def test_it_lets_tables_break_and_keeps_a_chart_only_with_its_caption(doc):
    # Tables: the header row repeats on every page; no row is chained to the next, so a
    # long table breaks across pages instead of leaving half a page empty.
    for table in doc.tables:
        rows = table._tbl.findall(qn("w:tr"))
        assert rows[0].find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        for tr in rows:
            for p in tr.iter(qn("w:p")):
                ppr = p.find(qn("w:pPr"))
                assert ppr is None or ppr.find(qn("w:keepNext")) is None
    # Chart: caption → picture → note are kept together, and the note ends the chain.
    pars = doc.paragraphs
    pic = next(i for i, p in enumerate(pars) if p._p.xpath(".//pic:pic"))
    assert pars[pic - 1].paragraph_format.keep_with_next
    assert pars[pic].paragraph_format.keep_with_next
    assert not pars[pic + 1].paragraph_format.keep_with_next
