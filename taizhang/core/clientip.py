"""The real client address: REMOTE_ADDR, unless the request comes through a trusted proxy.

A forwarding header is only believed when the direct peer is one of the configured proxies
(TAIZHANG_TRUSTED_PROXIES, CIDRs) and the header is the configured one
(TAIZHANG_TRUSTED_PROXY_HEADER). Otherwise anybody could send `X-Forwarded-For: <victim's IP>`
and get the victim's address locked out, or dodge the per-IP lockout by changing it every try.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=16)
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def _ip(raw: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((raw or "").strip())
    except ValueError:
        return None


def _trusted(addr, networks) -> bool:
    return addr is not None and any(addr in n for n in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as a string (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR")
    header = getattr(settings, "TAIZHANG_TRUSTED_PROXY_HEADER", "") or ""
    networks = _networks(tuple(getattr(settings, "TAIZHANG_TRUSTED_PROXIES", []) or []))
    if not header or not networks or not _trusted(_ip(remote), networks):
        return remote
    key = "HTTP_" + header.upper().replace("-", "_")
    chain = [p.strip() for p in request.META.get(key, "").split(",") if p.strip()]
    # Walk from the nearest hop back: the first address that is not one of our own proxies
    # is the client. Hops further left were written by the client and prove nothing.
    for raw in reversed(chain):
        addr = _ip(raw)
        if addr is None:
            return remote
        if not _trusted(addr, networks):
            return str(addr)
    return str(_ip(chain[0])) if chain else remote
