"""The address tablets reach the server at, for the personal links and their QR codes.

A secretary who opens the console on the server itself sees it at 127.0.0.1; links built from that request would
send every iPad to itself. So the links use, in this order: ``YISHI_PUBLIC_URL`` (a proxy's or a fixed name's
address, set by the administrator); the address the console was opened at, when it is not a loopback address; the
server's LAN address, detected — when the server listens on it. Standard library only."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

# private addresses to "connect" a UDP socket to: connect() on UDP sends nothing, it only makes the kernel choose
# the interface (and so the source address) of the route there — the default route's for the first.
_PROBES = ("10.255.255.255", "192.168.255.255", "172.31.255.255")


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_addresses() -> list[str]:
    """The server's IPv4 addresses other than loopback, the default route's first; [] when it has none."""
    found: list[str] = []
    for probe in _PROBES:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 1))
                found.append(s.getsockname()[0])
        except OSError:
            continue
    try:  # no route at all (a meeting room's switch without a gateway): the host name's addresses
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        pass
    unique = []
    for address in found:
        if address not in unique and not is_loopback(address) and address != "0.0.0.0":
            unique.append(address)
    return unique


def lan_address() -> str | None:
    addresses = lan_addresses()
    return addresses[0] if addresses else None


@dataclass(frozen=True)
class Base:
    """Where the links point (``url``: scheme, host and port, no trailing slash); ``loopback_only`` when a tablet
    cannot reach it (the server listens only on a loopback address, or the machine has no other)."""

    url: str
    loopback_only: bool
    listen_host: str | None


def public_base(request_url: str, public_url: str | None, listen_host: str | None) -> Base:
    """The base of the links for a page requested at ``request_url``. ``listen_host``: the address the server
    was started on (``serve --host``), None when not known (the app run by something else than ``run.py``)."""
    if public_url:
        return Base(public_url.rstrip("/"), False, listen_host)
    parts = urlsplit(request_url)
    host = parts.hostname or "127.0.0.1"
    port = f":{parts.port}" if parts.port else ""
    if not is_loopback(host):
        return Base(f"{parts.scheme}://{parts.netloc}", False, listen_host)
    if listen_host is not None and is_loopback(listen_host):  # bound to loopback: no tablet gets in, whatever we print
        return Base(f"{parts.scheme}://{parts.netloc}", True, listen_host)
    if listen_host and listen_host not in ("0.0.0.0", "::", ""):
        return Base(f"{parts.scheme}://{_host(listen_host)}{port}", False, listen_host)  # bound to one LAN address
    lan = lan_address()
    if lan is None:
        return Base(f"{parts.scheme}://{parts.netloc}", True, listen_host)
    return Base(f"{parts.scheme}://{lan}{port}", False, listen_host)


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def check_public_url(value: str) -> str:
    """``YISHI_PUBLIC_URL`` as given, without a trailing slash; ValueError (with the reason) when it is not an
    http(s) address with a host."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            f"YISHI_PUBLIC_URL 须为 http:// 或 https:// 开头的地址，如 http://192.168.1.10:5000 / must be an http(s) "
            f"address such as http://192.168.1.10:5000, not {value!r}"
        )
    return value.strip().rstrip("/")
