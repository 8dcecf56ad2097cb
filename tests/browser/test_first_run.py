"""The first run looks like the product: `bin/serve` itself, started as from a fresh clone (its own
empty database, media, static and secret-key locations; nothing of this checkout's), serves the
demo with Django's debug pages off. A browser sees the Chinese pages for a mistyped address, for
another school's record, for a bureau-only page and for a GET of a button's POST-only address
(with a way back); styles, the service worker and the favicon are still served; the secret key was
generated once, readable by its owner only.

Loading the demo makes this the slowest browser test (tests/conftest.py SLOW_FIRST).
"""
import os
import signal
import sqlite3
import stat
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, screenshot
from tests.conftest import PASSWORD
from benchmarks.serving import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(tmp_path):
    """bin/serve on a free port: (base URL, its data folder). Stopped (Ctrl-C, as a user would) after."""
    port = free_port()
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    env.update({
        "ADDR": f"127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "SECRET_KEY_FILE": str(tmp_path / "var" / "secret_key"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # migrate + the demo + collectstatic on a busy machine
        while True:
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=5).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("bin/serve did not start:\n" + log_path.read_text()[-3000:])
                time.sleep(1)
        yield base, tmp_path
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def other_schools_problem(database):
    with sqlite3.connect(database) as db:
        (pk,) = db.execute("SELECT p.id FROM ledgers_problem p JOIN ledgers_unit u ON u.id = p.unit_id "
                           "WHERE u.name = '郾城区第二实验小学' ORDER BY p.id LIMIT 1").fetchone()
    return pk


def test_bin_serve_shows_the_products_own_pages_with_debug_off(browser, served):
    base, data = served
    context = browser.new_context(base_url=base, viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and "Content Security Policy" in msg.text
            and errors.append(msg.text))

    # A mistyped address, before and after signing in: the Chinese page, no list of URL patterns.
    for _ in range(2):
        response = page.goto("/no-such-page/")
        assert response.status == 404
        assert page.get_by_role("heading", name="页面不存在").is_visible()
        body = page.content()
        assert "Page not found" not in body and "URLconf" not in body and "DEBUG" not in body
        if _ == 0:
            screenshot(page, "first-run-404")
            page.goto("/accounts/login/")
            page.get_by_label("用户名").fill("liaison")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)

    # The styles are served (whitenoise, hashed names): the navigation bar has its colour.
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).backgroundColor") \
        not in ("", "rgba(0, 0, 0, 0)")

    # Another school's record: the same 404 page, nothing of the record.
    response = page.goto(f"/problems/{other_schools_problem(data / 'db.sqlite3')}/")
    assert response.status == 404 and page.get_by_role("heading", name="页面不存在").is_visible()
    assert "郾城区第二实验小学" not in page.content()

    # A bureau-only page: the Chinese 403.
    response = page.goto("/activities/stats/")
    assert response.status == 403 and page.get_by_role("heading", name="无权访问").is_visible()

    # A button's POST-only address opened from the address bar: a Chinese page that leads back.
    page.goto("/bulletins/")
    response = page.goto("/bulletins/new/", referer=f"{base}/bulletins/")
    assert response.status == 405 and response.headers["allow"] == "POST"
    assert page.get_by_role("heading", name="此地址不能直接打开").is_visible()
    screenshot(page, "first-run-405")
    page.get_by_test_id("back").click()
    page.wait_for_url(f"{base}/bulletins/")
    response = page.goto("/bulletins/new/")  # typed: no page to go back to, home instead
    assert response.status == 405 and page.get_by_test_id("back").count() == 0
    page.get_by_test_id("home").click()
    page.wait_for_url(f"{base}/")

    # The service worker, the manifest's icons and the favicon are served.
    for url, kind in (("/sw.js", "javascript"), ("/favicon.ico", "image/"), ("/manifest.webmanifest", "json")):
        response = page.request.get(url)
        assert response.ok and kind in response.headers["content-type"], url
    icons = page.request.get("/manifest.webmanifest").json()["icons"]
    assert all(page.request.get(icon["src"]).ok for icon in icons)
    assert page.locator("link[rel=icon]").count() == 1

    # The secret key: made once by bin/serve, outside the repository, for its owner's eyes only.
    key = data / "var" / "secret_key"
    assert len(key.read_text().strip()) >= 50
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not errors
    context.close()

