"""F8: outbound requests reach public addresses, or networks the operator allowed; the
request goes to the address that was checked."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from consentry.outbound.client import REFUSED, post_all
from consentry.outbound.destinations import DestinationRefused, check

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://224.0.0.251/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
    ],
)
def test_inside_addresses_are_refused(url: str) -> None:
    with pytest.raises(DestinationRefused):
        check(url)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "http:///nohost", "http://user:pw@8.8.8.8/", "http://1.2.3.4:0x/"]
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(DestinationRefused):
        check(url)


def test_an_allowed_network_is_reached_at_the_checked_address() -> None:
    destination = check("http://127.0.0.1:8443/hook?x=1", allowed=LOOPBACK)
    assert destination.connect_url == "http://127.0.0.1:8443/hook?x=1"
    assert destination.host_header == "127.0.0.1:8443"
    public = check("https://8.8.8.8/hook")
    assert public.connect_url == "https://8.8.8.8:443/hook"


def test_delivery_checks_again_and_never_connects_to_a_refused_address() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    try:
        (sent,) = post_all([(url, b"{}", {})], deadline_seconds=2)
        assert sent.reason == REFUSED
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing ever connected
    finally:
        listener.close()
