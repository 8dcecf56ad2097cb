"""What a phone transfers for the liaison's pages: first load (empty cache) and the next visit.

Used by `manage.py bench_pages --page-weight`: Debian's Chromium (Playwright, never `playwright
install`) at a 390×844 viewport, signed in with a session cookie, against a gunicorn with DEBUG=0
(whitenoise serving the hashed, compressed static files). Every response's encoded size — headers
and body as they crossed the wire, so gzip/brotli counts — is summed; files the browser takes from
its cache (far-future `Cache-Control` on hashed names) cost nothing on the second visit.
"""
import os
from urllib.parse import urlparse

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
LIAISON_PAGES = ["/", "/activities/", "/problems/", "/tasks/mine/", "/activities/new/"]


def _load(page, url):
    """Bytes transferred while `url` loads (until the network is idle), and the number of requests."""
    sizes = []

    def finished(request):
        try:
            s = request.sizes()
        except Exception:  # a request the page dropped
            return
        sizes.append(s["responseBodySize"] + s["responseHeadersSize"])

    page.on("requestfinished", finished)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("requestfinished", finished)
    return sum(sizes), len(sizes)


def measure_site(base, session_key, pages=LIAISON_PAGES):
    """Lines: per page, KiB on a first load with an empty cache and on a second visit."""
    from playwright.sync_api import sync_playwright

    host = urlparse(base).hostname
    lines = [f"page weight (liaison, phone {PHONE['width']}×{PHONE['height']}, Chromium; KiB transferred, "
             "compressed as sent):", f"{'page':24} {'first load':>12} {'next visit':>12}"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for path in pages:
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                              service_workers="block")
                context.add_cookies([{"name": "sessionid", "value": session_key, "domain": host, "path": "/"}])
                page = context.new_page()
                first, n_first = _load(page, base + path)
                # The next visit: another page first (as a user arrives), then this one again.
                page.goto(base + "/", wait_until="networkidle")
                again, n_again = _load(page, base + path)
                lines.append(f"{path:24} {first / 1024:9.1f} KiB {again / 1024:9.1f} KiB"
                             f"   ({n_first} / {n_again} requests)")
                context.close()
        finally:
            browser.close()
    return lines
