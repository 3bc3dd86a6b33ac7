"""Which webhook hosts count as this machine or a private network (X3)."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.webhook import check_url, is_local_host

LOCAL = [
    "127.0.0.1",
    "127.1",  # the resolver's short forms of an IPv4 address
    "2130706433",
    "0x7f.0.0.1",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1",  # shared address space (carrier NAT)
    "169.254.169.254",  # cloud metadata
    "224.0.0.1",
    "::1",
    "fe80::1",
    "fd00::1",
    "::ffff:10.0.0.1",  # IPv4-mapped
    "2002:a00:1::1",  # 6to4 around 10.0.0.1
    "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    "localhost",
    "LOCALHOST.",
    "crm.localhost",
]
PUBLIC = [
    "8.8.8.8",
    "1.2.3",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "hooks.example.vn",
    "localhost.vn",
]


@pytest.mark.spec("X3")
@pytest.mark.parametrize("host", LOCAL)
def test_private_and_loopback_hosts_are_local(host: str) -> None:
    assert is_local_host(host)


@pytest.mark.spec("X3")
@pytest.mark.parametrize("host", PUBLIC)
def test_public_hosts_are_not(host: str) -> None:
    assert not is_local_host(host)


@pytest.mark.spec("X3")
def test_the_install_setting_decides() -> None:
    with pytest.raises(DomainError, match="not a public address"):
        check_url("https://10.0.0.1/hook", field="url")
    assert check_url("https://10.0.0.1/hook", field="url", local_network=True)
    assert check_url("http://[::1]:8080/hook", field="url", local_network=True)
    with pytest.raises(DomainError, match="HTTPS"):
        check_url("http://hooks.example.vn/", field="url", local_network=True)
