"""X-Forwarded-For believed from trusted proxies only (issue #10, item 8)."""

from starlette.requests import Request

from passerelle.libs.clients import client_address


def request(peer: str, forwarded: list[str] = ()) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 5000), "headers": headers})


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(request("203.0.113.5", ["1.2.3.4"])) == "203.0.113.5"


def test_a_client_cannot_pick_its_address_through_a_trusted_proxy():
    trusted = ["10.0.0.0/8"]
    # The proxy appends the address it saw; what the client wrote itself is to the left and never read.
    assert client_address(request("10.0.0.2", ["6.6.6.6, 203.0.113.5"]), trusted) == "203.0.113.5"
    assert client_address(request("10.0.0.2", ["6.6.6.6", "203.0.113.5, 10.0.0.9"]), trusted) == "203.0.113.5"
    # A peer that is not a trusted proxy is the address, whatever it sends.
    assert client_address(request("198.51.100.1", ["203.0.113.5"]), trusted) == "198.51.100.1"
    # Garbage or nothing from the proxy: the proxy's peer is kept.
    assert client_address(request("10.0.0.2", ["not-an-address"]), trusted) == "10.0.0.2"
    assert client_address(request("10.0.0.2"), trusted) == "10.0.0.2"
