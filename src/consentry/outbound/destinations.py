"""Where consentry may send a request. Webhook URLs are written by administrators and
by whoever holds an admin session, so a URL naming a loopback, private, link-local,
multicast or cloud-metadata address would turn delivery into a probe of the operator's
own network (F8). Names are resolved and every address checked, at registration and
again at each delivery, and the request goes to the address that was checked (a name
that resolves differently the second time cannot slip past).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from consentry.config import Settings

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Destination:
    """A checked URL: connect to `address`, name the host in Host and TLS SNI."""

    url: str
    scheme: str
    host: str
    port: int
    address: IpAddress

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the name."""
        parts = urlsplit(self.url)
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        path = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.scheme}://{literal}:{self.port}{path}{query}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


def allowed_networks(settings: Settings) -> list[IpNetwork]:
    """`CONSENTRY_OUTBOUND_ALLOW`: comma-separated addresses or networks."""
    parts = [part.strip() for part in settings.outbound_allow.split(",")]
    return [ipaddress.ip_network(part, strict=False) for part in parts if part]


def _public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int) -> list[IpAddress]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise DestinationRefused(f"the name {host!r} does not resolve") from None
    return sorted({ipaddress.ip_address(info[4][0]) for info in found}, key=str)


def check(url: str, *, allowed: Sequence[IpNetwork] = ()) -> Destination:
    """The destination, if every address the URL's host resolves to may be reached."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused("a URL is http(s)://host/path")
    if parts.username or parts.password:
        raise DestinationRefused("a URL carries no user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise DestinationRefused("the URL's port is not a number from 1 to 65535") from None
    addresses = _resolve(parts.hostname, port)
    if not addresses:
        raise DestinationRefused(f"the name {parts.hostname!r} does not resolve")
    for address in addresses:
        if not _public(address) and not any(address in network for network in allowed):
            raise DestinationRefused(
                f"{parts.hostname} resolves to a loopback, private, link-local, multicast or"
                " reserved address; allow its network in CONSENTRY_OUTBOUND_ALLOW to use it"
            )
    return Destination(url.strip(), parts.scheme, parts.hostname, port, addresses[0])
