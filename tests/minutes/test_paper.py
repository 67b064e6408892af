"""Paper for the meeting room, from the record: the 会议通知, the 签到表 and a one-page 表决结果单 per decided item —
each a docx (read back with python-docx) and a print page (no navigation, its buttons hidden when printed) for the
secretary only; one of each through LibreOffice to check its page count."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests.pdf import needs_office, to_pdf
from voting.profiles import load_profile
from voting.sources import office_form as office_citation

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def voted(factory):
    """A nine-member government, eight present (one on leave), two observers; item 1 passed by majority with a
    recusal and a dissent, item 2 deferred before it was opened."""
    body, ids = factory.body(9)
    chair = ids[0]
    subject = factory.person("张三", title="拟任局长")
    factory.relation(ids[3], subject.id, "SPOUSE")
    m = factory.meeting(body.id, session_number=12).id
    factory.present(m, ids[:8])
    factory.act("roll_call", m, {"person_id": ids[8], "attendance": "absent", "reason": "在省里参加培训"})
    from meeting import setup
    from meeting.db import unit_of_work
    from meeting.schemas import ObserverIn
    from tests.factories import STAFF

    with factory.app.app_context(), unit_of_work() as s:
        setup.add_observer(s, STAFF, m, ObserverIn(name="李律师", unit="区司法局", role="法律顾问"))
        setup.add_observer(s, STAFF, m, ObserverIn(name="赵代表", unit="区人大常委会", role="人大代表"))
    a = factory.item(
        m,
        title="关于张三同志任职的议题",
        category="personnel",
        subjects=[subject.id],
        presenter="王部长",
        submitting_unit="区委组织部",
    ).id
    b = factory.item(m, title="关于区体育中心改扩建项目的议题", category="major_project", submitting_unit="区发改局").id
    factory.act("open_meeting", m)
    factory.act("open_item", m, {"item_id": a})
    factory.act("call_opinions", m, {"item_id": a})
    eligible = [p for p in ids[:8] if p not in (chair, ids[3])]
    for pid in eligible:
        factory.say(m, a, pid, "disagree" if pid == ids[1] else "agree", "资历尚浅" if pid == ids[1] else "")
    factory.say(m, a, chair, "agree", "同意", chair=chair)
    factory.act("close_item", m, {"item_id": a})
    factory.act("defer_item", m, {"item_id": b, "reason": "用地手续尚未完备"})
    return m, ids, a, b


def _all_text(d) -> str:
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    for sec in d.sections:
        parts += [p.text for p in sec.footer.paragraphs]
    return "\n".join(parts)


def _a4(d) -> None:
    sec = d.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)


def test_office_citation_by_title_and_number():
    assert office_citation("seed 003 §四(二)3；民法典 第1259条") == (
        "《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）3；"
        "《中华人民共和国民法典》第一千二百五十九条"
    )
    assert office_citation("seed 003 §四(二)5；公务员法 第74、76条").endswith("《中华人民共和国公务员法》第七十六条")
    assert office_citation("党政领导干部选拔任用工作条例") == "《党政领导干部选拔任用工作条例》"
    cited = "《中华人民共和国公务员法》第七十六条"
    assert office_citation(cited) == cited
    # every pass rule and quorum of the profile reads without the developers' file names
    profile = load_profile()
    for source in re.findall(r'source = "([^"]*)"', (ROOT / "voting/profiles/taobei-2023.toml").read_text("utf-8")):
        assert "seed" not in office_citation(source).lower(), source
    assert profile is not None


def test_notice_docx_and_page(app, factory, voted, staff_http):
    m, ids, a, b = voted
    resp = staff_http.get(f"/minutes/meetings/{m}/paper/notice.docx")
    assert resp.status_code == 200 and resp.mimetype.endswith("wordprocessingml.document")
    d = docx.Document(io.BytesIO(resp.data))
    _a4(d)
    text = _all_text(d)
    assert d.paragraphs[0].text == "关于召开某某区人民政府第12次常务会议的通知"
    for needle in (
        "某某区人民政府各组成人员，各有关单位：",
        "定于2023年12月9日（星期六）上午9:00在区政府第一会议室召开某某区人民政府第12次常务会议",
        "四、出席人员",
        "成员01、成员02",
        "五、列席人员",
        "区司法局李律师、区人大常委会赵代表",
        "1. 关于张三同志任职（区委组织部汇报，汇报人：王部长）",
        "2. 关于区体育中心改扩建项目（区发改局汇报）",
        "请各汇报单位于会前将汇报材料报送某某区人民政府办公室",
        "八、联系人",
        "王秘书",
    ):
        assert needle in text, needle
    assert d.paragraphs[-2].text == "某某区人民政府办公室"
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", d.paragraphs[-1].text)
    assert "seed" not in text.lower()
    # the fonts: 小标宋 title, 黑体 headings, 仿宋 body, every run naming its East-Asian face
    fonts = {r.element.rPr.rFonts.get(qn("w:eastAsia")) for p in d.paragraphs for r in p.runs}
    assert fonts <= {"方正小标宋简体", "黑体", "仿宋_GB2312"} and {"方正小标宋简体", "黑体"} <= fonts
    page = staff_http.get(f"/minutes/meetings/{m}/paper/notice")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    _print_page(html)
    assert "关于召开某某区人民政府第12次常务会议的通知" in html and "区司法局李律师" in html


def _print_page(html: str) -> None:
    """No navigation bar at all; the buttons and links are inside the bar hidden on paper; the print CSS hides it."""
    assert 'class="topbar' not in html and "<nav" not in html
    bar = re.search(r'<div class="paper-bar no-print".*?</div>', html, re.DOTALL)
    assert bar
    outside = html.replace(bar.group(0), "")
    assert "<button" not in outside
    assert "/static/css/paper.css" in html
    css = (ROOT / "static/css/paper.css").read_text("utf-8")
    printed = css[css.index("@media print") :]
    assert ".no-print" in printed and ".paper-bar" in printed and "display: none" in printed
    assert "size: A4 portrait" in printed


def test_sign_in_sheet_docx_and_page(app, factory, voted, staff_http):
    m, ids, a, b = voted
    d = docx.Document(io.BytesIO(staff_http.get(f"/minutes/meetings/{m}/paper/sign-in.docx").data))
    _a4(d)
    assert d.paragraphs[0].text == "某某区人民政府第12次常务会议签到表"
    table = d.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "姓名", "单位及职务", "签名", "到会时间"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    grid = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid[3] >= max(grid[1], grid[4]) and grid[0] == min(grid)  # a wide signature column, 序号 narrow
    assert abs(sum(grid) / 1440 * 25.4 - 156) < 1  # the text block's width
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows[0][0] == "出席人员" and len(set(rows[0])) == 1  # a group row across the table
    members = rows[1:10]
    assert [r[1] for r in members] == [f"成员{i:02d}" for i in range(1, 10)]  # all nine, also the one on leave
    assert members[0][:3] == ["1", "成员01", "某某区人民政府区长"] and members[0][3:] == ["", ""]
    assert rows[10][0] == "列席人员"
    assert [r[1:3] for r in rows[11:]] == [["李律师", "区司法局法律顾问"], ["赵代表", "区人大常委会人大代表"]]
    html = staff_http.get(f"/minutes/meetings/{m}/paper/sign-in").get_data(as_text=True)
    _print_page(html)
    assert html.count('<tr class="person">') == 11 and "<thead>" in html


def test_result_sheet_per_decided_item(app, factory, voted, staff_http):
    m, ids, a, b = voted
    resp = staff_http.get(f"/minutes/meetings/{m}/paper/results/{a}.docx")
    assert resp.status_code == 200
    d = docx.Document(io.BytesIO(resp.data))
    _a4(d)
    text = _all_text(d)
    assert d.paragraphs[0].text == "表决结果单"
    assert "议题：关于张三同志任职" in text and "提请单位：区委组织部" in text
    tally = d.tables[0]
    assert [c.text for c in tally.rows[0].cells] == ["应到", "实到", "同意", "不同意", "缓议", "回避"]
    assert [c.text for c in tally.rows[1].cells] == ["9", "8", "6", "1", "0", "1"]
    assert "表决结果：通过。" in text
    assert "超过应到会成员半数" in text and "须赞成5票" in text and "实得赞成6票" in text
    assert "依据：《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）3" in text
    assert "主持人（签字）：" in text and "签字日期：" in text
    assert "seed" not in text.lower()
    # the item the chair deferred before the vote: its sheet gives the result and the reason, no pass test
    deferred = _all_text(
        docx.Document(io.BytesIO(staff_http.get(f"/minutes/meetings/{m}/paper/results/{b}.docx").data))
    )
    assert "暂缓理由：用地手续尚未完备。" in deferred and "表决规则" not in deferred and "依据" not in deferred
    assert staff_http.get(f"/minutes/meetings/{m}/paper/results/{b + 99}.docx").status_code == 404
    page = staff_http.get(f"/minutes/meetings/{m}/paper/results")
    html = page.get_data(as_text=True)
    _print_page(html)
    assert html.count('data-testid="paper-result"') == 2 and "白洮政发〔2023〕14号" in html
    assert "seed" not in html.lower()
    assert "break-after: page" in (ROOT / "static/css/paper.css").read_text("utf-8")  # one sheet to a page
    one = staff_http.get(f"/minutes/meetings/{m}/paper/results?item={a}").get_data(as_text=True)
    assert one.count('data-testid="paper-result"') == 1
    missing = staff_http.get(f"/minutes/meetings/{m}/paper/results?item={b + 99}")
    assert missing.status_code == 404 and "未找到已表决的议题" in missing.get_data(as_text=True)


def test_only_the_secretary_prints_them(app, factory, voted, http):
    m, ids, a, b = voted
    token = factory.tokens(m)[ids[1]]
    for path in (
        f"/minutes/meetings/{m}/paper/notice",
        f"/minutes/meetings/{m}/paper/sign-in.docx",
        f"/minutes/meetings/{m}/paper/results/{a}.docx",
    ):
        resp = http.get(path)
        assert resp.status_code in (302, 401, 403)
        resp = http.get(f"{path}?token={token}")  # a member's link does not open them either
        assert resp.status_code in (302, 401, 403)


def test_linked_from_setup_and_archive(app, factory, voted, staff_http):
    m, ids, a, b = voted
    setup_page = staff_http.get(f"/meetings/{m}/setup").get_data(as_text=True)
    for path in ("paper/notice", "paper/sign-in", "paper/results"):
        assert f"/minutes/meetings/{m}/{path}" in setup_page


@needs_office
def test_through_libreoffice(app, factory, voted, staff_http, tmp_path):
    m, ids, a, b = voted
    pages, text = to_pdf(tmp_path, "sign-in", staff_http.get(f"/minutes/meetings/{m}/paper/sign-in.docx").data)
    assert pages == 1  # nine members and two observers on one page
    assert "成员09" in "".join(text.split()) and "赵代表" in "".join(text.split())
    pages, text = to_pdf(tmp_path, "result", staff_http.get(f"/minutes/meetings/{m}/paper/results/{a}.docx").data)
    assert pages == 1 and "主持人（签字）" in "".join(text.split())
    pages, text = to_pdf(tmp_path, "notice", staff_http.get(f"/minutes/meetings/{m}/paper/notice.docx").data)
    assert pages <= 2 and "八、联系人" in "".join(text.split())


def test_head_decides_sheet_and_archive_links(app, factory, texts, staff_http):
    """A body under 行政首长负责制: the sheet gives the head's decision with its reasons (against the majority on
    the personnel item), the written opinion, the recusal and the reconsidered round; the archive links the papers."""
    from minutes import service
    from tests.factories import STAFF

    m = texts.meeting_id
    html = staff_http.get(f"/minutes/meetings/{m}/paper/results").get_data(as_text=True)
    assert html.count('data-testid="paper-result"') == 3  # A (its second round), B, and C deferred
    b = _all_text(
        docx.Document(io.BytesIO(staff_http.get(f"/minutes/meetings/{m}/paper/results/{texts.items['b']}.docx").data))
    )
    assert "主持人决定：通过（与多数意见不一致）。理由：经考察该同志符合任职资格条件，工作急需。" in b
    assert "seed" not in b.lower() and "seed" not in html.lower()
    a = _all_text(
        docx.Document(io.BytesIO(staff_http.get(f"/minutes/meetings/{m}/paper/results/{texts.items['a']}.docx").data))
    )
    assert "（第2轮）" in a
    with app.app_context():
        from meeting.db import unit_of_work

        with unit_of_work() as s:
            service.approve(s, STAFF, m)
        service.archive(STAFF, m, service.archive_dir(app.instance_path))
    archive = staff_http.get("/minutes/archive").get_data(as_text=True)
    for path in ("paper/notice", "paper/sign-in", "paper/results"):
        assert f"/minutes/meetings/{m}/{path}" in archive
    assert "/paper/" not in app.test_client().get("/minutes/archive").get_data(as_text=True)  # the public: none
