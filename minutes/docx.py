"""Renders structured minutes as docx: 会议记录 (the full record), 会议纪要 (GB/T 9704-2012) and the 公开版.

The only module that imports python-docx. Every run names its East-Asian font (``w:rFonts/@w:eastAsia``) as well as
the Latin one, so Word, WPS and LibreOffice all pick the Chinese face; fonts are named as the standard expects
(方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体), and the font table tells a viewer without them what kind of
face each is (serif or sans, GB2312, an alternative name), so the hierarchy survives a substitution; the PDF copy
(:mod:`minutes.pdf`) maps each to an installed face explicitly.

The layout helpers (``page_setup``, ``text``, ``labelled``, ``red_rule``, ``set_ppr`` …) are public: the other printed
documents (notices, sign-in sheets) build on them.
"""

from __future__ import annotations

import copy
import io
import math
from datetime import datetime

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from meeting.clock import utcnow
from meeting.schemas import clean_text

from . import summary as summary_text
from .record import WITHHELD_NOTE, StructuredMinutes, cn_date

XIAOBIAOSONG, FANGSONG, HEITI, KAITI, SONGTI = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
SIZE_2, SIZE_3, SIZE_4 = 22, 16, 14  # 2号, 3号, 4号 in points
RED = RGBColor(0xE6, 0x00, 0x12)
# GB/T 9704-2012 §5.2.1–5.2.2: text block 156 × 225 mm, 22 lines of 28 characters.
# 225 mm / 22 = 28.99 pt, rounded DOWN to whole twips (28.95 pt, w:linePitch 579): 580 twips × 22 would be 0.07 mm
# taller than the text block and a page would hold only 21 lines.
LINE_PITCH = Pt(math.floor(225 / 22 / 25.4 * 72 * 20) / 20)
# 28 characters of 3号 (16 pt) in 156 mm: each character may take 156 mm / 28 ≈ 15.79 pt, so 3号 text is condensed
# by 0.25 pt (w:spacing −5 twips; 15.75 pt × 28 = 441 pt). A character grid with a negative w:charSpace does the same
# in Word only: LibreOffice then gives each 16 pt character two cells of the grid (14 characters a line).
CONDENSE_TWIPS = -5
INDENT = Pt(SIZE_3 * 2)  # first line: two characters
CHAR = SIZE_3 + CONDENSE_TWIPS / 20  # the width of one 3号 character on the grid (15.75 pt)
TEXT_WIDTH = Mm(156)
LINE_CHARS = 28
MARK_SIZES = (36, SIZE_2)  # the 纪要标志: 小初 at most, 2号 at least, as large as one line allows
RULE_THICK, RULE_THIN = 8, 6  # 版记 rules in eighths of a point: 1 pt ≈ 0.35 mm, 0.75 pt ≈ 0.26 mm (§7.4.1)
# Latin text and digits are en-US (a number is one word: "1850万元" never breaks as "1 / 850万元"), Chinese zh-CN
LANG = {"val": "en-US", "eastAsia": "zh-CN", "bidi": "ar-SA"}
# What a viewer should know about each face when it is missing (w:font in the font table): its generic family,
# GB2312, and the name of the face most machines have under another name.
FONT_TABLE = {
    XIAOBIAOSONG: ("roman", "方正小标宋_GBK"),
    FANGSONG: ("roman", "仿宋"),
    KAITI: ("script", "楷体"),
    HEITI: ("swiss", "SimHei"),
    SONGTI: ("roman", "SimSun"),
}

KIND_NAMES = {"record": "会议记录", "summary": "会议纪要", "public": "会议纪要（公开版）"}


# ---------------------------------------------------------------- low-level helpers


_RPR: dict[tuple, object] = {}


def _fonts(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    """Latin and East-Asian font, size, weight, colour. The run properties are built once per combination and
    copied (python-docx's property setters cost ~0.3 ms a run; a 40-item record has thousands of runs)."""
    key = (name, size, bold, str(color) if color is not None else None)
    tpl = _RPR.get(key)
    if tpl is None:
        rpr = OxmlElement("w:rPr")
        fonts = OxmlElement("w:rFonts")
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{attr}"), name)
        fonts.set(qn("w:hint"), "eastAsia")
        rpr.append(fonts)
        if bold:
            rpr.append(OxmlElement("w:b"))
        if color is not None:
            c = OxmlElement("w:color")
            c.set(qn("w:val"), str(color))
            rpr.append(c)
        if size == SIZE_3:  # 3号 body text: 28 characters a line (GB/T 9704-2012 §5.2.2)
            sp = OxmlElement("w:spacing")
            sp.set(qn("w:val"), str(CONDENSE_TWIPS))
            rpr.append(sp)
        for tag in ("w:sz", "w:szCs"):
            sz = OxmlElement(tag)
            sz.set(qn("w:val"), str(round(size * 2)))
            rpr.append(sz)
        rpr.append(_lang())
        tpl = _RPR[key] = rpr
    old = run._r.rPr
    if old is not None:
        run._r.remove(old)
    run._r.insert(0, copy.deepcopy(tpl))


def _lang():
    lang = OxmlElement("w:lang")
    for k, v in LANG.items():
        lang.set(qn(f"w:{k}"), v)
    return lang


# CT_PPr's children in the order the schema requires (ECMA-376 Part 1, §17.3.1.26): Word refuses a document whose
# w:pPr has them in another order (e.g. w:pBdr after w:jc), LibreOffice silently drops some.
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
_PPR_RANK = {qn(f"w:{t}"): i for i, t in enumerate(PPR_ORDER)}


def set_ppr(p, el) -> None:
    """Put ``el`` (a child of w:pPr: w:pBdr, w:tabs, w:ind, w:keepNext …) into paragraph (or style) ``p``'s
    properties at its place in the schema's sequence, replacing one of the same tag."""
    element = getattr(p, "_element", p)
    ppr = element.get_or_add_pPr()
    for old in ppr.findall(el.tag):
        ppr.remove(old)
    rank = _PPR_RANK[el.tag]
    for i, child in enumerate(ppr):
        if _PPR_RANK.get(child.tag, -1) > rank:
            ppr.insert(i, el)
            return
    ppr.append(el)


def _el(tag: str, **attrs):
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def keep_with_next(p) -> None:
    """A heading stays on the page of the paragraph after it (no heading alone at a page's foot)."""
    set_ppr(p, _el("w:keepNext"))


def hanging(p, *, left: float, hang: float, right: float = 0) -> None:
    """Indents in points: every line starts at ``left``, the first ``hang`` before it (so wrapped lines align after
    a label); ``right`` from the right edge."""
    set_ppr(p, _el("w:ind", left=round(left * 20), right=round(right * 20), hanging=round(hang * 20)))


def right_tab(p, at: float) -> None:
    """A right-aligned tab stop ``at`` points from the left margin (not the indent: Word's measure, and
    LibreOffice's for docx) — a date flush right on a line with a name."""
    tabs = _el("w:tabs")
    tabs.append(_el("w:tab", val="right", pos=round(at * 20)))
    set_ppr(p, tabs)


def _para(doc, *, align=None, indent: bool = False, pitch=LINE_PITCH, after: float = 0):
    if pitch is LINE_PITCH and not after:  # the common case: a prepared paragraph style, no per-paragraph XML
        p = doc.add_paragraph()
        p._p.style = "YishiBodyIndent" if indent else "YishiBody"  # the style id, set directly (fast)
        if align is not None:
            p.alignment = align
        return p
    p = doc.add_paragraph()
    pf = p.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = pitch
    pf.space_before, pf.space_after = Pt(0), Pt(after)
    if indent:
        pf.first_line_indent = INDENT
    if align is not None:
        p.alignment = align
    return p


def _run(p, text: str):
    """A run of ``text`` — without any character XML cannot hold or that turns the text's direction. Such
    characters are refused where texts come in (meeting.schemas.Payload); a row stored before that check still
    archives (python-docx would refuse the whole document for one of them)."""
    return p.add_run(clean_text(text))


def _text(
    doc,
    text: str,
    *,
    font: str = FANGSONG,
    size: float = SIZE_3,
    indent: bool = True,
    align=None,
    bold: bool = False,
    color=None,
    pitch=LINE_PITCH,
    heading: bool = False,
):
    p = _para(doc, align=align, indent=indent, pitch=pitch)
    _fonts(_run(p, text), font, size, bold=bold, color=color)
    if heading:
        keep_with_next(p)
    return p


def cells(text: str) -> float:
    """How many grid cells ``text`` takes on a line: a Chinese character or full-width sign one, a Latin letter or
    digit about half (counted generously, so a name is moved to the next line rather than split)."""
    return sum(1.0 if ord(ch) > 0x2E7F or "\uff00" <= ch <= "\uffef" else 0.6 for ch in text)


def name_lines(names: list[str], width: float, sep: str = "、") -> list[str]:
    """The names, ``sep`` after each but the last, broken into lines of at most ``width`` cells between names only:
    a name (with its note) is never split over two lines unless it is longer than a line by itself."""
    lines, line, used = [], "", 0.0
    for i, name in enumerate(names):
        piece = name + (sep if i < len(names) - 1 else "")
        w = cells(piece)
        if line and used + w > width and w <= width:
            lines.append(line)
            line, used = "", 0.0
        line += piece
        used += w
        while used > width:  # a single name longer than the line: let it wrap where it must
            used -= width
    lines.append(line)
    return lines


def _labelled(doc, label: str, text: str, *, label_font: str = HEITI, indent: bool = False, names=None):
    """'出席：' in 3号黑体, then the names in 3号仿宋 — one paragraph, two runs, both with East-Asian fonts.

    With ``names`` (a list) the block is laid out as GB/T 9704-2012 §10.3 asks: 左空二字, the label, wrapped lines
    aligned after the colon (a hanging indent), and a line broken only between names (a line break before a name
    that would not fit). ``text`` is then ignored."""
    p = _para(doc, indent=indent)
    _fonts(_run(p, label), label_font, SIZE_3)
    if names is None:
        _fonts(_run(p, text), FANGSONG, SIZE_3)
        return p
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT  # a list of names is not stretched to the right edge
    lead = 2 * CHAR  # 左空二字
    label_w = cells(label) * CHAR
    hanging(p, left=lead + label_w, hang=label_w)
    width = LINE_CHARS - 2 - cells(label)
    for i, line in enumerate(name_lines(names, width)):
        r = _run(p, line)
        if i:
            r._r.insert(0, OxmlElement("w:br"))
        _fonts(r, FANGSONG, SIZE_3)
    return p


def split_names(text: str, sep: str = "、") -> list[str]:
    """ "张三、李四（在省里参加培训、学习）" → ["张三", "李四（在省里参加培训、学习）"]: split at ``sep`` outside brackets."""
    out, cur, depth = [], "", 0
    for ch in text:
        depth += ch in "（(〔[" and 1 or 0
        depth -= ch in "）)〕]" and 1 or 0
        if ch == sep and depth <= 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur or out:
        out.append(cur)
    return out


def labelled(doc, label: str, names: list[str], *, label_font: str = HEITI):
    """A 出席/请假/列席-style block of ``names`` (see :func:`_labelled`)."""
    return _labelled(doc, label, "", label_font=label_font, names=names)


def _page_setup(doc, title: str, *, office: str = "", now: datetime | None = None) -> None:
    """A4, the GB/T 9704-2012 margins and grid, the body styles, page numbers, the font table and the document's
    properties (title; author = the office that issues it; real dates; none of python-docx's own)."""
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.header_distance, sec.footer_distance = Mm(15), Mm(22)
    sec.start_type = WD_SECTION_START.NEW_PAGE
    grid = sec._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sec._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")  # 22 lines; the 28 characters come from CONDENSE_TWIPS
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))

    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FANGSONG, Pt(SIZE_3)
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    rpr.append(_lang())
    from docx.enum.style import WD_STYLE_TYPE

    for indent in (False, True):
        st = doc.styles.add_style("YishiBodyIndent" if indent else "YishiBody", WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        pf = st.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = LINE_PITCH
        pf.space_before, pf.space_after = Pt(0), Pt(0)
        if indent:
            pf.first_line_indent = INDENT
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY  # 两端对齐
        pf.widow_control = True
    _font_table(doc)
    _properties(doc, title, office, now)

    # page numbers: "— 1 —", 4号宋体, odd pages right, even pages left (GB/T 9704-2012 §7.5)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(sec.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _properties(doc, title: str, office: str, now: datetime | None) -> None:
    cp = doc.core_properties
    cp.title = clean_text(title)
    cp.language = "zh-CN"
    cp.author = cp.last_modified_by = clean_text(office)
    cp.comments = cp.keywords = cp.category = cp.subject = ""
    cp.revision = 1
    at = (now or utcnow()).replace(microsecond=0, tzinfo=None)  # python-docx writes W3CDTF in UTC
    cp.created = cp.modified = at


def _font_table(doc) -> None:
    """Each Chinese face in the font table with its generic family, the GB2312 charset and an alternative name,
    so that Word or WPS without it substitutes a face of the same kind (a serif for 仿宋, a sans for 黑体)."""
    part = doc.part._font_table_part if hasattr(doc.part, "_font_table_part") else None
    if part is None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        part = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    from docx.oxml import parse_xml

    root = parse_xml(part.blob) if not hasattr(part, "element") else part.element
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (family, alt) in FONT_TABLE.items():
        if name in known:
            continue
        font = _el("w:font", name=name)
        font.append(_el("w:altName", val=alt))
        font.append(_el("w:charset", val="86"))
        font.append(_el("w:family", val=family))
        font.append(_el("w:pitch", val="variable"))
        root.append(font)
    if not hasattr(part, "element"):
        from lxml import etree

        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def page_setup(doc, title: str, *, office: str = "", now: datetime | None = None) -> None:
    """The public name of the page setup (other printed documents use it)."""
    _page_setup(doc, title, office=office, now=now)


def _page_number(footer, align) -> None:
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.alignment = align
    pf = p.paragraph_format
    # one character in from the edge (GB/T 9704: 单页码居右空一字，双页码居左空一字)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = Pt(SIZE_4)
    else:
        pf.left_indent = Pt(SIZE_4)
    _fonts(p.add_run("— "), SONGTI, SIZE_4)
    begin, instr, sep, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    sep.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep):
        r = p.add_run()
        _fonts(r, SONGTI, SIZE_4)
        r._element.append(el)
    _fonts(p.add_run("1"), SONGTI, SIZE_4)
    r = p.add_run()
    _fonts(r, SONGTI, SIZE_4)
    r._element.append(end)
    _fonts(p.add_run(" —"), SONGTI, SIZE_4)


def _red_rule(p) -> None:
    """The red separator line under the 版头 (版头中的分隔线, as wide as the text block), in its place in w:pPr."""
    bdr = _el("w:pBdr")
    bdr.append(_el("w:bottom", val="single", sz=12, space=6, color="E60012"))
    set_ppr(p, bdr)


red_rule = _red_rule
text = _text


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- 会议纪要 and its public version


_ROLE_STYLE = {  # role → (font, size, indent, alignment)
    summary_text.ISSUE: (FANGSONG, SIZE_3, False, WD_ALIGN_PARAGRAPH.CENTER),
    summary_text.BLANK: (FANGSONG, SIZE_3, False, None),
    summary_text.OPENING: (FANGSONG, SIZE_3, True, None),
    summary_text.HEADING: (HEITI, SIZE_3, True, None),
    summary_text.BODY: (FANGSONG, SIZE_3, True, None),
    summary_text.DATE: (FANGSONG, SIZE_3, False, WD_ALIGN_PARAGRAPH.RIGHT),
    summary_text.MARK: (HEITI, SIZE_3, False, None),
    summary_text.DRAFT_MARK: (HEITI, SIZE_3, False, WD_ALIGN_PARAGRAPH.RIGHT),
}
# the 版记's rules are as wide as the text block (§7.4.1)
IMPRINT_WIDTH = TEXT_WIDTH
MARK_TOP = Mm(35)  # §10.3: the 纪要标志's top edge 35 mm below the top of the text block


def mark_size(title: str) -> int:
    """The 纪要标志's size in points: as large as fits on one line of the text block, between 小初 and 2号."""
    most, least = MARK_SIZES
    return max(least, min(most, math.floor((TEXT_WIDTH.pt - SIZE_3) / max(cells(title), 1))))  # a character spare


def header(doc, mark: str, issue: str, office: str, day: str, *, lines_above: int = 0):
    """版头 of a 纪要 (GB/T 9704-2012 §10.3): the 纪要标志 in red 小标宋, centred, its top 35 mm below the text
    block's; the 期号 under it; then one line with the 编发单位 (左空一字) and the date (右空一字), and the red rule
    under that line. Returns the three paragraphs (mark, issue, office line)."""
    size = mark_size(mark)
    p_mark = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, pitch=Pt(size * 1.25))
    # the line's leading above the glyphs; a 密级/内部资料 or 草稿 line above the mark takes its share of the 35 mm
    p_mark.paragraph_format.space_before = max(Pt(0), MARK_TOP - Pt(size * 0.25) - lines_above * LINE_PITCH)
    _fonts(_run(p_mark, mark), XIAOBIAOSONG, size, color=RED)
    keep_with_next(p_mark)
    p_issue = _text(doc, issue, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, heading=True)
    p_office = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
    hanging(p_office, left=CHAR, hang=0, right=CHAR)
    right_tab(p_office, TEXT_WIDTH.pt - CHAR)
    _fonts(_run(p_office, office), FANGSONG, SIZE_3)
    _fonts(_run(p_office, "\t" + day), FANGSONG, SIZE_3)
    _red_rule(p_office)
    return p_mark, p_issue, p_office


def _cell_border(cell, **edges) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = _el("w:tcBorders")
    for edge in ("top", "left", "bottom", "right"):
        sz = edges.get(edge)
        borders.append(_el(f"w:{edge}", val="single" if sz else "nil", sz=sz or 0, space=0, color="000000"))
    tcpr.append(borders)


def imprint(doc, rows: list[tuple[str, str]], office: str, day: str):
    """版记 (GB/T 9704-2012 §7.4): the lines ``rows`` (label, text: 分送/抄送) in 4号仿宋, 左右各空一字, wrapped
    lines aligned after the colon, then 印发机关 (左空一字) and 印发日期 (右空一字, "……印发"); rules as wide as the
    text block between them, the first and last thick, the middle ones thin. Placed at the foot of the last page
    (a table anchored to the bottom margin, so it is the page's last element: Word and WPS honour that;
    LibreOffice 7.4 keeps such a table in the flow, so the PDF copy is laid out a second time with the table
    lowered: :func:`lower_imprint`, minutes.pdf.lower_imprints). Returns the table."""
    lines = [(label, txt) for label, txt in rows if txt] + [("", "")]
    table = doc.add_table(rows=len(lines), cols=1)
    tbl = table._tbl
    tblpr = tbl.tblPr
    for tag in ("w:tblStyle",):
        for old in tblpr.findall(qn(tag)):
            tblpr.remove(old)
    pos = _el(
        "w:tblpPr", vertAnchor="margin", horzAnchor="margin", tblpXSpec="center", tblpYSpec="bottom", leftFromText=0
    )
    tblpr.insert(0, pos)
    tblpr.append(_el("w:tblOverlap", val="never"))
    # a hair narrower than the text block: LibreOffice keeps a floating table as wide as the text block in the flow
    width = round(IMPRINT_WIDTH.pt * 20)
    for old in tblpr.findall(qn("w:tblW")):
        tblpr.remove(old)
    tblpr.append(_el("w:tblW", w=width, type="dxa"))
    tblpr.append(_el("w:jc", val="center"))
    margins = _el("w:tblCellMar")
    for edge in ("left", "right"):
        margins.append(_el(f"w:{edge}", w=0, type="dxa"))
    tblpr.append(margins)
    # the schema's order inside w:tblPr: tblStyle, tblpPr, tblOverlap, bidiVisual, tblStyleRowBandSize, …, tblW, jc
    order = ["tblStyle", "tblpPr", "tblOverlap", "tblW", "jc", "tblBorders", "tblLayout", "tblCellMar", "tblLook"]
    kids = sorted(tblpr, key=lambda el: order.index(el.tag.split("}")[1]) if el.tag.split("}")[1] in order else 99)
    for el in list(tblpr):
        tblpr.remove(el)
    for el in kids:
        tblpr.append(el)
    table.columns[0].width = IMPRINT_WIDTH
    char = SIZE_4
    for i, (label, txt) in enumerate(lines):
        cell = table.rows[i].cells[0]
        cell.width = IMPRINT_WIDTH
        last = i == len(lines) - 1
        _cell_border(cell, top=RULE_THICK if i == 0 else RULE_THIN, bottom=RULE_THICK if last else None)
        p = cell.paragraphs[0]
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = LINE_PITCH
        pf.space_before = pf.space_after = Pt(0)
        if last:
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            hanging(p, left=char, hang=0, right=char)
            right_tab(p, IMPRINT_WIDTH.pt - char)
            _fonts(_run(p, office), FANGSONG, SIZE_4)
            _fonts(_run(p, f"\t{day}印发"), FANGSONG, SIZE_4)
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            hanging(p, left=char + cells(label) * char, hang=cells(label) * char, right=char)
            _fonts(_run(p, label), FANGSONG, SIZE_4)
            _fonts(_run(p, txt if txt.endswith("。") else txt + "。"), FANGSONG, SIZE_4)
    anchor = _para(doc, pitch=Pt(1))  # the paragraph a floating table is anchored to (and a body never ends in one)
    _fonts(_run(anchor, ""), FANGSONG, 1)
    return table


def lower_imprint(data: bytes, points: float) -> bytes:
    """The same document with the 版记 ``points`` lower: an empty paragraph of exactly that height before its table.
    For a layout that keeps the floating 版记 in the flow (LibreOffice 7.4: see :func:`imprint`), the PDF copy is
    laid out twice and the second time the 版记 comes down to the foot of the last page (:mod:`minutes.pdf`). A
    document without a 版记, or ``points`` under a twip, is returned as it was."""
    twips = math.floor(points * 20)
    if twips < 1:
        return data
    d = Document(io.BytesIO(data))
    for tbl in d.element.body.iter(qn("w:tbl")):
        pos = tbl.find(qn("w:tblPr") + "/" + qn("w:tblpPr"))
        if pos is not None and pos.get(qn("w:tblpYSpec")) == "bottom":
            spacer = _el("w:p")
            ppr = _el("w:pPr")
            ppr.append(_el("w:snapToGrid", val=0))
            ppr.append(_el("w:spacing", before=0, after=0, line=twips, lineRule="exact"))
            spacer.append(ppr)
            tbl.addprevious(spacer)
            after = tbl.getnext()  # the anchor paragraph (1 pt): off the line grid, so it takes no grid line
            if after is not None and after.tag == qn("w:p"):
                appr = after.find(qn("w:pPr"))
                if appr is None:
                    appr = _el("w:pPr")
                    after.insert(0, appr)
                if appr.find(qn("w:snapToGrid")) is None:
                    at = sum(1 for c in appr if _PPR_RANK.get(c.tag, 99) < _PPR_RANK[qn("w:snapToGrid")])
                    appr.insert(at, _el("w:snapToGrid", val=0))
            out = io.BytesIO()
            d.save(out)
            return out.getvalue()
    return data


def date_line(doc, day: str):
    """成文日期 右空四字 (GB/T 9704-2012 §7.3.5.1)."""
    p = _text(doc, day, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    hanging(p, left=0, hang=0, right=4 * CHAR)
    return p


def summary(m: StructuredMinutes, *, public: bool = False, now: datetime | None = None) -> bytes:
    """会议纪要 (GB/T 9704-2012 §10.3), or with ``public`` the 公开版: the paragraphs of :mod:`minutes.summary`, each
    in the font of its role — the 版头 (纪要标志 in red 小标宋, 期号, 编发单位 and date, the red rule: :func:`header`),
    body 3号仿宋, 一、 headings 黑体 kept with what follows, 出席/请假/列席 blocks with 3号黑体 labels, hanging, names
    never split (:func:`labelled`), the date 右空四字, and the 版记 (分送/抄送, 印发机关和日期: :func:`imprint`)."""
    doc = Document()
    paras = summary_text.paragraphs(m, public=public)
    title = next(x.text for x in paras if x.role == summary_text.TITLE)
    _page_setup(doc, title, office=m.office, now=now)
    issue = next((x.text for x in paras if x.role == summary_text.ISSUE), "")
    above = 0  # the marks (内部资料 注意保存 / 密级, 草稿 / 送审稿) come before the 版头, at the top of the page
    for para in paras:
        if para.role == summary_text.TITLE:
            header(doc, title, issue, m.office, m.date, lines_above=above)
            continue
        if para.role == summary_text.ISSUE:
            continue  # in the 版头
        if para.role in (summary_text.MARK, summary_text.DRAFT_MARK):
            above += 1
        if para.role == summary_text.BLOCK:
            _labelled(doc, para.label, para.text, names=split_names(para.text))
        elif para.role == summary_text.DATE:
            date_line(doc, para.text)
        else:
            font, size, indent, align = _ROLE_STYLE[para.role]
            _text(doc, para.text, font=font, size=size, indent=indent, align=align, heading=para.role == "heading")
    imprint(doc, [("分送：", m.distribution), ("抄送：", m.copy_to)], m.office, m.date)
    return _save(doc)


# ---------------------------------------------------------------- 会议记录 (the full record)


def record(m: StructuredMinutes, *, now: datetime | None = None) -> bytes:
    """The full record: every opinion in the order given (the chair last), dissent, written opinions, recusals,
    tallies with the threshold applied and its source, results, reconsideration rounds (国务院令第713号 第30条)."""
    doc = Document()
    _page_setup(doc, f"{m.title}记录", office=m.office, now=now)
    if m.marking:  # 内部资料 注意保存, or the 密级
        _text(doc, m.marking, font=HEITI, indent=False)
    if m.draft_mark:  # 草稿 / 送审稿
        _text(doc, m.draft_mark, font=HEITI, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _text(
        doc,
        f"{m.title}记录",
        font=XIAOBIAOSONG,
        size=SIZE_2,
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        pitch=Pt(40),
    )
    _text(doc, "", indent=False)
    chair = f"{m.chair_title}{m.chair}" + (
        f"（受{m.delegated_by_title}{m.delegated_by}委托主持）" if m.delegated_by else ""
    )
    _labelled(doc, "时间：", record_time(m))
    _labelled(doc, "地点：", m.place)
    _labelled(doc, "主持人：", chair)
    _labelled(doc, "记录人：", m.recorder)
    _labelled(
        doc,
        "出席：",
        "、".join(a.name for a in m.present) + f"（应到会{len(m.present) + len(m.absent)}人，"
        f"实到会{len(m.present)}人）",
    )
    _labelled(doc, "请假：", "、".join(a.name + (f"（{a.note}）" if a.note else "") for a in m.absent) or "无")
    if m.late:
        _labelled(doc, "迟到：", "、".join(f"{a.name}（{a.note}）" for a in m.late))
    # every departure after the opening with its time, and the return when the member came back
    left = [f"{a.name}（{a.departures}）" for a in m.present if a.departures]
    left = left or [f"{a.name}（{a.note}）" for a in m.left_early]
    if left:
        _labelled(doc, "中途离席：", "、".join(left))
    _labelled(
        doc,
        "列席：",
        "、".join(
            "".join(x for x in (o["unit"], o["name"]) if x) + (f"（{o['role']}）" if o["role"] else "")
            for o in m.observers
        )
        or "无",
    )
    for it in m.items:
        _text(doc, it.heading, font=HEITI, heading=True)
        facts = [item_time(it)] if it.started or it.ended else []
        facts += [
            f"议题类别：{it.category_label}" + ("（保密）" if it.confidential else ""),
            f"汇报人：{it.presenter or '—'}；提请单位：{it.submitting_unit or '—'}",
        ]
        if it.materials:
            facts.append("材料：" + "、".join(it.materials))
        if it.subjects:
            facts.append("涉及人员：" + "、".join(it.subjects))
        facts += ["回避：" + r["text"] for r in it.recusals] or ["回避：无"]
        if it.presiding:
            facts.append(it.presiding + "。")
        if it.summary:
            facts.append("议题摘要：" + it.summary)
        for f in facts:
            _text(doc, f)
        if it.withheld:  # the reader was recused from this item (record.withhold): its result only
            _text(doc, WITHHELD_NOTE + "。")
            if it.result_label:
                _text(doc, "结果：" + it.result_label + "。")
        for rnd in [] if it.withheld else it.rounds:
            label = f"（{'一二三四五六七八九十'[min(rnd.number, 10) - 1]}）第{rnd.number}轮"
            if rnd.number > 1:
                label += "（复议）"
            _text(doc, label, font=KAITI, heading=True)
            if not rnd.opinions and not rnd.written:
                _text(doc, "未发表意见。")
            for o in rnd.opinions:
                who = o.name + ("（主持人，最后发表）" if o.is_chair else "")
                line = f"{o.order}. {who}：{o.stance_label}" + (f"。理由：{o.reason}" if o.reason else "")
                if o.dissent:
                    line += "【不同意见】"
                _text(doc, line)
            for w in rnd.written:
                by = "本人提交" if w.submitted_by == "self" else "秘书代录"
                _text(
                    doc,
                    f"书面意见（缺席，{by}）{w.name}：{w.stance_label}"
                    + (f"。理由：{w.reason}" if w.reason else "")
                    + f"（{'计入' if w.counted else '不计入'}表决）",
                )
            if rnd.tally_text:
                _text(doc, "表决情况：" + rnd.tally_text + "。")
            if rnd.threshold:
                _text(doc, f"适用规则：{rnd.threshold}（依据：{rnd.threshold_source}）。")
            if rnd.result_label:
                _text(doc, "结果：" + rnd.result_label + "。")
            if rnd.head_decision:
                _text(doc, rnd.head_decision + ("" if rnd.head_decision.endswith("。") else "。"))
            if rnd.result == "deferred" and it.deferral and rnd is it.rounds[-1]:
                _text(doc, "暂缓决策：" + it.deferral + "。")
            elif rnd.defer_reason:
                _text(doc, "暂缓理由：" + rnd.defer_reason)
            if rnd.reconsider_reason:
                _text(
                    doc,
                    f"复议：经{'、'.join(rnd.reconsider_agreeing)}同意（{len(rnd.reconsider_agreeing)}人），"
                    f"重新审议。理由：{rnd.reconsider_reason}",
                )
        t = it.texts
        if t["discussion"]:
            _text(doc, "讨论情况：" + t["discussion"])
        if t["considered"]:
            _text(doc, "会议认为：" + t["considered"])
        if it.decision_text:
            _text(doc, summary_text.decision(it))
    for p in summary_text.requirements(m):
        _text(doc, p)
    if m.amendments:
        _text(doc, "更正记录", font=HEITI, heading=True)
        for a in m.amendments:
            _text(doc, f"{a['at']} {a['author']}更正{a['field']}：“{a['old']}”改为“{a['new']}”。理由：{a['reason']}")
    _text(doc, "", indent=False)
    _text(doc, f"记录人：{m.recorder}    {m.date}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if m.chain_hash:  # the last line: the event chain's head this record was built from (minutes/verify.py)
        _text(doc, check_line(m.chain_seq, m.chain_hash), size=SIZE_4, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return _save(doc)


def record_time(m: StructuredMinutes) -> str:
    """2023年12月9日 09:02—11:40: the actual opening and closing; the scheduled time while it never opened."""
    if not m.opened:
        return f"{m.date} {m.time}"
    return f"{m.date} {m.opened}—{m.closed}" if m.closed else f"{m.date} {m.opened}开始"


def item_time(it) -> str:
    """审议时间：09:05—09:40 (opened — decided or deferred); a deferred item never opened: its deferral time."""
    if it.started and it.ended:
        return f"审议时间：{it.started}—{it.ended}"
    if it.ended:
        return f"暂缓时间：{it.ended}" if it.outcome == "deferred" else f"结束时间：{it.ended}"
    return f"开始时间：{it.started}"


def check_line(seq: int, head: str) -> str:
    """The record's last line: 校验码 (the first 16 hex digits of the chain head) and its event number."""
    return f"校验码：{head[:16]}…（事件第{seq}条）"


def render(m: StructuredMinutes, kind: str, *, now: datetime | None = None) -> bytes:
    if kind == "record":
        return record(m, now=now)
    if kind == "summary":
        return summary(m, now=now)
    if kind == "public":
        return summary(m, public=True, now=now)
    raise ValueError(kind)


__all__ = [
    "CHAR",
    "FANGSONG",
    "HEITI",
    "KAITI",
    "KIND_NAMES",
    "LINE_PITCH",
    "RED",
    "SIZE_2",
    "SIZE_3",
    "SIZE_4",
    "SONGTI",
    "TEXT_WIDTH",
    "XIAOBIAOSONG",
    "cells",
    "check_line",
    "cn_date",
    "date_line",
    "hanging",
    "header",
    "imprint",
    "keep_with_next",
    "labelled",
    "mark_size",
    "name_lines",
    "page_setup",
    "record",
    "red_rule",
    "render",
    "right_tab",
    "set_ppr",
    "split_names",
    "summary",
    "text",
]
