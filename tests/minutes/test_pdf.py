"""The PDF copy of every archived document (minutes/pdf.py): made by LibreOffice headless as PDF/A-2b, stored,
hashed, verified and offered beside its docx; archiving without it when LibreOffice is missing or overruns; the
font replacement table keeps the hierarchy (a serif body, a sans 黑体) on a server without the standard's fonts."""

import hashlib
import shutil
import subprocess
import time

import pytest

from meeting.db import read_only, unit_of_work
from minutes import pdf, service
from minutes import verify as minutes_verify
from tests.factories import STAFF

needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdffonts") and shutil.which("pdfinfo")),
    reason="LibreOffice / poppler-utils not installed",
)


def _approve(app, mid):
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, mid)


def _archive_http(staff_http, mid):
    resp = staff_http.post(f"/api/v1/meetings/{mid}/minutes/archive", headers={"X-CSRF-Token": staff_http.csrf})
    assert resp.status_code == 200, resp.data
    return resp.get_json()["documents"]


@needs_office
def test_archive_keeps_a_pdf_a_copy_of_each_document(app, staff_http, http, texts, tmp_path):
    app.config["YISHI_PDF_COPY"] = True
    mid = texts.meeting_id
    _approve(app, mid)
    docs = _archive_http(staff_http, mid)
    assert sorted(d["kind"] for d in docs) == [
        "public",
        "public-pdf",
        "record",
        "record-pdf",
        "summary",
        "summary-pdf",
    ]
    assert {d["format"] for d in docs if d["kind"].endswith("-pdf")} == {"pdf"}
    assert all(d["version"] == 1 for d in docs)
    folder = service.archive_dir(app.instance_path)
    with app.app_context(), read_only() as s:
        rows = {d.kind: d for d in service.documents(s, mid)}
        report = minutes_verify.verify(s, mid, folder)
    assert report.ok, report.as_dict()["problems"]
    assert report.checked["files"] == 6
    for kind in ("record", "summary", "public"):
        row = rows[kind + "-pdf"]
        data = (folder / row.stored_name).read_bytes()
        assert row.stored_name.endswith(".pdf") and data.startswith(b"%PDF-")
        assert hashlib.sha256(data).hexdigest() == row.sha256 and row.size == len(data)
        (tmp_path / f"{kind}.pdf").write_bytes(data)
        meta = subprocess.run(
            ["pdfinfo", "-meta", str(tmp_path / f"{kind}.pdf")], capture_output=True, text=True, check=True
        ).stdout
        assert "<pdfaid:part>2</pdfaid:part>" in meta and "<pdfaid:conformance>B</pdfaid:conformance>" in meta
    # the hierarchy of faces survives a server without 仿宋_GB2312 / 黑体: a serif and a sans are both embedded
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "summary.pdf")], capture_output=True, text=True, check=True
    ).stdout
    installed = pdf.installed_families()
    if "Noto Serif CJK SC" in installed and "Noto Sans CJK SC" in installed and "仿宋_GB2312" not in installed:
        assert "NotoSerifCJK" in fonts and "NotoSansCJK" in fonts, fonts

    # offered beside the docx on the archive page; the public sees the 公开版's copy only
    page = staff_http.get("/minutes/archive").get_data(as_text=True)
    assert page.count('data-testid="pdf-copy"') == 3 and 'data-testid="pdf-unavailable"' not in page
    resp = staff_http.get(f"/minutes/documents/{rows['summary-pdf'].id}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data == (folder / rows["summary-pdf"].stored_name).read_bytes()
    assert resp.headers["Content-Disposition"].endswith(".pdf")
    assert http.get(f"/minutes/documents/{rows['summary-pdf'].id}").status_code == 403
    assert http.get(f"/minutes/documents/{rows['record-pdf'].id}").status_code == 403
    assert http.get(f"/minutes/documents/{rows['public-pdf'].id}").status_code == 200
    public_page = http.get("/minutes/archive").get_data(as_text=True)
    assert public_page.count('data-testid="pdf-copy"') == 1

    # a PDF changed on disk is caught by 核验 like a docx, and refused on download
    path = folder / rows["summary-pdf"].stored_name
    path.chmod(0o600)
    path.write_bytes(path.read_bytes() + b"%")
    with app.app_context(), read_only() as s:
        report = minutes_verify.verify(s, mid, folder)
    assert not report.ok
    assert any(
        "会议纪要（PDF副本）第1版" in p["message"] and "文件被改动" in p["message"]
        for p in report.as_dict()["problems"]
    )
    assert staff_http.get(f"/minutes/documents/{rows['summary-pdf'].id}").status_code != 200


@needs_office
def test_an_amendment_gives_the_pdf_copies_their_next_version(app, texts):
    mid, folder = texts.meeting_id, service.archive_dir(app.instance_path)
    _approve(app, mid)
    with app.app_context():
        service.archive(STAFF, mid, folder, pdf_copy=pdf.convert)
        service.amend(
            STAFF,
            mid,
            service.AmendmentIn(item_id=texts.items["a"], field="lead_unit", value="区城市更新中心", reason="记错"),
            folder,
            pdf_copy=pdf.convert,
        )
    with app.app_context(), read_only() as s:
        versions = sorted((d.kind, d.version) for d in service.documents(s, mid) if d.is_pdf)
        assert minutes_verify.verify(s, mid, folder).ok
    assert versions == [(k, v) for k in ("public-pdf", "record-pdf", "summary-pdf") for v in (1, 2)]


def test_without_libreoffice_the_archive_has_the_docx_and_the_page_says_so(app, staff_http, texts, monkeypatch):
    app.config["YISHI_PDF_COPY"] = True
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    mid = texts.meeting_id
    _approve(app, mid)
    docs = _archive_http(staff_http, mid)
    assert sorted(d["kind"] for d in docs) == ["public", "record", "summary"]
    page = staff_http.get("/minutes/archive").get_data(as_text=True)
    assert 'data-testid="pdf-unavailable"' in page and "本服务器不能生成 PDF 副本" in page
    assert 'data-testid="pdf-copy"' not in page
    with app.app_context(), read_only() as s:
        assert minutes_verify.verify(s, mid, service.archive_dir(app.instance_path)).ok


def test_a_failing_conversion_never_fails_the_archive(app, texts):
    mid, folder = texts.meeting_id, service.archive_dir(app.instance_path)
    _approve(app, mid)

    def broken(docs):
        raise RuntimeError("LibreOffice crashed")

    with app.app_context():
        docs = service.archive(STAFF, mid, folder, pdf_copy=broken)
    assert sorted(d.kind for d in docs) == ["public", "record", "summary"]
    assert not list(folder.glob(".tmp-*"))


def test_a_conversion_that_overruns_is_stopped_and_leaves_nothing(tmp_path, monkeypatch):
    slow = tmp_path / "soffice"
    slow.write_text("#!/bin/sh\nsleep 60\n")
    slow.chmod(0o755)
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(work))
    started = time.monotonic()
    assert pdf.convert({"summary": b"PK"}, timeout=1, program=str(slow)) == {}
    assert time.monotonic() - started < 15  # killed at its deadline, not waited for
    assert list(work.iterdir()) == []  # the private profile and the files removed


def test_the_replacement_table_maps_only_missing_faces():
    installed = {"Noto Serif CJK SC", "Noto Sans CJK SC", "楷体"}
    table = pdf.font_table(installed)
    assert table == {
        "方正小标宋简体": "Noto Serif CJK SC",
        "仿宋_GB2312": "Noto Serif CJK SC",
        "楷体_GB2312": "楷体",
        "黑体": "Noto Sans CJK SC",
        "宋体": "Noto Serif CJK SC",
    }
    assert pdf.font_table(installed | {"仿宋_GB2312", "黑体"}).keys() == {"方正小标宋简体", "楷体_GB2312", "宋体"}
    xcu = pdf.registry(table)
    assert "<value>黑体</value>" in xcu and "<value>Noto Sans CJK SC</value>" in xcu
    assert '<prop oor:name="SelectPdfVersion" oor:op="fuse"><value>2</value></prop>' in xcu
