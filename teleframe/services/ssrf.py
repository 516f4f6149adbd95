"""SSRF guard for outbound webhooks: vet every address a URL resolves to, then connect to it.

`vet` parses the URL (http and https only), resolves the host with getaddrinfo and refuses the
whole URL if ANY address is not globally routable ("one bad apple spoils the lookup", as Sentry
puts it). `open_connection` then connects to one of those same vetted addresses, never resolving
the name again, so a DNS answer that changes between the check and the connection (rebinding)
cannot reach an internal host. The Host header and TLS SNI/certificate check still use the name.

http.client is used rather than requests: it never follows redirects, never reads proxy
variables from the environment, and its `connect` is the one seam we need to override.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

SCHEMES = {"http": 80, "https": 443}

# `is_global` misses these (Python 3.11), or they reach internal hosts by translation
DENIED: tuple[Network, ...] = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "169.254.0.0/16",  # link-local, with the cloud metadata address 169.254.169.254
        "fd00::/8",
        "fd00:ec2::254/128",
        "::/96",  # IPv4-compatible IPv6 (deprecated): ::127.0.0.1 reaches loopback
        "::ffff:0:0/96",  # IPv4-mapped IPv6
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "2001::/32",  # Teredo embeds an IPv4 address
        "fec0::/10",  # site-local (deprecated), which `is_global` still calls global
        "3fff::/20",  # documentation (RFC 9637)
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",
        "2002::/16",  # 6to4 embeds any IPv4 address
    )
)
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class UnsafeURL(ValueError):
    """The URL may not be used as a webhook target; the message says why, for the caller."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def parse_networks(text: str) -> tuple[Network, ...]:
    """`127.0.0.1/32,::1/128` → networks; for the test-only private allow-list."""
    return tuple(ipaddress.ip_network(item.strip()) for item in text.split(",") if item.strip())


def is_forbidden(address: IPAddress, allow: Iterable[Network] = ()) -> bool:
    if any(address.version == net.version and address in net for net in allow):
        return False
    if address.is_multicast or not address.is_global:
        return True
    return any(address.version == net.version and address in net for net in DENIED)


def _host(url: str) -> tuple[str, str, int, str]:
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise UnsafeURL("The URL must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeURL("The URL could not be parsed.") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeURL("Only http and https URLs can receive webhooks.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("The URL must not carry a user name or password.")
    host = (parts.hostname or "").rstrip(".")
    if not host or not _valid_host(host):
        raise UnsafeURL("The URL needs a valid host name.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or SCHEMES[scheme], path


def _valid_host(host: str) -> bool:
    if ":" in host:  # IPv6 literal (urlsplit removed the brackets)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    labels = host.split(".")
    return len(host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def vet(url: str, *, allow: Iterable[Network] = (), resolve: Resolver | None = None) -> Target:
    """Resolve the URL's host and refuse it unless every address is public (or allow-listed)."""
    scheme, host, port, path = _host(url)
    try:
        # looked up at call time, so a test's resolver guard applies
        infos = (resolve or socket.getaddrinfo)(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeURL("The host name does not resolve.") from None
    addresses = tuple(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise UnsafeURL("The host name does not resolve.")
    allowed = tuple(allow)
    for text in addresses:
        if is_forbidden(ipaddress.ip_address(text), allowed):
            raise UnsafeURL("The host resolves to a private, loopback or reserved address.")
    return Target(scheme, host, port, path, addresses)


def _connect_any(addresses: Sequence[str], port: int, timeout: float) -> socket.socket:
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as caught:
            error = caught
    assert error is not None
    raise error


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, connect_timeout: float, read_timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=connect_timeout)
        self._addresses = target.addresses
        self._read_timeout = read_timeout

    def connect(self) -> None:
        self.sock = _connect_any(self._addresses, self.port, self.timeout)  # type: ignore[arg-type]
        self.sock.settimeout(self._read_timeout)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def open_connection(
    target: Target, *, connect_timeout: float, read_timeout: float
) -> http.client.HTTPConnection:
    """A connection that will only ever reach `target.addresses`; it does not connect yet."""
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    return kind(target, connect_timeout, read_timeout)
