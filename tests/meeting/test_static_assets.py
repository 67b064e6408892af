"""The Socket.IO client is served from our own static/ (closed intranets), pinned by checksum."""

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PINNED_SHA256 = "b0e735814f8dcfecd6cdb8a7ce95a297a7e1e5f2727a29e6f5901801d52fa0c5"


def test_vendored_socketio_client_matches_pinned_checksum():
    data = (ROOT / "static/vendor/socket.io/socket.io.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == PINNED_SHA256
    assert PINNED_SHA256 in (ROOT / "static/vendor/socket.io/VERSION.md").read_text()


def test_vendored_client_licence_is_kept():
    assert "MIT" in (ROOT / "static/vendor/socket.io/LICENSE").read_text() or "Permission is hereby granted" in (
        ROOT / "static/vendor/socket.io/LICENSE").read_text()


def test_app_serves_the_client_itself(http):
    resp = http.get("/static/vendor/socket.io/socket.io.min.js")
    assert resp.status_code == 200
    assert hashlib.sha256(resp.data).hexdigest() == PINNED_SHA256
    resp.close()


def test_no_template_loads_anything_from_another_host():
    for path in (ROOT / "templates").glob("*.html"):
        text = path.read_text()
        assert "https://" not in text and "http://" not in text.replace("http://{{", ""), path.name
