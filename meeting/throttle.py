"""Throttling of guesses: sign-in failures per user name and per address (lock-out), bad tablet-link tokens per
address. Counted with Flask-Limiter's rate limiter (moving windows) in its storage: memory by default, Redis when
``YISHI_THROTTLE_STORAGE`` or a ``redis://`` ``SOCKETIO_MESSAGE_QUEUE`` is configured, so every worker of a
scaled-out server counts the same failures.

Settings (a limit in the ``limits`` notation, e.g. ``5 per 15 minutes``; an empty string turns it off):
``YISHI_LOGIN_USER_LIMIT`` (failed sign-ins per user name, default ``5 per 15 minutes``),
``YISHI_LOGIN_IP_LIMIT`` (failed sign-ins per address, default ``20 per 15 minutes``),
``YISHI_LINK_IP_LIMIT`` (unknown link tokens per address, default ``30 per 5 minutes``).
Only failures count: a room of tablets behind one address, or an office behind one NAT, is never refused for
signing in correctly.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import parse

from .errors import TooManyAttempts, TooManyLinkAttempts

log = logging.getLogger(__name__)

DEFAULTS = {
    "YISHI_LOGIN_USER_LIMIT": "5 per 15 minutes",
    "YISHI_LOGIN_IP_LIMIT": "20 per 15 minutes",
    "YISHI_LINK_IP_LIMIT": "30 per 5 minutes",
}


def storage_uri(config) -> str:
    if config.get("YISHI_THROTTLE_STORAGE"):
        return config["YISHI_THROTTLE_STORAGE"]
    queue = config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    return queue if queue.startswith(("redis://", "rediss://")) else "memory://"


class Throttle:
    def __init__(self, app: Flask) -> None:
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        self.extension = Limiter(
            lambda: request.remote_addr or "",
            app=app,
            storage_uri=storage_uri(app.config),
            strategy="moving-window",
            default_limits=[],
            headers_enabled=False,
        )
        self.prefix = f"{app.config.get('SOCKETIO_CHANNEL', 'yishi')}:throttle"  # one counter for every worker
        self._warned = 0.0

    # the counters
    def _limit(self, setting: str):
        spec = (current_app.config.get(setting) or "").strip()
        return parse(spec) if spec else None

    def _guard(self, fn, default):
        try:
            return fn()
        except Exception:  # the storage (Redis) is down: do not lock everybody out; say so once a minute
            if time.monotonic() - self._warned > 60:
                self._warned = time.monotonic()
                log.warning("throttle storage unavailable; not counting failures", exc_info=True)
            return default

    def check(self, setting: str, key: str) -> int:
        """0 when another attempt is allowed, else the minutes to wait (at least 1)."""
        item = self._limit(setting)
        if item is None:
            return 0
        strategy = self.extension.limiter
        if self._guard(lambda: strategy.test(item, self.prefix, setting, key), True):
            return 0
        stats = self._guard(lambda: strategy.get_window_stats(item, self.prefix, setting, key), None)
        wait = (stats.reset_time - time.time()) if stats else item.get_expiry()
        return max(1, math.ceil(wait / 60))

    def failed(self, setting: str, key: str) -> None:
        item = self._limit(setting)
        if item is not None:
            self._guard(lambda: self.extension.limiter.hit(item, self.prefix, setting, key), None)

    def clear(self, setting: str, key: str) -> None:
        item = self._limit(setting)
        if item is not None:
            self._guard(lambda: self.extension.limiter.clear(item, self.prefix, setting, key), None)


def _throttle() -> Throttle:
    return current_app.extensions["yishi.throttle"]


def _address() -> str:
    return request.remote_addr or ""


def _username_key(username: str) -> str:
    return username.strip().casefold()[:64]


def check_login(username: str) -> None:
    """Before a password is checked: refused while the user name or the address is locked out."""
    t = _throttle()
    wait = max(t.check("YISHI_LOGIN_USER_LIMIT", _username_key(username)), t.check("YISHI_LOGIN_IP_LIMIT", _address()))
    if wait:
        raise TooManyAttempts(minutes=wait)


def login_failed(username: str) -> None:
    t = _throttle()
    t.failed("YISHI_LOGIN_USER_LIMIT", _username_key(username))
    t.failed("YISHI_LOGIN_IP_LIMIT", _address())


def login_succeeded(username: str) -> None:
    """The user name's failures are forgotten (the address's are not: another name may be being guessed)."""
    _throttle().clear("YISHI_LOGIN_USER_LIMIT", _username_key(username))


def check_link() -> None:
    wait = _throttle().check("YISHI_LINK_IP_LIMIT", _address())
    if wait:
        raise TooManyLinkAttempts(minutes=wait)


def link_failed() -> None:
    _throttle().failed("YISHI_LINK_IP_LIMIT", _address())
