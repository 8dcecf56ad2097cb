"""Benchmark: a ten-photo activity from a phone on a thin uplink, before and after issue 16.

Not part of bin/test (the file name does not match `test_*.py`); run it by name:

    .venv/bin/python -m pytest -s -p no:cacheprovider tests/browser/bench_capture.py

It makes (once, cached under test-output/capture-photos/) ten 12-megapixel JPEGs of ~3.7 MB with
EXIF dates, throttles Chromium's network (Network.emulateNetworkConditions: 1.6 Mbit/s up,
150 ms latency, download unthrottled) at a 390×844 phone viewport, and files the same activity
twice:

- before: the plain form (JavaScript off, as every phone behaved before): one POST with the ten
  originals; timed from the tap on 保存草稿 to the saved page;
- after: capture.js: timed from picking the photos (shrinking in the browser included) until the
  last photo is on the server, then 保存草稿 and the saved page.

Bytes are the request bodies the server received (Content-Length of every POST), counted in the
live server's process. Figures are printed side by side; nothing is asserted about time.
BENCH_CAPTURE_PHOTOS=n changes the number of photos.
"""
import os
import time

from django.core.signals import request_started
from playwright.sync_api import expect

from tests.browser.capture_photos import large_photos
from tests.browser.conftest import PHONE, login_as

PHOTOS = int(os.environ.get("BENCH_CAPTURE_PHOTOS", "10"))
UPLINK = {"offline": False, "latency": 150, "downloadThroughput": -1, "uploadThroughput": 1_600_000 / 8}
PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


class PostBytes:
    """Sum of the bodies of POST requests the live server received while counting."""

    def __init__(self):
        self.total = 0
        self.requests = 0

    def __call__(self, sender, environ=None, **kwargs):
        if environ and environ.get("REQUEST_METHOD") == "POST":
            self.total += int(environ.get("CONTENT_LENGTH") or 0)
            self.requests += 1


def _phone(new_page, **options):
    page = new_page(**PHONE_OPTIONS, **options)
    page.context.set_default_timeout(60_000)
    return page


def _form(page, title):
    page.goto("/activities/new/")
    page.get_by_label("活动名称").fill(title)
    page.get_by_label("活动类别").select_option(label="主题教育")
    page.get_by_label("活动日期").fill("2026-04-03")


def _throttle(page):
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", UPLINK)
    return session


def _measure(counter, run):
    counter.total = counter.requests = 0
    request_started.connect(counter)
    try:
        start = time.perf_counter()
        run()
        return counter.total, counter.requests, time.perf_counter() - start
    finally:
        request_started.disconnect(counter)


def test_bench_ten_photo_activity_on_a_thin_uplink(new_page, liaison, year):
    from ledgers.models import Activity

    photos = large_photos(PHOTOS)
    originals = sum(p.stat().st_size for p in photos)
    counter = PostBytes()

    plain = _phone(new_page, java_script_enabled=False)
    login_as(plain, "liaison")
    _form(plain, "基准：整张原图上传")
    plain.locator("input[name=photos][multiple]").set_input_files(photos)
    _throttle(plain)

    def before():
        plain.get_by_role("button", name="保存草稿").click(no_wait_after=True)
        expect(plain.locator("main")).to_contain_text("已保存为草稿", timeout=900_000)

    before_bytes, before_requests, before_time = _measure(counter, before)
    assert Activity.objects.get(title="基准：整张原图上传").photos.count() == PHOTOS

    page = _phone(new_page)
    login_as(page, "liaison")
    _form(page, "基准：手机压缩逐张上传")
    _throttle(page)

    def after():
        page.locator("input[name=photos][multiple]").set_input_files(photos)
        expect(page.locator("[data-capture-card][data-state=done]")).to_have_count(PHOTOS, timeout=900_000)
        page.get_by_role("button", name="保存草稿").click()
        expect(page.locator("main")).to_contain_text("已保存为草稿", timeout=120_000)

    after_bytes, after_requests, after_time = _measure(counter, after)
    shrunk = Activity.objects.get(title="基准：手机压缩逐张上传").photos.all()
    assert len(shrunk) == PHOTOS

    mib = 1024 * 1024
    lines = [
        "",
        f"capture benchmark: {PHOTOS} JPEGs of 4000×3000 ({originals / mib:.1f} MiB of originals), "
        f"uplink 1.6 Mbit/s, latency 150 ms, phone viewport 390×844",
        f"{'':36}{'bytes sent':>12}{'requests':>10}{'wall time':>12}",
        f"{'before: one form POST of originals':36}{before_bytes / mib:>8.1f} MiB{before_requests:>10}"
        f"{before_time:>10.1f} s",
        f"{'after: shrunk on the phone, 1/photo':36}{after_bytes / mib:>8.1f} MiB{after_requests:>10}"
        f"{after_time:>10.1f} s",
        f"ratio after/before: bytes {after_bytes / before_bytes:.2f}, time {after_time / before_time:.2f}; "
        f"largest stored photo {max(max(p.width, p.height) for p in shrunk)} px on its long side",
    ]
    print("\n".join(lines))
