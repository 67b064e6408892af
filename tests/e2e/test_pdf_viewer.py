"""A PDF material opens inside the room page on a member's tablet: drawn by the vendored pdf.js (static/vendor/pdfjs)
into <canvas> pages, fit to width, at the device's pixel density, with a page counter — not in an <iframe>, which
stays blank on Chromium-based Android tablets and in headless Chromium (no built-in PDF viewer). Images keep <img>.

The PDF is written by hand here: Chinese text in STSong-Light, not embedded, encoding UniGB-UCS2-H — the common
kind that pdf.js can only draw with the CMaps, so a page with ink on it shows that the vendored cmaps/ were found.
Runs against ``python run.py serve`` in each async mode (see conftest.py); screenshots go to tests/e2e/screenshots/.
"""

from __future__ import annotations

import re
import struct
import zlib

from playwright.sync_api import Page, expect

TABLET = (768, 1024)
TABLET_LANDSCAPE = (1024, 768)
MEMBER = "李红梅"
PAGES = [["关于城市更新项目的请示", "第一页：项目概况"], ["第二页：资金来源与风险评估", "请审议。"]]
PAGE_MARGIN = 8  # CSS px beside each page (PDF_MARGIN in tablet.js)


def chinese_pdf(pages: list[list[str]]) -> bytes:
    """A small valid PDF: one A4 page per entry, each line in 30 pt STSong-Light (not embedded, UniGB-UCS2-H)."""

    def utf16_hex(text: str) -> str:
        return "<" + text.encode("utf-16-be").hex().upper() + ">"

    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        (
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R /DW 1000 >>"
        ),
        (
            b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0"
            b" /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
        ),
    ]
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 30 Tf", "72 740 Td"]
        for i, line in enumerate(lines):
            ops += ([] if i == 0 else ["0 -48 Td"]) + [f"{utf16_hex(line)} Tj"]
        stream = "\n".join([*ops, "ET"]).encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R >> >> >>" % len(objects)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def small_png(width: int = 64, height: int = 40) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def upload(secretary, item_id: int, filename: str, data: bytes, content_type: str) -> dict:
    """POST /api/v1/items/<id>/materials (multipart, field ``file``) as the signed-in secretary → the material."""
    resp = secretary.http.post(
        secretary.server.url(f"/api/v1/items/{item_id}/materials"),
        files={"file": (filename, data, content_type)},
        headers={"X-CSRF-Token": secretary.csrf, "Accept": "application/json"},
        timeout=15,
    )
    assert resp.status_code == 201, (resp.status_code, resp.text[:500])
    return resp.json()["material"]


# Each canvas in the viewer, copied onto a fresh canvas and read back: how many pixels carry ink (dark) and how many
# are white paper, its size in device pixels and on screen, and the width the pages are fitted to.
CANVAS_PIXELS = """() => Array.from(document.querySelectorAll('[data-testid="material-viewer"] canvas')).map((c) => {
  const probe = document.createElement('canvas');
  probe.width = c.width;
  probe.height = c.height;
  const ctx = probe.getContext('2d');
  ctx.drawImage(c, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let ink = 0, paper = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] < 160 && d[i + 1] < 160 && d[i + 2] < 160) { ink++; }
    else if (d[i] > 245 && d[i + 1] > 245 && d[i + 2] > 245) { paper++; }
  }
  return { page: Number(c.parentNode.dataset.page), width: c.width, height: c.height,
           cssWidth: c.getBoundingClientRect().width, fitWidth: document.getElementById('viewer-body').clientWidth,
           ink: ink, paper: paper, total: d.length / 4 };
})"""


def connected(page: Page) -> None:
    page.wait_for_function("() => window.YishiRoom && YishiRoom.current && YishiRoom.current.connected === true")


def assert_drawn(pages: list[dict], dpr: float) -> None:
    assert [p["page"] for p in pages] == [1, 2], pages
    for p in pages:
        assert p["ink"] > 2000, f"page {p['page']} looks blank: {p}"  # the Chinese text was drawn
        assert p["paper"] > p["total"] * 0.6, p  # on a white sheet
        assert abs(p["cssWidth"] - (p["fitWidth"] - 2 * PAGE_MARGIN)) <= 1, p  # fit to width
        assert abs(p["width"] - dpr * p["cssWidth"]) <= 2, p  # device pixels, not CSS pixels
        assert abs(p["height"] / p["width"] - 842 / 595) < 0.01, p  # A4 proportions kept


def api(secretary, method: str, path: str, payload: dict | None = None) -> dict:
    resp = secretary.api(method, path, payload)
    assert resp.status_code == 200, (method, path, resp.status_code, resp.text[:500])
    return resp.json()


def open_item_with_materials(server, secretary) -> tuple[dict, dict]:
    """The secretary over the JSON API only: upload a PDF and an image to the large-funds item, roll call, open the
    meeting and the item. → (the PDF material, the image material)."""
    meeting = api(secretary, "GET", f"/meetings/{server.meeting_id}")["meeting"]
    funds = next(it["id"] for it in meeting["agenda"] if it["category"] == "large_funds")
    pdf = upload(secretary, funds, "城市更新项目请示.pdf", chinese_pdf(PAGES), "application/pdf")
    png = upload(secretary, funds, "项目位置图.png", small_png(), "image/png")
    for seat in meeting["roster"]:
        assert (
            api(
                secretary,
                "POST",
                f"/meetings/{server.meeting_id}/actions/roll_call",
                {"person_id": seat["person_id"], "attendance": "present"},
            )["ok"]
            is True
        ), seat["name"]
    for action, payload in (("open_meeting", {}), ("open_item", {"item_id": funds})):
        assert api(secretary, "POST", f"/meetings/{server.meeting_id}/actions/{action}", payload)["ok"] is True, action
    return pdf, png


def open_tablet(new_page, problems: list[str], block_pdfjs: bool = False) -> tuple[Page, dict[str, int]]:
    """A member's tablet (portrait, touch, 2 device pixels per CSS pixel) → (page, pdf.js URL → HTTP status)."""
    tablet = new_page(*TABLET, has_touch=True, device_scale_factor=2)
    tablet.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    served: dict[str, int] = {}  # pdf.js files fetched by the page or its worker → HTTP status
    tablet.context.on(
        "response",
        lambda r: served.__setitem__(r.url.split("?")[0], r.status) if "/static/vendor/pdfjs/" in r.url else None,
    )
    if block_pdfjs:
        tablet.route("**/static/vendor/pdfjs/pdf.min.js", lambda route: route.abort())
    return tablet, served


def test_pdf_material_is_drawn_page_by_page_on_the_tablet(server, secretary, new_page, screenshot):
    pdf, png = open_item_with_materials(server, secretary)
    problems: list[str] = []
    tablet, served = open_tablet(new_page, problems)
    tablet.goto(server.tablet_url(MEMBER))
    connected(tablet)

    # the member opens the PDF: it is drawn inside the room page, page by page
    tablet.get_by_test_id(f"material-{pdf['id']}").click()
    viewer = tablet.get_by_test_id("material-viewer")
    expect(viewer).to_be_visible()
    counter = tablet.get_by_test_id("material-page-count")
    expect(counter).to_have_text("第 1 / 2 页", timeout=15_000)
    expect(viewer.locator("canvas")).to_have_count(2, timeout=15_000)  # page 2 lies within a screen: drawn too
    expect(viewer.locator("iframe")).to_have_count(0)  # pdf.js, not the fallback
    assert_drawn(tablet.evaluate(CANVAS_PIXELS), dpr=2)
    pdfjs = server.url("/static/vendor/pdfjs/")
    for name in ("pdf.min.js", "pdf.worker.min.js", "cmaps/UniGB-UCS2-H.bcmap", "cmaps/Adobe-GB1-UCS2.bcmap"):
        assert served.get(pdfjs + name) == 200, (name, served)
    screenshot(tablet, "pdf-page-1")

    # scrolled to the end: the counter follows
    tablet.locator("#viewer-body").evaluate("body => { body.scrollTop = body.scrollHeight; }")
    expect(counter).to_have_text("第 2 / 2 页")
    screenshot(tablet, "pdf-page-2")

    # turned to landscape: the pages are fitted to the new width and drawn again, still sharp
    tablet.set_viewport_size({"width": TABLET_LANDSCAPE[0], "height": TABLET_LANDSCAPE[1]})
    tablet.wait_for_function(
        """() => {
      const c = document.querySelector('[data-testid="material-viewer"] canvas');
      return c && Math.abs(c.width - 2 * (document.getElementById('viewer-body').clientWidth - 16)) <= 2;
    }""",
        timeout=15_000,
    )
    expect(viewer.locator("canvas")).to_have_count(2)
    visible = [p for p in tablet.evaluate(CANVAS_PIXELS) if p["width"] >= 2 * (p["fitWidth"] - 2 * PAGE_MARGIN) - 2]
    assert visible and all(p["ink"] > 2000 for p in visible), visible
    screenshot(tablet, "pdf-landscape")
    tablet.set_viewport_size({"width": TABLET[0], "height": TABLET[1]})

    # closing leaves the room page as it was
    tablet.get_by_test_id("material-close").click()
    expect(viewer).to_be_hidden()
    expect(counter).to_have_count(0)
    expect(viewer.locator("canvas")).to_have_count(0)

    # an image still opens as <img>, without a page counter
    tablet.get_by_test_id(f"material-{png['id']}").click()
    expect(viewer.locator("img.viewer-image")).to_be_visible()
    expect(counter).to_have_count(0)
    tablet.get_by_test_id("material-close").click()
    expect(viewer).to_be_hidden()

    assert problems == []


def test_pdf_falls_back_to_the_browser_viewer_when_pdfjs_cannot_load(server, secretary, new_page, screenshot):
    """pdf.min.js does not arrive: the PDF goes to the browser's own viewer in an <iframe> as before — or, where the
    browser has none (navigator.pdfViewerEnabled === false), to a link that opens it in a new tab."""
    pdf, _ = open_item_with_materials(server, secretary)
    problems: list[str] = []
    tablet, _ = open_tablet(new_page, problems, block_pdfjs=True)
    tablet.goto(server.tablet_url(MEMBER))
    connected(tablet)

    tablet.get_by_test_id(f"material-{pdf['id']}").click()
    viewer = tablet.get_by_test_id("material-viewer")
    expect(viewer.locator("iframe.viewer-frame, .viewer-cannot a.big-link")).to_have_count(1, timeout=15_000)
    material_url = re.compile(rf"/materials/{pdf['id']}\?token=")
    if tablet.evaluate("() => navigator.pdfViewerEnabled === false"):
        expect(viewer.locator(".viewer-cannot a.big-link")).to_have_attribute("href", material_url)
    else:
        expect(viewer.locator("iframe.viewer-frame")).to_have_attribute("src", material_url)
    expect(viewer.locator("canvas")).to_have_count(0)
    expect(tablet.get_by_test_id("material-page-count")).to_have_count(0)
    screenshot(tablet, "pdf-fallback")

    # the room page itself keeps working: close, and open again (pdf.js is tried again, and fails again)
    tablet.get_by_test_id("material-close").click()
    expect(viewer).to_be_hidden()
    tablet.get_by_test_id(f"material-{pdf['id']}").click()
    expect(viewer.locator("iframe.viewer-frame, .viewer-cannot a.big-link")).to_have_count(1, timeout=15_000)
    assert problems == []
