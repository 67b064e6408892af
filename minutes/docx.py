"""Renders structured minutes as docx: 会议记录 (the full record), 会议纪要 (GB/T 9704-2012) and the 公开版.

The only module that imports python-docx. Every run names its East-Asian font (``w:rFonts/@w:eastAsia``) as well as
the Latin one, so Word, WPS and LibreOffice all pick the Chinese face; fonts are named as the standard expects
(方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体) and a viewer without them falls back to its CJK font.
"""

from __future__ import annotations

import copy
import io
import math

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

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
        tpl = _RPR[key] = rpr
    old = run._r.rPr
    if old is not None:
        run._r.remove(old)
    run._r.insert(0, copy.deepcopy(tpl))


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
):
    p = _para(doc, align=align, indent=indent, pitch=pitch)
    _fonts(_run(p, text), font, size, bold=bold, color=color)
    return p


def _labelled(doc, label: str, text: str, *, label_font: str = HEITI, indent: bool = False):
    """'出席：' in 3号黑体, then the names in 3号仿宋 — one paragraph, two runs, both with East-Asian fonts."""
    p = _para(doc, indent=indent)
    _fonts(_run(p, label), label_font, SIZE_3)
    _fonts(_run(p, text), FANGSONG, SIZE_3)
    return p


def _page_setup(doc, title: str) -> None:
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
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
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
    doc.core_properties.title = clean_text(title)
    doc.core_properties.language = "zh-CN"

    # page numbers: "— 1 —", 4号宋体, odd pages right, even pages left (GB/T 9704-2012 §7.5)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(sec.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


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
    """The red separator line under the issue line (版头中的分隔线)."""
    ppr = p._element.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("val", "single"), ("sz", "12"), ("space", "6"), ("color", "E60012")):
        bottom.set(qn(f"w:{k}"), v)
    bdr.append(bottom)
    ppr.append(bdr)


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


def summary(m: StructuredMinutes, *, public: bool = False) -> bytes:
    """会议纪要 (GB/T 9704-2012 §10.3), or with ``public`` the 公开版: the paragraphs of :mod:`minutes.summary`, each
    in the font of its role — title 2号小标宋 red, issue line with the red rule, body 3号仿宋, 一、 headings 黑体,
    出席/请假/列席 labels 3号黑体."""
    doc = Document()
    paras = summary_text.paragraphs(m, public=public)
    _page_setup(doc, paras[0].text)
    for para in paras:
        if para.role == summary_text.TITLE:
            _text(
                doc,
                para.text,
                font=XIAOBIAOSONG,
                size=SIZE_2,
                indent=False,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                color=RED,
                pitch=Pt(40),
            )
        elif para.role == summary_text.BLOCK:
            _labelled(doc, para.label, para.text)
        else:
            font, size, indent, align = _ROLE_STYLE[para.role]
            p = _text(doc, para.text, font=font, size=size, indent=indent, align=align)
            if para.role == summary_text.ISSUE:
                _red_rule(p)
    return _save(doc)


# ---------------------------------------------------------------- 会议记录 (the full record)


def record(m: StructuredMinutes) -> bytes:
    """The full record: every opinion in the order given (the chair last), dissent, written opinions, recusals,
    tallies with the threshold applied and its source, results, reconsideration rounds (国务院令第713号 第30条)."""
    doc = Document()
    _page_setup(doc, f"{m.title}记录")
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
        _text(doc, it.heading, font=HEITI)
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
            _text(doc, label, font=KAITI)
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
        _text(doc, "更正记录", font=HEITI)
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


def render(m: StructuredMinutes, kind: str) -> bytes:
    if kind == "record":
        return record(m)
    if kind == "summary":
        return summary(m)
    if kind == "public":
        return summary(m, public=True)
    raise ValueError(kind)


__all__ = ["KIND_NAMES", "check_line", "cn_date", "record", "render", "summary"]
