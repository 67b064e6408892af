"""A document through LibreOffice headless to PDF (a private profile per call, so parallel runs do not share its
lock), read back by poppler: its page count and text."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="LibreOffice / poppler-utils not installed",
)


def convert(tmp_path, name: str, data: bytes, ext: str = "docx", *, layout: bool = True) -> tuple[Path, int, str]:
    """(the PDF, its pages, its text) of ``data`` rendered by LibreOffice headless in a private profile; the text by
    pdftotext, with ``-layout`` unless ``layout`` is False (reading order only)."""
    src = tmp_path / f"{name}.{ext}"
    src.write_bytes(data)
    profile = tmp_path / f"lo-profile-{name}"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env=os.environ | {"HOME": str(tmp_path)},
    )
    pdf = tmp_path / f"{name}.pdf"
    assert pdf.is_file()
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    text = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return pdf, pages, text


def to_pdf(tmp_path, name: str, data: bytes, ext: str = "docx") -> tuple[int, str]:
    """(pages, text) of ``data`` rendered as PDF."""
    _, pages, text = convert(tmp_path, name, data, ext)
    return pages, text


def calc_installed() -> bool:
    """LibreOffice's spreadsheet component (a writer-only install cannot load an xlsx)."""
    program = Path(os.path.realpath(shutil.which("soffice") or "/nonexistent")).parent
    return any(program.glob("libsclo.so")) or any(program.glob("libsc*lo.dll"))
