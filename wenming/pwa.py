"""The installable web app: manifest, service worker (at the root scope), the offline page and the
favicon at the root.

The service worker's code is our own static file `static/js/sw.js`; this view serves it from
`/sw.js` (so its scope is the whole site) with the list of static files to keep for offline use
(their hashed names in production) written above it. Nothing of a user is cached: see sw.js.
"""
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

# The app shell: what every page needs, and the phone capture's scripts.
SHELL = [
    "vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js", "css/app.css",
    "js/pwa.js", "js/capture.js", "js/activities.js", "vendor/idb-keyval/umd.js", "vendor/exifr/lite.umd.js",
    "pwa/icon-192.png", "pwa/icon-512.png",
]


def _source(name):
    path = finders.find(name)
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    with staticfiles_storage.open(name) as handle:  # collected static files only
        return handle.read().decode("utf-8")


@require_safe
def service_worker(request):
    precache = [static(name) for name in SHELL]
    offline = reverse("offline")
    code = _source("js/sw.js")
    # In production static names carry their content hash, so a cached file is never stale. In
    # development they do not: the version follows the shell's content and static files are
    # fetched from the network first (the cache is only the offline fallback).
    digest = hashlib.sha256((json.dumps(precache) + code).encode())
    if settings.DEBUG:
        for name in SHELL:
            path = finders.find(name)
            if path:
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    head = (f"var PRECACHE = {json.dumps(precache)};\nvar OFFLINE_URL = {json.dumps(offline)};\n"
            f"var VERSION = {json.dumps(digest.hexdigest()[:12])};\n"
            f"var STATIC_NETWORK_FIRST = {json.dumps(bool(settings.DEBUG))};\n")
    response = HttpResponse(head + code, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def manifest(request):
    data = {
        "name": "文明创建工作台账", "short_name": "文明台账", "lang": "zh-CN",
        "start_url": "/", "scope": "/", "display": "standalone",
        "background_color": "#f7f7f5", "theme_color": "#b3261e",
        "icons": [
            {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_safe
def offline(request):
    """Shown by the service worker for a page it cannot fetch. Public, with no user data."""
    response = render(request, "offline.html")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for at the root whatever a page links (a PDF opened in
    the browser, the admin): the static icon under its hashed name, cached for good."""
    return redirect(static("pwa/favicon.ico"))
