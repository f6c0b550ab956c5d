"""Where a webhook may be sent: an HTTPS address on the public internet.

An endpoint that resolves to a private, loopback, link-local or otherwise non-public address would let
whoever registers it make our workers call into the machines beside them (SSRF). The address is checked
when the endpoint is registered and again at each delivery (its name may resolve elsewhere by then),
and the delivery connects to the very address it checked (council.webhooks.delivery): a name that
answers a public address to the check and a private one to the connection (DNS rebinding) gains
nothing. WEBHOOKS_ALLOW_PRIVATE lifts the checks, and the one for https, for tests and development.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from flask_babel import gettext as _

from council.errors import ValidationFailed

MAX_URL_LENGTH = 500
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(address: IPAddress) -> bool:
    """A global unicast address (an IPv4 address mapped into IPv6 is judged as itself)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host name resolves to (an address written as such, itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def parsed(url: str, *, allow_private: bool) -> SplitResult:
    """The URL's parts if its form is acceptable; ValidationFailed on the field "url" otherwise."""
    url = url.strip()
    if not url:
        raise ValidationFailed(_("Enter the address the system receives webhooks at."), field="url")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationFailed(_("Use at most %(count)d characters.", count=MAX_URL_LENGTH), field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  raises ValueError for a port that is not a number in range
    except ValueError:
        parts = None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts is None or parts.scheme not in schemes or not parts.hostname:
        raise ValidationFailed(_("Enter an address that starts with https://, such as "
                                 "https://example.kz/council/webhooks."), field="url")
    if parts.username or parts.password:
        raise ValidationFailed(_("Leave the user name and password out of the address; each delivery "
                                 "is signed instead."), field="url")
    if parts.fragment:
        raise ValidationFailed(_("Leave the part after # out of the address."), field="url")
    return parts


class Unreachable(Exception):
    """No delivery may be made to this address now; the message says why (for the delivery log)."""


def destination(parts: SplitResult, *, allow_private: bool) -> IPAddress:
    """The one address a delivery to this URL connects to, resolved once and checked: every address
    the name resolves to must be public (unless allowed), and the connection is then made to the first
    of them, not to whatever the name resolves to a moment later (DNS rebinding)."""
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise Unreachable(_("The host name %(host)s could not be found.", host=host))
    if not allow_private and not all(is_public(address) for address in addresses):
        raise Unreachable(_("The address leads to a private, loopback or link-local network (%(host)s); "
                            "only addresses on the public internet are allowed.", host=host))
    return addresses[0]


def checked(url: str, *, allow_private: bool) -> str:
    """The URL, stripped, if webhooks may be sent there; ValidationFailed on "url" otherwise."""
    parts = parsed(url, allow_private=allow_private)
    try:
        destination(parts, allow_private=allow_private)
    except Unreachable as error:
        raise ValidationFailed(str(error), field="url") from None
    return url.strip()
