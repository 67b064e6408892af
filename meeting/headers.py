"""Security headers on every response Flask answers (pages, API, static files, error pages).

The Content-Security-Policy allows no inline script and no eval: every script is a file under ``static/``, data a
script needs travels in ``data-*`` attributes or a ``<script type="application/json">`` block (not executed).
No HTTPS redirect is forced: the app runs on a meeting room's LAN over plain http by default; HSTS is sent only on a
request that arrived over HTTPS (``request.is_secure``, which honours ``X-Forwarded-Proto`` only where a proxy is
configured).

Per response, three things may differ from the page default:

- a material file (``views.material``) is shown inside the tablet's viewer (``<iframe>`` for text and for the
  browser's own PDF viewer): it may be framed by our own pages, never by another site's;
- the pdf.js worker (``static/vendor/pdfjs/pdf.worker.min.js``) runs under the policy of its own response; it
  compiles its WebAssembly image decoders (JPEG 2000, JBIG2, ICC colours), which CSP allows only with
  ``'wasm-unsafe-eval'`` — WebAssembly only, never JavaScript ``eval``. The tablet page carries the same keyword
  because older Chromium (before dedicated workers took their own policy) applies the page's policy to the worker;
- a material file gets ``object-src 'self'``: Chromium draws a PDF document with its own viewer, a plugin, which
  ``object-src 'none'`` in the PDF's own response would refuse (the tablet's fallback when pdf.js cannot load);
- a URL that carries a tablet token (``/t/<token>``, ``/tablet/<token>``, ``/qr/<token>.svg``, ``?token=``) is
  answered with ``Referrer-Policy: no-referrer``, so the token never leaves in a ``Referer`` header; other pages
  with ``same-origin`` (a form's own origin still sees where it came from: CSRF checks over HTTPS read it).
"""

from __future__ import annotations

import re

from flask import Flask, Response, request

# the Host header as it may appear in a ws:// source (host, IPv4, [IPv6], port); anything else is left out
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
_PDF_WORKER = "/static/vendor/pdfjs/pdf.worker.min.js"
_WASM_PAGES = {"views.tablet"}  # the pages that open pdf.js (see above)
_FRAMED = {"views.material"}  # responses our own pages show in an <iframe>

# nothing here uses a device; features every Chromium knows (an unknown name is a console error)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()"


def content_security_policy(*, host: str | None, wasm: bool = False, framed: bool = False) -> str:
    script = "'self' 'wasm-unsafe-eval'" if wasm else "'self'"
    # 'self' covers ws:/wss: of the same host in CSP3 (Chromium, Firefox); older Safari needs them named
    connect = "'self'"
    if host and _HOST.match(host):
        connect += f" ws://{host} wss://{host}"
    directives = {
        "default-src": "'self'",
        "script-src": script,
        "worker-src": script,
        "style-src": "'self'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": connect,
        "frame-src": "'self'",
        "object-src": "'self'" if framed else "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'" if framed else "'none'",
    }
    return "; ".join(f"{k} {v}" for k, v in directives.items())


def _carries_token() -> bool:
    return bool((request.view_args or {}).get("token") or request.args.get("token"))


def apply(resp: Response) -> Response:
    endpoint = request.endpoint or ""
    framed = endpoint in _FRAMED
    wasm = endpoint in _WASM_PAGES or request.path == _PDF_WORKER
    h = resp.headers
    h["Content-Security-Policy"] = content_security_policy(host=request.host, wasm=wasm, framed=framed)
    h["X-Frame-Options"] = "SAMEORIGIN" if framed else "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer" if _carries_token() else "same-origin"
    h["Permissions-Policy"] = PERMISSIONS_POLICY
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000")
    return resp


def init(app: Flask) -> None:
    app.after_request(apply)


# Engine.IO's own HTTP answers (long-polling, the handshake, its refusals): data, never a page
SOCKET_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def wrap_socketio(app: Flask, path: str = "/socket.io/") -> None:
    """Call after ``SocketIO(app)``: its middleware answers ``/socket.io/`` before Flask (no after_request), so the
    same headers are added around it. A WebSocket upgrade is passed through untouched."""
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        if environ.get("HTTP_UPGRADE") or not environ.get("PATH_INFO", "").startswith(path):
            return inner(environ, start_response)

        def start(status, response_headers, exc_info=None):
            present = {name.lower() for name, _ in response_headers}
            response_headers = list(response_headers) + [
                (name, value) for name, value in SOCKET_HEADERS.items() if name.lower() not in present
            ]
            return start_response(status, response_headers, exc_info)

        return inner(environ, start)

    app.wsgi_app = wsgi
