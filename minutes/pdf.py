"""A PDF copy of each archived docx, rendered by LibreOffice headless (PDF/A-2b), when ``soffice`` is installed.

The conversion is a child process with a private LibreOffice profile (``-env:UserInstallation``) made for the one
run and removed after it: the profile holds the PDF export settings (PDF/A-2b: ``SelectPdfVersion`` 2) and a font
replacement table, so that on a server without the fonts GB/T 9704-2012 names the hierarchy still shows — a serif
for 仿宋 and 小标宋, a sans for 黑体 — instead of every face falling back to one sans (see docs/minutes.md).

The wait for the child is a poll with a deadline on ``time.sleep``, which eventlet and gevent make cooperative, so
the event loop keeps serving while LibreOffice works (a native thread of the offload pool would have to wait on
the green ``subprocess`` from outside its hub). A conversion that fails or overruns its time gives no PDF: the
archive goes on with the docx alone (:func:`convert` returns what it could make).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .docx import LINE_PITCH, lower_imprint

log = logging.getLogger(__name__)
MM = 72 / 25.4  # points per millimetre

TIMEOUT = 120.0  # seconds for one archive's documents (a 40-item record takes ~10 s on the CI machine)
SUFFIX = "-pdf"  # ArchivedDocument.kind of a PDF copy: record-pdf, summary-pdf, public-pdf
PDFA_VERSION = 2  # writer_pdf_Export's SelectPdfVersion: 0 plain PDF, 1 PDF/A-1b, 2 PDF/A-2b, 3 PDF/A-3b

# GB/T 9704-2012's faces → the installed face that keeps each one's kind, first found wins (fc-list :lang=zh).
# A face that is installed is never replaced: :func:`font_table` lists only the missing ones.
REPLACEMENTS: dict[str, tuple[str, ...]] = {
    "方正小标宋简体": ("方正小标宋_GBK", "Noto Serif CJK SC", "AR PL UMing CN"),
    "仿宋_GB2312": ("仿宋", "FangSong", "Noto Serif CJK SC", "AR PL UMing CN"),
    "楷体_GB2312": ("楷体", "KaiTi", "AR PL KaitiM GB", "AR PL UKai CN", "Noto Serif CJK SC"),
    "黑体": ("SimHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei"),
    "宋体": ("SimSun", "Noto Serif CJK SC", "AR PL UMing CN"),
}


def soffice() -> str | None:
    """The LibreOffice program, or None when this server has none (archives then carry no PDF copy)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def installed_families() -> set[str]:
    """Font families fontconfig knows (empty when fc-list is missing)."""
    fc = shutil.which("fc-list")
    if fc is None:
        return set()
    try:
        out = subprocess.run([fc, ":", "family"], capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def font_table(installed: set[str] | None = None) -> dict[str, str]:
    """Each standard face that is not installed → the face LibreOffice is to use instead: the first candidate
    installed. (The table names families only: LibreOffice takes no weight from it, so 小标宋 is a regular serif.)"""
    installed = installed_families() if installed is None else installed
    table = {}
    for face, candidates in REPLACEMENTS.items():
        if face in installed:
            continue
        for c in candidates:
            if c in installed:
                table[face] = c
                break
    return table


def registry(table: dict[str, str], pdfa: int = PDFA_VERSION) -> str:
    """registrymodifications.xcu for the private profile: the PDF export's version and the font replacements."""
    pairs = "".join(
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
        f'<node oor:name="_{i}" oor:op="replace">'
        # "always": with "only when missing" LibreOffice counts its own fallback as the font being there
        '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{escape(face)}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{escape(sub)}</value></prop>'
        "</node></item>\n"
        for i, (face, sub) in enumerate(sorted(table.items()))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Common/Filter/PDF/Export">'
        f'<prop oor:name="SelectPdfVersion" oor:op="fuse"><value>{pdfa}</value></prop></item>\n'
        '<item oor:path="/org.openoffice.Office.Common/Filter/PDF/Export">'
        '<prop oor:name="EmbedStandardFonts" oor:op="fuse"><value>true</value></prop></item>\n'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>\n'
        f"{pairs}</oor:items>\n"
    )


def _wait(proc: subprocess.Popen, timeout: float) -> int | None:
    """Poll until the child ends (its exit status) or ``timeout`` passes (None: its process group is killed)."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while proc.poll() is None:
        if time.monotonic() >= deadline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            return None
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    return proc.returncode


def convert(docs: dict[str, bytes], *, timeout: float = TIMEOUT, program: str | None = None) -> dict[str, bytes]:
    """``{kind: docx bytes}`` → ``{kind: PDF bytes}`` for those LibreOffice converted within ``timeout`` seconds
    (all in one run, and one more for the documents with a 版记: :func:`lower_imprints`); {} when LibreOffice is
    missing or fails. Never raises for a failed conversion."""
    program = program or soffice()
    if program is None or not docs:
        return {}
    deadline = time.monotonic() + timeout
    made = _convert_once(docs, timeout, program)

    def again(more: dict[str, bytes]) -> dict[str, bytes]:
        left = deadline - time.monotonic()
        return _convert_once(more, left, program) if left > 1 else {}

    return lower_imprints(docs, made, again)


def _convert_once(docs: dict[str, bytes], timeout: float, program: str) -> dict[str, bytes]:
    """One LibreOffice run over ``docs``: the PDFs it made within ``timeout`` seconds."""
    work = Path(tempfile.mkdtemp(prefix="yishi-pdf-"))
    try:
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(registry(font_table()), encoding="utf-8")
        out = work / "out"
        out.mkdir()
        sources = []
        for kind, data in docs.items():
            src = work / f"{kind}.docx"
            src.write_bytes(data)
            sources.append(str(src))
        cmd = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(out),
            *sources,
        ]
        env = os.environ | {"HOME": str(work)}
        with open(work / "soffice.log", "wb") as logfile:
            try:
                proc = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=logfile, stderr=logfile, env=env, start_new_session=True
                )
            except OSError:
                log.warning("PDF copy not made: %s could not be started", program)
                return {}
            status = _wait(proc, timeout)
        if status is None:  # killed: what it left may be cut short
            log.warning("PDF copy not made: LibreOffice ran over %s s", timeout)
            return {}
        if status:
            log.warning("LibreOffice ended with status %s; keeping the PDFs it finished", status)
        made = {}
        for kind in docs:
            pdf = out / f"{kind}.pdf"
            if pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-":
                made[kind] = pdf.read_bytes()
        return made
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the profile and the files: nothing of a run stays behind


# ---------------------------------------------------------------- the 版记 at the foot of the last page
# GB/T 9704-2012 §7.4 puts the 版记 on the last page with its last rule on the text block's last line. The docx
# anchors its table to the bottom margin (Word, WPS); LibreOffice 7.4 keeps such a table in the flow, right after
# the body. So a document with a 版记 is laid out twice: the first PDF says how far its last line is above the foot
# of the text block, and the second is made with an empty paragraph of that height before the 版记
# (minutes.docx.lower_imprint). The docx itself is archived as rendered.

PAGE_HEIGHT_MM, BOTTOM_MARGIN_MM = 297, 35  # minutes.docx's page: A4, 35 mm below the text block
SAFETY_PT = 1.5  # below this much, a rounding of LibreOffice's could push the 版记 onto a page of its own
_WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">')


def has_imprint(docx: bytes) -> bool:
    """Whether a docx carries a 版记 anchored to the foot of the page (a 纪要 or its 公开版, not a 会议记录)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return b'w:tblpYSpec="bottom"' in z.read("word/document.xml")


def imprint_gap(pdf: bytes, *, program: str | None = None) -> float | None:
    """Points between the last line of the last page's text block and the block's foot, minus the half-leading
    under that line (the 版记's last rule sits there) and a safety margin; None when poppler is missing or the
    page cannot be read."""
    program = program or shutil.which("pdftotext")
    if program is None:
        return None
    try:
        out = subprocess.run(
            [program, "-bbox", "-", "-"], input=pdf, capture_output=True, timeout=60, check=True
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None
    pages = out.split("<page ")[1:]
    if not pages:
        return None
    last = pages[-1]
    height = re.search(r'height="([\d.]+)"', last)
    foot = (float(height.group(1)) if height else PAGE_HEIGHT_MM * MM) - BOTTOM_MARGIN_MM * MM
    lines = [(float(a), float(b)) for a, b in _WORD.findall(last) if float(b) <= foot + 1]  # not the page number
    if not lines:
        return None
    top, bottom = max(lines, key=lambda w: w[1])
    half_leading = max(0.0, (LINE_PITCH.pt - (bottom - top)) / 2)
    return foot - bottom - half_leading - SAFETY_PT


def lower_imprints(docs: dict[str, bytes], made: dict[str, bytes], convert_again) -> dict[str, bytes]:
    """``made`` with each PDF whose docx has a 版记 laid out again with the 版记 lowered to the foot of the last
    page. A second layout that takes another page (or fails) keeps the first: a 版记 after the body beats one
    alone on a page."""
    again = {}
    for kind, data in docs.items():
        if kind in made and has_imprint(data):
            gap = imprint_gap(made[kind])
            if gap is not None and gap >= 1:
                again[kind] = lower_imprint(data, gap)
    if not again:
        return made
    second = convert_again(again)
    out = dict(made)
    for kind, pdf in second.items():
        if pages(pdf) == pages(made[kind]):
            out[kind] = pdf
        else:
            log.warning("版记 not lowered in the %s PDF: the second layout took another page", kind)
    return out


def pages(pdf: bytes) -> int:
    """A PDF's page count (its page objects; LibreOffice writes no object streams)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def kind_of(kind: str) -> str:
    """The ArchivedDocument kind of the PDF copy of a ``kind`` docx."""
    return kind + SUFFIX


__all__ = ["REPLACEMENTS", "SUFFIX", "available", "convert", "font_table", "kind_of", "registry", "soffice"]
