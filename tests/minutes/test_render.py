"""The 纪要 through LibreOffice: page count, the text survives, a PNG of the first page (tests/minutes/output/)."""

import shutil
import subprocess

import pytest

from meeting.db import read_only
from minutes import docx as render
from minutes import service
from tests.minutes.conftest import OUTPUT
from tests.pdf import convert

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="LibreOffice / poppler-utils not installed",
)


def _pdf(tmp_path, name: str, data: bytes):
    return convert(tmp_path, name, data)


def test_summary_renders_in_libreoffice(tmp_path, factory, texts):
    with factory.app.app_context(), read_only() as s:
        m = service.structured(s, texts.meeting_id)
    pdf, pages, text = _pdf(tmp_path, "summary", render.summary(m))
    assert pages == 2  # 22 lines a page: three items and the attendance blocks run onto a second page
    flat = "".join(text.split())
    for needle in (
        "某某区人民政府常务会议纪要",
        "〔2023〕第12期",
        "一、关于城南片区老旧小区改造方案",
        "会议议定：",
        "出席：",
        "请假：",
        "列席：",
        "2023年12月9日",
        "—1—",
        "—2—",
    ):
        assert needle in flat, needle
    OUTPUT.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(OUTPUT / "summary-page1")],
        check=True,
        timeout=60,
    )
    assert (OUTPUT / "summary-page1.png").stat().st_size > 10_000
    shutil.copy(pdf, OUTPUT / "summary.pdf")


def test_record_renders_with_page_numbers(tmp_path, factory, texts):
    with factory.app.app_context(), read_only() as s:
        m = service.structured(s, texts.meeting_id)
    pdf, pages, text = _pdf(tmp_path, "record", render.record(m))
    flat = "".join(text.split())
    assert pages >= 2 and "—2—" in flat and "成员01（主持人，最后发表）" in flat
    OUTPUT.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", "-singlefile", str(pdf), str(OUTPUT / "record-page2")],
        check=True,
        timeout=60,
    )


def _long_minutes():
    """Pure data (minutes.record), one item whose discussion runs over several pages."""
    from datetime import datetime

    from minutes import record

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
            record.ItemRow(
                1,
                1,
                "关于测试排版的议题",
                "other",
                "王局长",
                "区政府办公室",
                "",
                False,
                "closed",
                None,
                [],
                [],
                [],
                [],
                record.Texts(discussion="政" * 28 * 60),
            )
        ],
    )
    return record.build(src)


def test_a_full_page_holds_22_lines_of_28_characters(tmp_path):
    """GB/T 9704-2012 §5.2.2: 22 lines a page, 28 characters a line, in 3号 仿宋 (LibreOffice's rendering)."""
    pdf, pages, _ = _pdf(tmp_path, "grid", render.summary(_long_minutes()))
    assert pages >= 3
    page2 = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    lines = [line.strip() for line in page2.splitlines() if line.strip()]
    body, number = lines[:-1], lines[-1]
    assert "".join(number.split()) == "—2—"  # the page number, even page
    assert len(body) == 22 and {len(line) for line in body} == {28}, [len(line) for line in body]
