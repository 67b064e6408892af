"""Tablet tokens never reach a log line.

A personal link's token is the member's key to the room: whoever reads it in a log file can give opinions in his
name. Every record that passes the filter has ``/t/<token>``, ``/qr/<token>``, ``/minutes/tablet/<token>`` and any
``token=`` query or form argument replaced by ``***`` — in its message, its arguments and its traceback.
:func:`install` puts the filter on the app's logger, werkzeug's (the threading server's access log) and the
server loggers that meeting.cli.serve hands to eventlet and gevent.
"""

from __future__ import annotations

import logging
import re

REDACTED = "***"
_PATH = re.compile(r"(/(?:t|qr|minutes/tablet)/)[^/?#\s\"'<>]+")
_ARG = re.compile(r"((?:[?&;]|\b)token=)[^&#\s\"'<>]+", re.IGNORECASE)

# loggers whose records may carry a request line or path
LOGGERS = ("werkzeug", "engineio.server", "socketio.server", "yishi.server", "gevent", "eventlet.wsgi")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """The text with the token of every personal-link path and ``token=`` argument, and each of ``secrets``
    wherever it appears (the current request's token, e.g. quoted in an exception message), replaced."""
    text = _ARG.sub(r"\1" + REDACTED, _PATH.sub(r"\1" + REDACTED, text))
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, REDACTED)
    return text


def _request_tokens() -> tuple[str, ...]:
    """The token the request being handled carries (its ``<token>`` path part, ``?token=``, form ``token``)."""
    try:
        from flask import has_request_context, request

        if not has_request_context():
            return ()
        found = [(request.view_args or {}).get("token"), request.args.get("token")]
        if request.mimetype == "application/x-www-form-urlencoded":
            found.append(request.form.get("token"))
        return tuple(t for t in found if isinstance(t, str))
    except Exception:  # noqa: BLE001  (a log line must never fail because of this filter)
        return ()


class RedactTokens(logging.Filter):
    """Rewrites the record in place (message formatted once, then redacted; the traceback too); never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left to the handler to report
            return True
        secrets = _request_tokens()
        clean = redact(message, secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


_FILTER = RedactTokens()


def install(*loggers: logging.Logger) -> None:
    """Put the one filter on these loggers and on :data:`LOGGERS` (idempotent)."""
    for logger in (*loggers, *(logging.getLogger(n) for n in LOGGERS)):
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)


def server_logger() -> logging.Logger:
    """The logger given to eventlet's and gevent's WSGI servers for their error (and, if enabled, access) lines."""
    logger = logging.getLogger("yishi.server")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    install(logger)
    return logger
