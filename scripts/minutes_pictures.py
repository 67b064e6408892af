"""Pictures of a meeting's 会议纪要 and 会议记录 for docs/minutes.md, as LibreOffice lays them out: the meeting with
every kind of item the tests read back (tests/minutes/every_kind.py — passed with dissent, personnel with a recusal,
not passed, deferred, confidential, written opinions, a member who left and returned, a delegated chair).

    .venv/bin/python scripts/minutes_pictures.py      # writes docs/minutes/summary-1.png, summary-last.png, record-1.png, record-2.png

A throw-away SQLite database in a temporary folder gets that meeting, built through the real services; its 纪要
and 记录 are rendered by minutes/docx.py, converted by minutes/pdf.py (the same private
LibreOffice profile and font table as the archive's PDF copies) and rasterised by pdftoppm at 50 dpi.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meeting.app import create_app  # noqa: E402
from meeting.db import read_only  # noqa: E402
from minutes import docx as render  # noqa: E402
from minutes import pdf, service  # noqa: E402
from tests.factories import Factory  # noqa: E402
from tests.minutes.every_kind import build_every_kind  # noqa: E402

OUT = ROOT / "docs" / "minutes"
# the pages of each to show: the 纪要's first and last (its 版记 at the foot), the 记录's first two
PAGES = {"summary": (("1", 1), ("last", -1)), "record": (("1", 1), ("2", 2))}


def main() -> int:
    if not pdf.available():
        print("LibreOffice (soffice) is needed to lay the pages out", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "pictures",
                "DATABASE_URL": f"sqlite:///{tmp}/demo.db",
                "INSTANCE_PATH": f"{tmp}/instance",
                "MATERIALS_DIR": f"{tmp}/instance/materials",
                "YISHI_ASYNC_MODE": "threading",
            }
        )
        every = build_every_kind(Factory(app))
        with app.app_context(), read_only() as s:
            m = service.structured(s, every.meeting_id, app.config["YISHI_TIMEZONE"])
        docs = {kind: render.render(m, kind) for kind in PAGES}
        pdfs = pdf.convert(docs)
        for kind, shown in PAGES.items():
            src = Path(tmp) / f"{kind}.pdf"
            src.write_bytes(pdfs[kind])
            count = pdf.pages(pdfs[kind])
            for name, page in shown:
                page = count if page < 0 else page
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        "50",
                        "-f",
                        str(page),
                        "-l",
                        str(page),
                        "-singlefile",
                        str(src),
                        str(OUT / f"{kind}-{name}"),
                    ],
                    check=True,
                    timeout=60,
                )
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT), png.stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
