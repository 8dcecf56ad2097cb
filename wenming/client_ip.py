"""The client's address for login protection (django-axes' AXES_CLIENT_IP_CALLABLE).

Without a proxy: REMOTE_ADDR. Behind N reverse proxies (environment AXES_PROXY_COUNT=N, the
setting CLIENT_IP_PROXY_COUNT; usually 1): each proxy appends the address it received the request from to X-Forwarded-For, so the N-th entry
from the right is the client as our outermost proxy saw it. Entries further left were sent by
the client and can be forged, so they are ignored; a missing or malformed header falls back to
REMOTE_ADDR.

(django-ipware's proxy_count expects exactly N+1 entries and otherwise falls back to the
proxy's own address, so one forged extra entry would count every attempt against the proxy:
the lock-everyone-out defect this replaces.)
"""
import ipaddress

from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "CLIENT_IP_PROXY_COUNT", 0) or 0
    if proxies <= 0:
        return remote
    entries = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(entries) < proxies:
        return remote
    candidate = entries[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
