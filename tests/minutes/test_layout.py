"""The 纪要's GB/T 9704-2012 layout, read back from the docx XML and, where the place on the page matters, from the
PDF LibreOffice makes of it (``pdftotext -bbox-layout``): 版头, 版记, the attendance blocks, numbers, headings,
the order of every w:pPr, the document's properties; and the 版头/版记 fields the secretary sets (form and API)."""

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime

import docx
import pytest
from docx.oxml.ns import qn

from meeting.db import read_only, unit_of_work
from minutes import docx as render
from minutes import pdf, service
from minutes.errors import MinutesNotDraft
from tests.factories import STAFF

MM = 72 / 25.4  # points per millimetre
needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")), reason="LibreOffice / poppler-utils not installed"
)


@pytest.fixture
def m(factory, texts):
    with factory.app.app_context(), read_only() as s:
        return service.structured(s, texts.meeting_id)


def _doc(data: bytes):
    return docx.Document(io.BytesIO(data))


def _pprs(d):
    parts = [d.element, d.styles.element]
    for sec in d.sections:
        parts += [sec.footer._element, sec.even_page_footer._element]
    for root in parts:
        yield from root.iter(qn("w:pPr"))


def test_every_ppr_is_in_schema_order_and_runs_are_en_us_for_latin(m):
    rank = {qn(f"w:{t}"): i for i, t in enumerate(render.PPR_ORDER)}
    for kind in ("summary", "public", "record"):
        d = _doc(render.render(m, kind))
        n = 0
        for ppr in _pprs(d):
            tags = [c.tag for c in ppr]
            assert all(t in rank for t in tags), tags
            assert [rank[t] for t in tags] == sorted(rank[t] for t in tags), [t.split("}")[1] for t in tags]
            n += 1
        assert n > 20
        for r in d.element.iter(qn("w:r")):
            rpr = r.find(qn("w:rPr"))
            lang = rpr.find(qn("w:lang"))
            assert lang.get(qn("w:val")) == "en-US" and lang.get(qn("w:eastAsia")) == "zh-CN"
            assert rpr[-1] is lang  # w:lang after w:sz/w:szCs (CT_RPr's order)
        normal = d.styles["Normal"].element.rPr.find(qn("w:lang"))
        assert normal.get(qn("w:val")) == "en-US" and normal.get(qn("w:eastAsia")) == "zh-CN"


def test_headings_keep_with_next_body_justified_date_right_four_characters(m):
    d = _doc(render.summary(m))
    headings = [p for p in d.paragraphs if re.match("[一二三四五六七八九十]+、", p.text)]
    assert len(headings) == 3 and all(p.paragraph_format.keep_with_next for p in headings)
    assert d.styles["YishiBodyIndent"].paragraph_format.alignment == 3  # both (两端对齐)
    date = [p for p in d.paragraphs if p.text == m.date][-1]
    assert date.alignment == 2 and date.paragraph_format.right_indent.pt == pytest.approx(4 * render.CHAR)
    rec = _doc(render.record(m))
    assert all(p.paragraph_format.keep_with_next for p in rec.paragraphs if p.text.startswith(("一、", "（一）")))


def test_document_properties_are_the_office_and_real_dates(m):
    at = datetime(2023, 12, 9, 3, 15, tzinfo=UTC)
    for kind in ("summary", "record"):
        cp = _doc(render.render(m, kind, now=at)).core_properties
        assert cp.author == cp.last_modified_by == "某某区人民政府办公室"
        assert cp.title in ("某某区人民政府常务会议纪要", f"{m.title}记录")
        assert cp.created.replace(tzinfo=None) == cp.modified.replace(tzinfo=None) == datetime(2023, 12, 9, 3, 15)
        assert not {cp.comments, cp.keywords, cp.category, cp.subject} - {""}
        assert "python-docx" not in (cp.author + cp.comments + cp.last_modified_by)
    fonts = _doc(render.summary(m)).part.package
    table = next(p for p in fonts.iter_parts() if p.partname.endswith("fontTable.xml")).blob.decode()
    for face, (family, alt) in render.FONT_TABLE.items():
        assert f'w:name="{face}"' in table and f'w:val="{alt}"' in table


def test_header_block_and_imprint_in_the_docx(m):
    d = _doc(render.summary(m))
    at = [p.text for p in d.paragraphs].index("某某区人民政府常务会议纪要")  # below the 内部资料 / 草稿 marks
    mark, issue, office = d.paragraphs[at : at + 3]
    assert mark.text == "某某区人民政府常务会议纪要" and issue.text == "〔2023〕第12期"
    # §10.3: 35 mm from the text block's top (less the leading), the marks' lines above it included
    assert mark.paragraph_format.space_before.mm + at * render.LINE_PITCH.mm > 30
    assert office.text == "某某区人民政府办公室\t2023年12月9日"
    assert office._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "E60012"
    block = next(p for p in d.paragraphs if p.text.startswith("出席："))
    ind = block._p.pPr.find(qn("w:ind"))
    label = 3 * render.CHAR
    assert int(ind.get(qn("w:left"))) == round((2 * render.CHAR + label) * 20)  # 左空二字, then after the colon
    assert int(ind.get(qn("w:hanging"))) == round(label * 20)
    table = d.tables[-1]
    rows = [r.cells[0].text for r in table.rows]
    assert rows == ["分送：某某区人民政府领导班子成员，各有关单位。", "某某区人民政府办公室\t2023年12月9日印发"]
    borders = [r.cells[0]._tc.tcPr.find(qn("w:tcBorders")) for r in table.rows]
    assert borders[0].find(qn("w:top")).get(qn("w:sz")) == str(render.RULE_THICK)  # first rule thick
    assert borders[1].find(qn("w:top")).get(qn("w:sz")) == str(render.RULE_THIN)  # the middle thin
    assert borders[1].find(qn("w:bottom")).get(qn("w:sz")) == str(render.RULE_THICK)  # the last thick


def test_names_are_broken_between_names_only():
    names = [f"成员{n:02d}" for n in range(1, 12)] + ["欧阳明月（在省委党校参加学习）"]
    lines = render.name_lines(names, 23)
    assert "".join(lines) == "、".join(names)
    for line in lines:
        assert render.cells(line) <= 23
        assert line.endswith("、") or line == lines[-1]  # every line ends after a whole name
    assert render.split_names("张三、李四（在省里参加培训、学习）") == ["张三", "李四（在省里参加培训、学习）"]


def _words(tmp_path, data: bytes, name: str):
    src = tmp_path / f"{name}.docx"
    src.write_bytes(data)
    out = pdf.convert({name: data})
    assert name in out
    target = tmp_path / f"{name}.pdf"
    target.write_bytes(out[name])
    html = subprocess.run(
        ["pdftotext", "-bbox-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", html, re.S):
        lines = []
        for line in re.findall(r"<line [^>]*>(.*?)</line>", page, re.S):
            words = [
                (float(a), float(b), float(c), float(e), w)
                for a, b, c, e, w in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', line
                )
            ]
            if words:
                lines.append(words)
        pages.append(lines)
    return pages


def _line(pages, start: str):
    for n, lines in enumerate(pages):
        for line in lines:
            if "".join(w[4] for w in line).startswith(start):
                return n, line
    raise AssertionError(start)


@needs_office
def test_the_page_as_libreoffice_lays_it_out(tmp_path, factory, texts):
    # more names than a line holds, so the 出席 block wraps
    with factory.app.app_context(), read_only() as s:
        m = service.structured(s, texts.meeting_id)
    from dataclasses import replace

    m.present = m.present + [replace(m.present[0], name=f"欧阳{c}明", note="") for c in "甲乙丙丁戊"]
    pages = _words(tmp_path, render.summary(m), "summary")
    left, right = 28 * MM, (210 - 26) * MM
    # 版头: the mark's glyphs begin about 35 mm below the text block's top (37 mm margin)
    _, mark = _line(pages, "某某区人民政府常务会议纪要")
    assert abs(mark[0][1] - (37 + 35) * MM) < 4 * MM, mark[0][1] / MM
    # the office line: 编发单位 左空一字, the date 右空一字, on one line
    n, office = _line(pages, "某某区人民政府办公室")
    assert abs(office[0][0] - (left + render.CHAR)) < 3, office[0][0]
    same_line = [w for line in pages[n] for w in line if abs(w[1] - office[0][1]) < 3]
    assert "".join(w[4] for w in same_line).endswith("2023年12月9日")
    assert abs(same_line[-1][2] - (right - render.CHAR)) < 6, (same_line[-1][2], right - render.CHAR)
    # 出席: 左空二字, the label, wrapped lines aligned after the colon; no name split over two lines
    n, first = _line(pages, "出席：")
    assert abs(first[0][0] - (left + 2 * render.CHAR)) < 3
    lines = pages[n]
    i = lines.index(first)
    after_colon = left + 5 * render.CHAR
    wrapped = lines[i + 1]
    assert abs(wrapped[0][0] - after_colon) < 3, (wrapped[0][0], after_colon)
    text = "".join(w[4] for w in first) + "".join(w[4] for w in wrapped)
    assert "".join(w[4] for w in first).endswith("、")  # the first line ends after a whole name
    assert "欧阳甲明" in text
    # 成文日期 右空四字
    _, date = _line(pages[-1:], "2023年12月9日")
    assert abs(date[-1][2] - (right - 4 * render.CHAR)) < 6
    # 版记: on the last page, after everything of the body, its last line on the text block's last line (§7.4:
    # LibreOffice keeps the anchored table in the flow, so the PDF is laid out twice: minutes.pdf.lower_imprints)
    last = pages[-1]
    foot = (297 - 35) * MM
    issued = _issued(pages)
    assert foot - render.LINE_PITCH.pt < issued[0][3] < foot, (issued[0][3], foot)
    top = {"".join(w[4] for w in line): line[0][1] for line in last}  # each line's text → its top

    def y(text):
        return next(v for t, v in top.items() if t.startswith(text) or t.endswith(text))

    assert y("2023年12月9日") < y("分送：某某区人民政府领导班子成员，各有关单位。") < y("2023年12月9日印发")
    assert abs(y("某某区人民政府办公室") - y("2023年12月9日印发")) < 2  # 印发机关 and 印发日期 on one line
    below = [t for t, v in top.items() if v > y("2023年12月9日印发") + 2]
    assert all(t.startswith("—") for t in below), below  # only the page number under it


def test_the_secretary_sets_the_header_and_imprint(app, staff_http, texts):
    mid = texts.meeting_id
    resp = staff_http.post(
        f"/minutes/meetings/{mid}/header",
        data={
            "csrf_token": staff_http.csrf,
            "issue_label": "〔2026〕5号",
            "issuing_office": "某某区人民政府办公室秘书科",
            "distribution": "区政府各位领导",
            "copy_to": "区委办公室，区人大常委会办公室",
        },
    )
    assert resp.status_code in (302, 303)
    page = staff_http.get(f"/minutes/meetings/{mid}").get_data(as_text=True)
    assert 'data-testid="minutes-header-form"' in page and 'value="〔2026〕5号"' in page
    with app.app_context(), read_only() as s:
        m = service.structured(s, mid)
    d = _doc(render.summary(m))
    from minutes.summary import document_title

    at = [p.text for p in d.paragraphs].index(document_title(m))
    assert d.paragraphs[at + 1].text == "〔2026〕5号"
    assert d.paragraphs[at + 2].text.startswith("某某区人民政府办公室秘书科\t")
    assert [r.cells[0].text for r in d.tables[-1].rows] == [
        "分送：区政府各位领导。",
        "抄送：区委办公室，区人大常委会办公室。",
        "某某区人民政府办公室秘书科\t2023年12月9日印发",
    ]
    # the API: an empty text returns to the default; a field left out stays
    resp = staff_http.put(
        f"/api/v1/meetings/{mid}/minutes", json={"issue_label": ""}, headers={"X-CSRF-Token": staff_http.csrf}
    )
    assert resp.status_code == 200, resp.data
    with app.app_context(), read_only() as s:
        m = service.structured(s, mid)
    assert m.issue_label == "〔2023〕第12期" and m.copy_to == "区委办公室，区人大常委会办公室"
    # too long: refused in plain words, nothing changed
    resp = staff_http.put(
        f"/api/v1/meetings/{mid}/minutes", json={"issue_label": "期" * 41}, headers={"X-CSRF-Token": staff_http.csrf}
    )
    assert resp.status_code == 400 and "期号过长" in resp.get_json()["error"]["message"]
    with app.app_context(), read_only() as s:
        assert service.structured(s, mid).issue_label == "〔2023〕第12期"
    # once approved the 版头 is part of what was approved
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, mid)
    with app.app_context(), unit_of_work() as s, pytest.raises(MinutesNotDraft):
        service.set_header(s, STAFF, mid, service.MinutesHeaderIn(issue_label="第6期"))


@needs_office
def test_the_imprint_stays_after_the_body_when_the_page_is_full(tmp_path, factory, texts):
    """A body that ends near the foot of a page: the 版记 goes to the next page's foot, never over the body, and a
    second layout that would take one page more keeps the first (minutes.pdf.lower_imprints)."""
    from dataclasses import replace

    with factory.app.app_context(), read_only() as s:
        m = service.structured(s, texts.meeting_id)
    for extra in (8, 14):  # names enough to push the body down the first page, and over onto the second
        more = replace(
            m, present=m.present + [replace(m.present[0], name=f"欧阳{i}明", note="") for i in range(extra * 5)]
        )
        data = render.summary(more)
        first = pdf._convert_once({"s": data}, 120, pdf.soffice())["s"]
        pages = _words(tmp_path, data, f"full{extra}")
        assert len(pages) == pdf.pages(first)  # lowering never adds a page
        foot = (297 - 35) * MM
        issued = _issued(pages)
        assert foot - render.LINE_PITCH.pt < issued[0][3] < foot, (extra, issued[0][3], foot)
        body_end = _line(pages[-1:], "2023年12月9日")[1]
        assert body_end[0][1] < issued[0][1]


def test_a_document_without_imprint_is_converted_once(monkeypatch):
    calls = []
    made = {"record": b"%PDF-1.7 record"}
    out = pdf.lower_imprints({"record": _plain_docx()}, made, lambda d: calls.append(d) or {})
    assert out == made and calls == []


def test_lowering_that_adds_a_page_keeps_the_first_layout(monkeypatch):
    monkeypatch.setattr(pdf, "imprint_gap", lambda _pdf: 200.0)
    one_page = b"%PDF-1.7 /Type /Page /Type /Pages"
    two_pages = b"%PDF-1.7 /Type /Page /Type /Page /Type /Pages"
    docs = {"summary": _imprint_docx()}
    assert pdf.lower_imprints(docs, {"summary": one_page}, lambda d: {"summary": two_pages}) == {"summary": one_page}
    assert pdf.lower_imprints(docs, {"summary": two_pages}, lambda d: {"summary": two_pages}) == {"summary": two_pages}


def test_lower_imprint_puts_an_exact_spacer_before_the_imprint_table(m):
    data = render.summary(m)
    lowered = _doc(render.lower_imprint(data, 123.4))
    body = lowered.element.body
    tbl = next(t for t in body.iter(qn("w:tbl")) if t.find(qn("w:tblPr") + "/" + qn("w:tblpPr")) is not None)
    spacer = tbl.getprevious().find(qn("w:pPr") + "/" + qn("w:spacing"))
    assert spacer.get(qn("w:line")) == str(int(123.4 * 20)) and spacer.get(qn("w:lineRule")) == "exact"
    assert render.lower_imprint(data, 0.01) == data
    record = render.record(m)
    assert render.lower_imprint(record, 50) == record  # a 会议记录 has no 版记


def _issued(pages):
    """The 版记's last line (印发日期 "……印发") on the last page."""
    return next(line for line in pages[-1] if "".join(w[4] for w in line).endswith("印发"))


def _plain_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("会议记录")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _imprint_docx() -> bytes:
    d = docx.Document()
    t = d.add_table(rows=1, cols=1)
    t._tbl.tblPr.insert(0, render._el("w:tblpPr", tblpYSpec="bottom"))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()
