"""Who may read /metrics: a bearer token (METRICS_TOKEN), an allow-list of
addresses or networks (METRICS_ALLOWED_IPS), or both (then both must match).
Neither set: nobody; the endpoint is closed by default."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger(__name__)

ALLOWED, UNAUTHENTICATED, FORBIDDEN = "allowed", "unauthenticated", "forbidden"


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in getattr(settings, "METRICS_ALLOWED_IPS", []) or []:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            log.warning("METRICS_ALLOWED_IPS: ignored an entry that is not an address or network")
    return networks


def _address_allowed(request: HttpRequest, networks) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)


def _token_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def metrics_access(request: HttpRequest) -> str:
    token = getattr(settings, "METRICS_TOKEN", "") or ""
    networks = _networks()
    if not token and not networks:
        return FORBIDDEN
    if networks and not _address_allowed(request, networks):
        return FORBIDDEN
    if token and not _token_matches(request, token):
        return UNAUTHENTICATED
    return ALLOWED
