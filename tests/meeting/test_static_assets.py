"""The Socket.IO client and pdf.js are served from our own static/ (closed intranets), pinned by checksum."""

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PINNED_SHA256 = "b0e735814f8dcfecd6cdb8a7ce95a297a7e1e5f2727a29e6f5901801d52fa0c5"
PDFJS = ROOT / "static/vendor/pdfjs"
CMAPS_ROW = "cmaps/*.bcmap"


def test_vendored_socketio_client_matches_pinned_checksum():
    data = (ROOT / "static/vendor/socket.io/socket.io.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == PINNED_SHA256
    assert PINNED_SHA256 in (ROOT / "static/vendor/socket.io/VERSION.md").read_text()


def test_vendored_client_licence_is_kept():
    assert (
        "MIT" in (ROOT / "static/vendor/socket.io/LICENSE").read_text()
        or "Permission is hereby granted" in (ROOT / "static/vendor/socket.io/LICENSE").read_text()
    )


def test_app_serves_the_client_itself(http):
    resp = http.get("/static/vendor/socket.io/socket.io.min.js")
    assert resp.status_code == 200
    assert hashlib.sha256(resp.data).hexdigest() == PINNED_SHA256
    resp.close()


def test_no_template_loads_anything_from_another_host():
    for path in (ROOT / "templates").glob("*.html"):
        text = path.read_text()
        assert "https://" not in text and "http://" not in text.replace("http://{{", ""), path.name


# ---------------------------------------------------------------- pdf.js (static/vendor/pdfjs, see its VERSION.md)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pdfjs_table() -> dict[str, str]:
    """The "Files" table of VERSION.md: vendored path (or the ``cmaps/*.bcmap`` row) → sha256."""
    row = re.compile(r"\|\s*`([^`]+)`\s*\|[^|]*\|\s*`([0-9a-f]{64})`\s*\|")
    return {
        m.group(1): m.group(2)
        for line in (PDFJS / "VERSION.md").read_text().splitlines()
        if (m := row.fullmatch(line.strip()))
    }


def _cmaps_digest() -> str:
    """sha256 of the listing ``cd cmaps && LC_ALL=C sha256sum -- *.bcmap`` (how VERSION.md states it)."""
    listing = "".join(f"{_sha256(p)}  {p.name}\n" for p in sorted((PDFJS / "cmaps").glob("*.bcmap")))
    return hashlib.sha256(listing.encode()).hexdigest()


def _usecmap(path: Path) -> str | None:
    """The CMap a packed CMap builds on (its ``usecmap`` metadata record, as pdf.js's BinaryCMapReader reads it)."""
    data, pos = path.read_bytes(), 1  # byte 0: header

    def number() -> int:
        nonlocal pos
        n = 0
        while True:
            b = data[pos]
            pos += 1
            n = (n << 7) | (b & 0x7F)
            if not b & 0x80:
                return n

    used = None
    while pos < len(data) and data[pos] >> 5 == 7:  # metadata records come first: 0 comment, 1 usecmap
        kind = data[pos] & 0x1F
        pos += 1
        text = "".join(chr(number()) for _ in range(number()))
        if kind == 1:
            used = text
    return used


def test_vendored_pdfjs_matches_the_checksums_in_version_md():
    table = _pdfjs_table()
    assert {"pdf.min.js", "pdf.worker.min.js", CMAPS_ROW} <= set(table), table
    for name, expected in table.items():
        if name == CMAPS_ROW:
            assert _cmaps_digest() == expected, "cmaps/*.bcmap differ from VERSION.md"
        else:
            assert (PDFJS / name).is_file(), name
            assert _sha256(PDFJS / name) == expected, name
    count = re.search(r"`cmaps/` \((\d+) files", (PDFJS / "VERSION.md").read_text())
    assert count and int(count.group(1)) == len(list((PDFJS / "cmaps").glob("*.bcmap")))


def test_vendored_pdfjs_is_the_version_stated():
    version = re.search(r"^\| version \| (\d+\.\d+\.\d+) \|", (PDFJS / "VERSION.md").read_text(), re.MULTILINE).group(1)
    for name in ("pdf.min.js", "pdf.worker.min.js"):
        assert f'"{version}"' in (PDFJS / name).read_text(encoding="utf-8"), name


def test_vendored_pdfjs_holds_only_listed_files():
    table = _pdfjs_table()
    for path in PDFJS.rglob("*"):
        if path.is_dir():
            continue
        rel = path.relative_to(PDFJS).as_posix()
        listed = rel in table or (rel.startswith("cmaps/") and rel.endswith(".bcmap"))
        assert listed or rel == "VERSION.md" or path.name.startswith("LICENSE"), f"not in VERSION.md: {rel}"


def test_vendored_pdfjs_licences_are_kept():
    assert "Apache License" in (PDFJS / "LICENSE").read_text() and "Version 2.0" in (PDFJS / "LICENSE").read_text()
    for name in (
        "cmaps/LICENSE",
        "standard_fonts/LICENSE_FOXIT",
        "iccs/LICENSE",
        "wasm/LICENSE_OPENJPEG",
        "wasm/LICENSE_PDFJS_OPENJPEG",
        "wasm/LICENSE_JBIG2",
        "wasm/LICENSE_PDFJS_JBIG2",
        "wasm/LICENSE_QCMS",
        "wasm/LICENSE_PDFJS_QCMS",
    ):
        assert (PDFJS / name).stat().st_size > 100, name


def test_vendored_cmaps_cover_chinese_and_are_complete():
    cmaps = PDFJS / "cmaps"
    names = {p.stem for p in cmaps.glob("*.bcmap")}
    assert {
        "UniGB-UCS2-H",
        "UniGB-UTF16-H",
        "GBK-EUC-H",
        "GB-EUC-H",
        "Adobe-GB1-UCS2",
        "UniCNS-UCS2-H",
        "B5pc-H",
        "Adobe-CNS1-UCS2",
    } <= names
    for path in cmaps.glob("*.bcmap"):
        used = _usecmap(path)
        assert used is None or used in names, f"{path.name} builds on {used}, which is not vendored"


def test_tablet_template_points_to_the_vendored_pdfjs():
    text = (ROOT / "templates/tablet.html").read_text()
    paths = re.findall(r"filename='(vendor/pdfjs/[^']*)'", text)
    assert len(paths) == 6, paths
    for rel in paths:
        target = ROOT / "static" / rel
        assert target.is_dir() if rel.endswith("/") else target.is_file(), rel


def test_app_serves_pdfjs_as_javascript(http):
    """A browser refuses an ES module that is not served with a JavaScript MIME type."""
    table = _pdfjs_table()
    for name in ("pdf.min.js", "pdf.worker.min.js"):
        resp = http.get(f"/static/vendor/pdfjs/{name}")
        assert resp.status_code == 200
        assert resp.mimetype in ("text/javascript", "application/javascript"), (name, resp.mimetype)
        assert hashlib.sha256(resp.data).hexdigest() == table[name]
        resp.close()
    resp = http.get("/static/vendor/pdfjs/cmaps/UniGB-UCS2-H.bcmap")
    assert resp.status_code == 200 and len(resp.data) > 1000
    resp.close()
