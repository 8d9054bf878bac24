"""``GET /readyz`` for load balancers and orchestrators, ``GET /metrics`` for Prometheus.

Neither needs a login: /readyz tells nothing but whether this process can serve, and
/metrics answers only the addresses in ARBEJDSGLAEDE_METRICS_ALLOWED (404 to anyone else,
as if it were not there). Both are GETs (no CSRF) and write no audit entry.
"""

from __future__ import annotations

import functools
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.deps import SettingsDep
from app.errors import NotFound
from app.observability import metrics
from app.observability.readiness import READY, is_migrating, readiness
from app.security import client_address

router = APIRouter()


@router.get("/readyz")
def observability_readyz(request: Request) -> Response:
    """200 while this process can serve; 503 while it migrates, when the database does not
    answer, or when the database's schema is not the one this code expects."""
    engine = request.app.state.engine
    status = readiness(engine, migrating=is_migrating(engine))
    return JSONResponse({"status": status}, status_code=200 if status == READY else 503)


@router.get("/metrics")
def observability_metrics(request: Request, settings: SettingsDep) -> Response:
    address = client_address(request.scope, tuple(settings.trusted_proxies))
    if not is_allowed(address, tuple(settings.metrics_allowed)):
        raise NotFound()
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


def is_allowed(address: str, allowed: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # not an address at all (a test client, a Unix socket)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(allowed))


@functools.cache
def _networks(
    allowed: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(a, strict=False) for a in allowed)
