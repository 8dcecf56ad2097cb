"""Browser harness: Playwright for Python driving Debian's Chromium against live_server.

Never `playwright install`: the browser is Debian's `chromium` package (bin/setup).

Fixtures and helpers for journeys:
- `page`: a desktop page (1280×800) whose base URL is the live server, so
  `page.goto("/accounts/login/")` works; `phone_page`: the same at a 390×844 phone viewport.
- `login_as(page, username)`: logs in through the real login form (demo password).
- `screenshot(page, name)`: saves test-output/screenshots/<name>.png (full page).
Every page fails its test if the browser reports a Content-Security-Policy violation or
an uncaught script error, so a page that breaks the CSP cannot pass a journey.
"""
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PASSWORD


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from
    # a thread with a running loop unless told it is safe. Fixtures create users in the main
    # thread while the live server's thread serves the browser: the documented workaround,
    # limited to the browser tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run bin/setup (Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(viewport=..., **context_options) -> a page on the live server."""
    contexts = []
    problems = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="zh-CN",
                                      timezone_id="Asia/Shanghai",
                                      # No animations: screenshots never catch a menu half open.
                                      reduced_motion="reduce", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    csp = [p for p in problems if "Content Security Policy" in p or "Refused to" in p]
    assert not csp, f"the browser refused content under the CSP: {csp}"
    assert not [p for p in problems if "Uncaught" in p], problems


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone_page(new_page):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def login_as(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name, **options):
    """Options go to Playwright's page.screenshot (scale="css": one image pixel per CSS pixel)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, **options)
    return path


@pytest.fixture(scope="module")
def bin_serve(tmp_path_factory):
    """`bin/serve` itself on a free port, started as from a fresh clone (its own empty database, media,
    static and secret-key locations): (base URL, its data folder). Started once for the module that uses
    it and stopped (Ctrl-C, as a user would) after its last test (test_user_guide.py)."""
    from benchmarks.serving import free_port

    tmp_path = tmp_path_factory.mktemp("bin_serve")
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
