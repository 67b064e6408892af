"""Read every generated docx back: sections, names in order, dissent, written opinions, recusals, layout, fonts,
the attendance blocks, the page-number field in odd and even footers."""

import io

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from meeting.db import read_only
from minutes import docx as render
from minutes import service


@pytest.fixture
def m(factory, texts):
    with factory.app.app_context(), read_only() as s:
        return service.structured(s, texts.meeting_id)


def _doc(data: bytes):
    return docx.Document(io.BytesIO(data))


def _text(d) -> str:
    return "\n".join(p.text for p in d.paragraphs)


def _check_layout(d):
    sec = d.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(0.1) and abs(sec.page_height - Mm(297)) < Mm(0.1)  # A4 (twips)
    assert abs(sec.top_margin - Mm(37)) < Mm(0.1) and abs(sec.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(sec.left_margin - Mm(28)) < Mm(0.1) and abs(sec.right_margin - Mm(26)) < Mm(0.1)
    assert d.settings.odd_and_even_pages_header_footer
    for footer, align in ((sec.footer, 2), (sec.even_page_footer, 0)):  # right, left
        p = footer.paragraphs[0]
        assert p.alignment == align
        xml = p._element.xml
        assert "PAGE" in "".join(t.text for t in p._element.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
    for p in d.paragraphs:  # every run names its East-Asian font
        for r in p.runs:
            rfonts = r._element.rPr.rFonts
            assert rfonts is not None and rfonts.get(qn("w:eastAsia")), p.text


def test_summary_layout_fonts_and_blocks(m):
    d = _doc(render.summary(m))
    _check_layout(d)
    at = next(i for i, p in enumerate(d.paragraphs) if p.text.endswith("纪要"))  # after 内部资料/草稿 marks
    title = d.paragraphs[at]
    assert title.text == "某某区人民政府常务会议纪要"
    run = title.runs[0]
    assert run.font.size == Pt(32) and run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"  # fills a line
    assert str(run.font.color.rgb) == "E60012"
    assert d.paragraphs[at + 1].text == "〔2023〕第12期"
    text = _text(d)
    assert "2023年12月9日，区长成员01主持召开某某区政府第12次常务会议" in text
    assert "一、关于城南片区老旧小区改造方案" in text and "三、关于区体育中心改扩建项目" in text
    assert "会议认为，老旧小区改造是重要民生工程。" in text
    assert "会议议定：原则同意城南片区老旧小区改造方案。由区住房和城乡建设局牵头" in text
    assert "会议议定：该议题暂缓审议，列入以后的会议。理由：用地手续尚未完备。" in text  # deferred before it was opened
    blocks = {p.runs[0].text: p for p in d.paragraphs if p.runs and p.runs[0].text in ("出席：", "请假：", "列席：")}
    assert list(blocks) == ["出席：", "请假：", "列席："]
    for p in blocks.values():
        lab, names = p.runs[0], p.runs[1]
        assert lab._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体" and lab.font.size == Pt(16)
        assert names._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert blocks["出席："].runs[1].text.startswith("成员01、成员02")
    assert "成员07（在省里参加培训）" in blocks["请假："].text and "区司法局李律师" in blocks["列席："].text
    body = next(p for p in d.paragraphs if p.text.startswith("会议认为"))
    assert body.runs[0].font.size == Pt(16)
    heading = next(p for p in d.paragraphs if p.text.startswith("一、"))
    assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert "不同意" not in text  # no individual opinions in the 纪要


def test_public_version_has_decisions_only(m):
    d = _doc(render.summary(m, public=True))
    _check_layout(d)
    text = _text(d)
    assert any("公开版" in p.text for p in d.paragraphs[:3])
    assert "城南片区老旧小区改造方案" in text and "张三" not in text  # personnel deliberations stay out
    assert "出席：" not in text and "成员02" not in text and "不同意" not in text


def test_record_has_everything(m):
    d = _doc(render.record(m))
    _check_layout(d)
    text = _text(d)
    for needle in (
        "时间：2023年12月9日 ",
        "地点：区政府第一会议室",
        "主持人：区长成员01",
        "记录人：王秘书",
        "请假：成员07（在省里参加培训）",
        "迟到：成员06",
        "列席：区司法局李律师（法律顾问）",
        "（二）第2轮（复议）",
        "复议：经成员01、成员02、成员03、成员04同意（4人）",
        "书面意见（缺席，秘书代录）成员07：同意",
        "回避：成员03同志因与张三系夫妻关系，依照《中华人民共和国公务员法》第七十六条回避。",
        "主持人决定：通过（与多数意见不一致）。理由：经考察该同志符合任职资格条件",
        "暂缓决策：主持人成员01同志决定暂缓，理由：用地手续尚未完备。",
        "适用规则：",
        "表决情况：同意",
    ):
        assert needle in text, needle
    ops = [p.text for p in d.paragraphs if p.text[:2] in {f"{i}." for i in range(1, 10)}]
    first = ops[:6]
    assert [o.split("：")[0] for o in first] == [
        "1. 成员02",
        "2. 成员03",
        "3. 成员04",
        "4. 成员05",
        "5. 成员06",
        "6. 成员01（主持人，最后发表）",
    ]
    assert "【不同意见】" in first[0] and "资金来源尚不明确" in first[0]


def test_grid_of_22_lines_and_28_characters(m):
    """The line pitch (225 mm / 22, in whole twips: 579) and every 3号 run condensed to 28 characters in 156 mm."""
    for data in (render.summary(m), render.summary(m, public=True), render.record(m)):
        d = _doc(data)
        grid = d.sections[0]._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:linePitch")) == "579" and grid.get(qn("w:type")) == "lines"
        body = [r for p in d.paragraphs for r in p.runs if r.font.size == Pt(16)]
        assert body
        for r in body:
            spacing = r._element.rPr.find(qn("w:spacing"))
            assert spacing is not None and int(spacing.get(qn("w:val"))) * 28 / 20 + 16 * 28 <= 156 / 25.4 * 72


def test_summary_and_its_public_version_follow_the_paragraphs_the_tablet_shows(m):
    from minutes import summary

    for public in (False, True):
        d = _doc(render.summary(m, public=public))
        shown = [p.text.replace("\n", "") for p in d.paragraphs]  # names' lines broken between names only
        # the 版头's office-and-date line and the paragraph the 版记 (a table) is anchored to are the layout's
        at = next(i for i, p in enumerate(summary.paragraphs(m, public=public)) if p.role == summary.TITLE)
        assert shown.pop(at + 2) == "某某区人民政府办公室\t2023年12月9日" and shown.pop() == ""
        assert shown == [p.full for p in summary.paragraphs(m, public=public)]
    public = summary.paragraphs(m, public=True)
    assert [p.text for p in public if p.role == "heading"] == [
        "一、关于城南片区老旧小区改造方案",
        "二、关于区体育中心改扩建项目",
    ]
    assert not any(p.role == "block" for p in public)  # no attendance in the 公开版
    assert "与会人员进行了讨论" not in "".join(p.text for p in public)  # nor the discussion


def test_public_version_leaves_out_confidential_and_personnel_items():
    from datetime import datetime

    from minutes import record

    def item(i, title, category, confidential):
        return record.ItemRow(
            i,
            i,
            title,
            category,
            "",
            "区政府办公室",
            "",
            confidential,
            "closed",
            None,
            [],
            [],
            [],
            [
                record.RoundRow(
                    1,
                    "passed",
                    {"agree": 1, "n": 1, "needed": 1, "yes": 1},
                    None,
                    "",
                    "",
                    "",
                    [],
                    [record.OpinionRow(1, "张建国", "agree", "", True)],
                    [],
                )
            ],
            record.Texts(),
        )

    src = record.Source(
        meeting_id=1,
        title="某某区人民政府第3次常务会议",
        body_name="某某区人民政府",
        kind="executive",
        kind_label="常务会议",
        session_number=3,
        starts_at=datetime(2023, 12, 9, 9, 0),
        place="会议室",
        chair_name="张建国",
        chair_title="区长",
        delegated_by="",
        recorder="王秘书",
        status="closed",
        seats=[record.SeatRow(1, "张建国", "区长", "present")],
        observers=[],
        items=[
            item(1, "关于公开事项的议题", "major_decision", False),
            item(2, "关于保密工程的议题", "major_project", True),
            item(3, "关于李四同志任职的议题", "personnel", False),
        ],
    )
    m = record.build(src)
    full, public = _text(_doc(render.summary(m))), _text(_doc(render.summary(m, public=True)))
    assert (
        "关于保密工程" in full
        and "关于李四同志任职" in full
        and "研究了关于公开事项、关于保密工程、关于李四同志任职等事项" in full
    )
    assert "关于公开事项" in public and "保密工程" not in public and "李四" not in public
    assert "研究了关于公开事项等事项" in public and "张建国：" not in public
