"""Which webhook URLs may be called: https to a public address (production), or any http(s) URL when
private addresses are allowed (development and tests, with a receiver on this machine)."""

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from procurement.errors import InvalidInput

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def _refuse(message_zh: str, message_en: str) -> InvalidInput:
    return InvalidInput({"url": f"{message_zh} / {message_en}"})


def check_url(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> None:
    """Raise InvalidInput naming ``url`` when it may not be called.

    In production every address the host resolves to must be public: a loopback, private,
    link-local or reserved one would let a caller reach the service's own network.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise _refuse("地址格式不正确", f"not a valid URL: {exc}") from exc
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        if allow_private:
            raise _refuse(
                "回调地址必须使用 https 或 http（开发模式）",
                "the URL must use https (or http, in development)",
            )
        raise _refuse("回调地址必须使用 https", "the URL must use https")
    if not parts.hostname:
        raise _refuse("地址缺少主机名", "the URL has no host")
    if parts.username or parts.password:
        raise _refuse("地址中不能含用户名或密码", "the URL may not carry credentials")
    if allow_private:
        return
    try:
        addresses = resolver(parts.hostname, port)
    except OSError as exc:
        raise _refuse(
            f"无法解析主机 {parts.hostname}", f"the host {parts.hostname} does not resolve"
        ) from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise _refuse(
                f"不允许回调到本机、内网或保留地址（{ip}）",
                f"loopback, private and reserved addresses are not allowed ({ip})",
            )
    if not addresses:
        raise _refuse(f"无法解析主机 {parts.hostname}", f"the host {parts.hostname} does not resolve")
