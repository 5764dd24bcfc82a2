"""A bulletin (通报) as a .docx laid out to GB/T 9704-2012 党政机关公文格式.

No Django here: the caller fills a ``BulletinContent`` and gets bytes back.
The numbers used (see docs/bulletin.md for the reasoning):

* A4 210 × 297 mm; margins top 37, bottom 35, left 28, right 26 mm, so the
  text area (版心) is 156 × 225 mm.
* Body 仿宋_GB2312 三号 (16 pt), 22 lines × 28 characters. The section carries
  the document grid Word's page setup uses for this — type ``linesAndChars``,
  line pitch 579 twips (28.95 pt = 225 mm / 22), character pitch 156 mm / 28
  stored as ``charSpace`` (the pitch over the 16 pt default size, in 1/4096 pt).
  Paragraphs do not snap to it, though: LibreOffice puts a 16 pt character into
  two 15.79 pt grid cells and sets 14 a line. Instead lines are an exact
  28.95 pt and 三号 runs are condensed by 0.5 pt (15.5 pt a character: 28 fit
  in 442 pt, 29 do not), which gives 28 × 22 in Word and LibreOffice alike.
* 版头: the issuing-office mark in red 方正小标宋简体, its top 35 mm below the
  top of the text area; the document number two lines below it; a red rule
  the width of the text area 4 mm under the number; the title in 方正小标宋简体
  二号 two lines under the rule.
* Headings 一、 in 黑体, （一） in 楷体_GB2312, 1. and （1） in 仿宋_GB2312, all
  三号 and, like every paragraph, indented two characters.
* Signature: the office two characters in from the right one blank line below
  the text, the date on the next line starting two characters further right
  (or, if the date is longer, the date two characters in and the office moved
  to keep the two-character step); the date in Arabic numerals without
  leading zeros ("2022年10月8日").
* Page numbers "— 1 —" in 宋体 四号 (14 pt), odd pages right and even pages left,
  one character in from the edge of the text area, ~7 mm below it.

Font names are written into every run (ascii, hAnsi, eastAsia and cs), since
python-docx's ``font.name`` sets only the Latin slots and Word picks the
East Asian slot for Chinese text. The reader's machine supplies the fonts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from taizhang.bulletins.charts import ChartBlock, ChartImage, fmt_value, render_bar_chart

__all__ = [
    "BODY_FONT",
    "BulletinContent",
    "ChartBlock",
    "Section",
    "TableBlock",
    "build_bulletin",
    "cn_date",
]

# GB/T 9704-2012 §5.1 paper, §5.2.1 margins and text area (mm), §5.2.2 type, §5.2.3 lines.
PAGE_W, PAGE_H = 210, 297
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37, 35, 28, 26
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 156
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28  # §5.2.3
LINE_PITCH_TWIPS = 579  # 28.95 pt; 22 × 28.95 pt ≈ 225 mm
LINE_PT = LINE_PITCH_TWIPS / 20
BODY_PT = 16  # 三号 (§5.2.2)
TITLE_PT = 22  # 二号
PAGE_NUMBER_PT = 14  # 四号
TABLE_PT = 14  # 四号; 小四 (12) for wide tables
CONDENSE_TWIPS = -10  # −0.5 pt character spacing on 三号 text (see _setup)
CHAR_PT = BODY_PT + CONDENSE_TWIPS / 20  # 15.5 pt: one 三号 character as set

BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = ("黑体", "楷体_GB2312", BODY_FONT, BODY_FONT)  # 一、 （一） 1. （1）
TITLE_FONT = "方正小标宋简体"
PAGE_NUMBER_FONT = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)

# Text area width in twips as Word will store it (each margin rounded to whole twips).
_TEXT_W_TWIPS = Mm(PAGE_W).twips - Mm(MARGIN_LEFT).twips - Mm(MARGIN_RIGHT).twips
TEXT_W_PT = _TEXT_W_TWIPS / 20
CHAR_PITCH_PT = TEXT_W_PT / CHARS_PER_LINE  # ≈ 15.79 pt, the grid's character pitch
CHAR_SPACE = round((CHAR_PITCH_PT - BODY_PT) * 4096)

_CN_NUMS = "一二三四五六七八九十"
# A heading the caller already numbered: 一、 （一） 1. （1） and their ASCII variants.
_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、])\s*"
)


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class TableBlock:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]  # cells printed with str(); format figures beforehand
    col_widths_mm: Sequence[float] | None = None  # default: equal; scaled down to fit 156 mm
    note: str = ""  # printed under the table: "注：…"
    font_pt: float = TABLE_PT

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.headers):
                raise ValueError(f"表格“{self.title}”的行与表头列数不一致：{list(row)!r}")
        if self.col_widths_mm is not None and len(self.col_widths_mm) != len(self.headers):
            raise ValueError(f"表格“{self.title}”的列宽个数与表头不一致")


@dataclass(frozen=True)
class Section:
    """A numbered part of the text: heading, paragraphs, tables, charts, then subsections.

    Headings are numbered by the builder (一、 / （一） / 1. / （1）); a number the
    caller already wrote is replaced, not doubled.
    """

    heading: str
    paragraphs: Sequence[str] = ()
    subsections: Sequence[Section] = ()
    tables: Sequence[TableBlock] = ()
    charts: Sequence[ChartBlock] = ()


@dataclass(frozen=True)
class BulletinContent:
    issuer_name: str  # 发文机关标志: "山城区人民政府督查室文件", "山城区督查通报"
    doc_number: str  # 发文字号: "山城督〔2022〕8号"
    title: str  # "\n" breaks a long title where the caller wants
    date: date  # 成文日期
    sections: Sequence[Section]
    closing_office: str  # 发文机关署名
    addressee: str = ""  # 主送机关: "各乡镇（街道），区直各单位："
    preamble: Sequence[str] = ()  # paragraphs before the first numbered section
    issuer_font_pt: float | None = None  # default: the largest of 42/36/26/22 pt that fits


def cn_date(d: date) -> str:
    """成文日期 per GB/T 9704-2012 §7.3.5: Arabic numerals, the year in full, no leading zeros."""
    return f"{d.year}年{d.month}月{d.day}日"


def _cn_number(n: int) -> str:
    if n <= 10:
        return _CN_NUMS[n - 1]
    if n < 20:
        return "十" + _CN_NUMS[n - 11]
    tens, ones = divmod(n, 10)
    return _CN_NUMS[tens - 1] + "十" + (_CN_NUMS[ones - 1] if ones else "")


def _heading_number(level: int, n: int) -> str:
    return (f"{_cn_number(n)}、", f"（{_cn_number(n)}）", f"{n}.", f"（{n}）")[level]


def numbered_heading(level: int, n: int, heading: str) -> str:
    """A section heading as the bulletin prints it: 一、 （一） 1. （1） by level."""
    return _heading_number(level, n) + _NUMBERED.sub("", heading, count=1)


@dataclass(frozen=True)
class OutlineEntry:
    level: int  # 0 for 一、, 1 for （一）, …
    heading: str  # numbered
    section: Section


def section_from_json(data: dict) -> Section:
    """A Section back from its stored JSON (an issued bulletin keeps its content so)."""
    return Section(
        heading=data["heading"],
        paragraphs=tuple(data.get("paragraphs") or ()),
        subsections=tuple(section_from_json(d) for d in data.get("subsections") or ()),
        tables=tuple(
            TableBlock(
                t["title"],
                t["headers"],
                t["rows"],
                t.get("col_widths_mm"),
                t.get("note", ""),
                float(t.get("font_pt") or TABLE_PT),
            )
            for t in data.get("tables") or ()
        ),
        charts=tuple(
            ChartBlock(
                c["title"],
                c["labels"],
                [Decimal(str(v)) for v in c["values"]],
                c.get("unit", ""),
                None if c.get("reference_line") is None else Decimal(str(c["reference_line"])),
                c.get("reference_label", ""),
                int(c.get("decimals", 1)),
            )
            for c in data.get("charts") or ()
        ),
    )


def outline(sections: Sequence[Section], level: int = 0) -> list[OutlineEntry]:
    """Every section depth-first with its printed number: the .docx and the web preview
    number headings from this one list, so they cannot disagree."""
    out: list[OutlineEntry] = []
    for n, sec in enumerate(sections, start=1):
        out.append(OutlineEntry(level, numbered_heading(level, n, sec.heading), sec))
        out.extend(outline(sec.subsections, level + 1))
    return out


def _width_chars(text: str) -> float:
    # Half-width (ASCII) characters take half a grid cell.
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


# --------------------------------------------------------------------------- low-level OOXML


# Child order of w:pPr and w:rPr in the schema; Word rejects files that break it.
_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange"
).split()
_RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()
_TBLPR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook"
).split()


def _insert(parent, el, order: Sequence[str]) -> None:
    """Insert ``el`` into ``parent`` before the first child that must follow it."""
    name = el.tag.split("}")[1]
    later = {qn(f"w:{t}") for t in order[order.index(name) + 1 :]}
    for child in parent:
        if child.tag in later:
            child.addprevious(el)
            return
    parent.append(el)


def _set_fonts(rpr, font: str) -> None:
    """Name the font in all four rFonts slots of ``rpr``; drop theme fonts, which win over names."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        _insert(rpr, fonts, _RPR_ORDER)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def _run(
    par: Paragraph,
    text: str,
    font: str,
    size_pt: float,
    *,
    bold: bool = False,
    color: RGBColor | None = None,
):
    run = par.add_run()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            run.add_break()
        if line:
            run.add_text(line)
    _set_fonts(run._r.get_or_add_rPr(), font)
    run.font.size = Pt(size_pt)
    run.font.bold = bold or None
    if color is not None:
        run.font.color.rgb = color
    if size_pt == BODY_PT:
        _condense(run)
    return run


def _condense(run) -> None:
    """Character spacing −0.5 pt: 28 三号 characters fit a 156 mm line (28 × 15.5 pt), 29 don't."""
    el = OxmlElement("w:spacing")
    el.set(qn("w:val"), str(CONDENSE_TWIPS))
    _insert(run._r.get_or_add_rPr(), el, _RPR_ORDER)


def _para(
    container,
    *,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent_chars: float = 0,
    before_pt: float = 0,
    line_pt: float | None = LINE_PT,
    keep_with_next: bool = False,
) -> Paragraph:
    par = container.add_paragraph()
    fmt = par.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before_pt)
    fmt.space_after = Pt(0)
    if line_pt is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing = Pt(line_pt)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    if indent_chars:
        # In points, not firstLineChars: those are grid cells, and body text does not snap.
        fmt.first_line_indent = Pt(indent_chars * CHAR_PT)
    fmt.keep_with_next = keep_with_next or None
    return par


def _border(par: Paragraph, side: str, color: str, size_eighths: int, space_pt: int) -> None:
    ppr = par._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), str(space_pt))
    el.set(qn("w:color"), color)
    bdr.append(el)
    _insert(ppr, bdr, _PPR_ORDER)


def _field_run(par: Paragraph, instr: str, cached: str, font: str, size_pt: float) -> None:
    """A complex field (PAGE …) with a cached result, so text extractors see a number."""
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", cached)):
        run = par.add_run()
        _set_fonts(run._r.get_or_add_rPr(), font)
        run.font.size = Pt(size_pt)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
            run._r.append(el)
        elif kind == "text":
            run.add_text(text or "")
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
    end = par.add_run()
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), "end")
    end._r.append(el)


# --------------------------------------------------------------------------- page setup


def _setup(doc) -> None:
    sec = doc.sections[0]
    sec.start_type = WD_SECTION.NEW_PAGE
    sec.page_width, sec.page_height = Mm(PAGE_W), Mm(PAGE_H)
    sec.top_margin, sec.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    sec.left_margin, sec.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
    sec.header_distance = Mm(15)
    # §7.5: the dashes sit 7 mm below the text area; a 14 pt line is ~5 mm tall.
    sec.footer_distance = Mm(MARGIN_BOTTOM - 7 - 5)
    grid = sec._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sec._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    # Defaults: the char grid is measured against the default font size, so it must be 16 pt.
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(BODY_PT * 2))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.font.size = Pt(BODY_PT)
    nf = normal.paragraph_format
    nf.space_before, nf.space_after = Pt(0), Pt(0)
    nf.line_spacing = Pt(LINE_PT)
    nf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    nf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # No paragraph snaps to the grid: LibreOffice gives a 16 pt glyph two 15.79 pt cells
    # (14 characters a line). Exact 28.95 pt lines and runs condensed by 0.5 pt give 28 × 22
    # in Word and LibreOffice alike; the grid still tells Word's page setup "28 × 22".
    # No extra gap between Chinese and digits/Latin either: it would break the 28-per-line count.
    for tag in ("snapToGrid", "autoSpaceDE", "autoSpaceDN"):
        el = OxmlElement(f"w:{tag}")
        el.set(qn("w:val"), "0")
        _insert(normal.element.get_or_add_pPr(), el, _PPR_ORDER)

    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(sec.footer, odd=True)
    _page_number(sec.even_page_footer, odd=False)


def _page_number(footer, *, odd: bool) -> None:
    footer.is_linked_to_previous = False
    par = footer.paragraphs[0]
    fmt = par.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    # §7.5: odd pages right, even pages left, one character in from the text area's edge.
    if odd:
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = Pt(PAGE_NUMBER_PT)
    _run(par, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    _field_run(par, "PAGE", "1", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    _run(par, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


# --------------------------------------------------------------------------- blocks


def _issuer_size(name: str, override: float | None) -> float:
    if override:
        return override
    width_pt = TEXT_W_PT
    # 初号, 小初, 一号, 二号: the largest that keeps the mark on one line.
    for size in (42, 36, 26, 22):
        if _width_chars(name) * size <= width_pt:
            return size
    return 22


def _masthead(doc, c: BulletinContent) -> None:
    # §7.2.4: top of the mark 35 mm below the top of the text area.
    mark = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, before_pt=Mm(35).pt, line_pt=None)
    _run(mark, c.issuer_name, TITLE_FONT, _issuer_size(c.issuer_name, c.issuer_font_pt), color=RED)
    # §7.2.5: the number two lines below the mark; §7.2.7: the red rule 4 mm below the number.
    num = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, before_pt=2 * LINE_PT)
    _run(num, c.doc_number, BODY_FONT, BODY_PT)
    _border(num, "bottom", "FF0000", 12, round(Mm(4).pt))
    # §7.3.1: the title two lines below the rule.
    title = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, before_pt=2 * LINE_PT)
    _run(title, c.title, TITLE_FONT, TITLE_PT)
    if c.addressee:
        # §7.3.2: one line below the title, flush left.
        addr = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT, before_pt=LINE_PT)
        _run(addr, c.addressee, BODY_FONT, BODY_PT)
    else:
        _para(doc)  # the blank line between title and text


def _body_paragraph(doc, text: str) -> None:
    par = _para(doc, indent_chars=2)
    _run(par, text, BODY_FONT, BODY_PT)


def _table(doc, block: TableBlock) -> None:
    if block.title:
        cap = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=True)
        _run(cap, block.title, HEADING_FONTS[0], BODY_PT)
    ncols = len(block.headers)
    widths = list(block.col_widths_mm or [TEXT_W / ncols] * ncols)
    if sum(widths) > TEXT_W:
        widths = [w * TEXT_W / sum(widths) for w in widths]  # never wider than the text area
    table = doc.add_table(rows=1 + max(1, len(block.rows)), cols=ncols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _table_borders(table)
    for i, col in enumerate(table.columns):
        col.width = Mm(widths[i])
        for cell in col.cells:
            cell.width = Mm(widths[i])
    for r, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if r == 0:
            trpr.append(OxmlElement("w:tblHeader"))  # repeat the header on every page
    line = block.font_pt + 6
    for i, text in enumerate(block.headers):
        _cell(table.cell(0, i), str(text), HEADING_FONTS[0], block.font_pt)
    for r, values in enumerate(block.rows, start=1):
        for i, value in enumerate(values):
            _cell(table.cell(r, i), "" if value is None else str(value), BODY_FONT, block.font_pt)
    if not block.rows:
        # An empty 蜗牛榜 or overdue list still says so, across the whole row.
        _cell(table.cell(1, 0).merge(table.cell(1, ncols - 1)), "无", BODY_FONT, block.font_pt)
    if block.note:
        note = _para(doc, indent_chars=2, line_pt=line)
        _run(note, block.note, BODY_FONT, block.font_pt)


def _cell(cell, text: str, font: str, size_pt: float) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    par = cell.paragraphs[0]
    fmt = par.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = None
    fmt.line_spacing, fmt.line_spacing_rule = Pt(size_pt + 6), WD_LINE_SPACING.EXACTLY
    _run(par, text, font, size_pt)


def _table_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")  # 0.5 pt
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    _insert(tblpr, borders, _TBLPR_ORDER)


def chart_caption(block: ChartBlock) -> str:
    """ "重点项目投资完成率（单位：%）": the line above a chart, in the .docx and the preview."""
    return f"{block.title}（单位：{block.unit}）" if block.unit else block.title


def chart_notes(block: ChartBlock, image: ChartImage | None) -> list[str]:
    """The lines under a chart: the reference line's meaning, the numbered labels' names."""
    notes = [block.reference_label] if block.reference_label else []
    if image is not None and image.legend:
        notes.append("图中序号：" + "；".join(image.legend))
    return notes


def _chart(doc, block: ChartBlock) -> None:
    unit = f"（单位：{block.unit}）" if block.unit else ""
    cap = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=True)
    _run(cap, chart_caption(block), HEADING_FONTS[0], BODY_PT)
    image = render_bar_chart(block)
    if image is None:
        # No matplotlib (or no data): the figures still go out, as a table.
        rows = [
            [label, fmt_value(v, block.decimals)]
            for label, v in zip(block.labels, block.values, strict=True)
        ]
        _table(doc, TableBlock("", ["项目", f"数值{unit}"], rows, note=block.reference_label))
        return
    pic = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=None)
    # Off the document's line grid: snapped, the picture's height was rounded up to whole
    # grid lines and LibreOffice pushed charts that fit to the next page.
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    _insert(pic._p.get_or_add_pPr(), snap, _PPR_ORDER)
    # Exact line spacing would crop the picture to one line; hence line_pt=None above.
    pic.add_run().add_picture(io.BytesIO(image.png), width=Mm(image.width_mm))
    notes = chart_notes(block, image)
    # The caption above and the notes below stay with the picture; nothing else does.
    pic.paragraph_format.keep_with_next = bool(notes) or None
    for text in notes:
        par = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=TABLE_PT + 6)
        _run(par, text, BODY_FONT, TABLE_PT)


def _section(doc, entry: OutlineEntry) -> None:
    sec, level = entry.section, entry.level
    if level >= len(HEADING_FONTS):
        raise ValueError(f"标题层级过深（最多四层）：{sec.heading}")
    head = _para(doc, indent_chars=2, keep_with_next=True)
    _run(head, entry.heading, HEADING_FONTS[level], BODY_PT)
    for p in sec.paragraphs:
        _body_paragraph(doc, p)
    for t in sec.tables:
        _table(doc, t)
    for ch in sec.charts:
        _chart(doc, ch)


def _signature(doc, c: BulletinContent) -> None:
    """§7.3.5.2 (no seal): office 2 chars in from the right, date starting 2 chars further right.

    The date is placed by its left edge (the office's left edge + 2 characters), so
    it stays right however wide the reader's font draws the digits. Only a date
    longer than the office gets the other rule: date 2 chars from the right, the
    office moved left to keep the 2-character step (digits estimated half-width).
    """
    office_w = _width_chars(c.closing_office) * CHAR_PT
    date_text = cn_date(c.date)
    date_w = _width_chars(date_text) * CHAR_PT
    two = 2 * CHAR_PT
    office = _para(doc, align=WD_ALIGN_PARAGRAPH.RIGHT, before_pt=LINE_PT)
    if date_w <= office_w - two:
        office.paragraph_format.right_indent = Pt(two)
        date_par = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
        # The office starts at TEXT_W - 2 chars - office_w; the date 2 chars to its right.
        date_par.paragraph_format.left_indent = Pt(TEXT_W_PT - office_w)
    else:
        office.paragraph_format.right_indent = Pt(two + date_w + two - office_w)
        date_par = _para(doc, align=WD_ALIGN_PARAGRAPH.RIGHT)
        date_par.paragraph_format.right_indent = Pt(two)
    _run(office, c.closing_office, BODY_FONT, BODY_PT)
    _run(date_par, date_text, BODY_FONT, BODY_PT)


def build_bulletin(content: BulletinContent) -> bytes:
    """The bulletin as .docx bytes."""
    doc = Document()
    _setup(doc)
    # The template's single empty paragraph would sit above the masthead.
    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)
    _masthead(doc, content)
    for p in content.preamble:
        _body_paragraph(doc, p)
    for entry in outline(content.sections):
        _section(doc, entry)
    _signature(doc, content)
    props = doc.core_properties
    props.title = content.title.replace("\n", "")
    props.author = props.last_modified_by = content.closing_office
    props.language = "zh-CN"
    props.comments = content.doc_number
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
