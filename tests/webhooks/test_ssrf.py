"""The SSRF guard: refused at registration by resolution alone, and pinned at connection time."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from teleframe.services import ssrf
from tests.webhooks.receiver import Receiver

REFUSED_URLS = [
    "http://127.0.0.1/hook",
    "http://127.1/hook",
    "http://localhost/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://172.31.255.255/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/hook",
    "http://0/hook",
    "http://100.64.0.1/hook",
    "http://[::1]/hook",
    "http://[fd00::1]/hook",
    "http://[fd00:ec2::254]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:8.8.8.8]/hook",
    "http://[fe80::1]/hook",
    "http://[64:ff9b::a00:1]/hook",
    "http://224.0.0.1/hook",
    "http://2130706433/hook",  # 127.0.0.1 as one decimal number
    "http://0177.0.0.1/hook",  # octal
    "http://0x7f.0.0.1/hook",  # hex
    "http://0x7f000001/hook",
    "https://127.0.0.1:8443/hook",
    "ftp://example.com/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "http://user:pass@example.com/hook",
    "http:///hook",
    "http://exa mple.com/hook",
    "http://example.com:99999/hook",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_the_guard_refuses_private_targets_and_other_schemes(url):
    with pytest.raises(ssrf.UnsafeURL):
        ssrf.vet(url)


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_registration_refuses_them_with_422(make_practice, url):
    response = make_practice().post(
        "/v1/webhook-endpoints", {"url": url, "event_types": ["checkin.evaluated"]}
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]["url"]


def fake_dns(*answers: str):  # type: ignore[no-untyped-def]
    """getaddrinfo as a name server would answer, without asking one."""

    def resolve(host, port, **kwargs):  # type: ignore[no-untyped-def]
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (family[ipaddress.ip_address(a).version], socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers
        ]

    return resolve


def test_one_private_address_among_public_ones_spoils_the_name():
    with pytest.raises(ssrf.UnsafeURL):
        ssrf.vet("https://hooks.example.org/x", resolve=fake_dns("93.184.215.14", "10.1.2.3"))


def test_a_public_name_is_accepted_with_its_vetted_addresses():
    target = ssrf.vet(
        "https://Hooks.Example.org./in?a=1", resolve=fake_dns("93.184.215.14", "2606:2800::1")
    )
    assert target == ssrf.Target(
        "https", "hooks.example.org", 443, "/in?a=1", ("93.184.215.14", "2606:2800::1")
    )


def test_a_name_that_does_not_resolve_is_refused():
    def nowhere(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(ssrf.UnsafeURL, match="resolve"):
        ssrf.vet("https://nowhere.invalid/", resolve=nowhere)


def test_the_allow_list_exempts_only_its_networks():
    allow = ssrf.parse_networks("127.0.0.1/32")
    assert ssrf.vet("http://127.0.0.1:9/x", allow=allow).addresses == ("127.0.0.1",)
    with pytest.raises(ssrf.UnsafeURL):
        ssrf.vet("http://127.0.0.2:9/x", allow=allow)
    with pytest.raises(ssrf.UnsafeURL):
        ssrf.vet("http://10.0.0.1/x", allow=allow)


def test_the_allow_list_and_deadline_come_from_settings_fed_by_the_environment(
    tmp_path, monkeypatch
):
    import os

    from config.settings import load_settings
    from teleframe.operations import delivery

    for name in [name for name in os.environ if name.startswith("TELEFRAME_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TELEFRAME_DATA_DIR", str(tmp_path))  # embedded: no other variable needed
    assert delivery.reach(load_settings()) == delivery.STRICT
    monkeypatch.setenv("TELEFRAME_WEBHOOK_ALLOW_PRIVATE", "127.0.0.1/32")
    monkeypatch.setenv("TELEFRAME_WEBHOOK_DEADLINE_SECONDS", "2.5")
    limits = delivery.reach(load_settings())
    assert limits.deadline == 2.5
    assert ssrf.vet("http://127.0.0.1:9/x", allow=limits.allow).addresses == ("127.0.0.1",)


def test_the_connection_goes_to_the_vetted_address_not_a_new_lookup():
    """No DNS-rebinding gap: the name is never resolved again; Host still names it."""
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        target = ssrf.Target("http", "hooks.rebind.invalid", port, "/in", ("127.0.0.1",))
        connection = ssrf.open_connection(target, connect_timeout=3, read_timeout=10)
        try:
            connection.request("POST", target.path, body=b"{}")
            response = connection.getresponse()
            response.close()
        finally:
            connection.close()
        (arrived,) = receiver.received
    assert response.status == 200
    assert arrived.headers["host"] == f"hooks.rebind.invalid:{port}"
