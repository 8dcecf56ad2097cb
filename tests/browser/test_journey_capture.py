"""Phone capture on a weak signal (issue 16), in Debian's Chromium at 390×844.

(1) ten 12-MP photos on a throttled uplink: one bar per photo, the form saved while photos are
    still going up, all ten arrive once each with their EXIF dates;
(2) the phone goes offline after three photos, the page reloads, the network returns and the
    remaining photos go up by themselves; what was typed is still there;
(3) the same gallery photo picked again for a second activity is still flagged as reused;
(4) WeChat's in-app browser without service worker and IndexedDB gets the plain form.

The uplink is throttled (Chromium network emulation, 1.6 Mbit/s up, 150 ms latency) only while
the journey checks what a slow upload looks like; the full before/after measurement is
tests/browser/bench_capture.py.
"""
from playwright.sync_api import expect

from tests.browser.capture_photos import large_photos, sha256_file, taken_at
from tests.browser.conftest import PHONE, login_as, screenshot

PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; V2203A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 "
             "MMWEBSDK/20230202 MMWEBID/5187 MicroMessenger/8.0.33.2320(0x2800213D) WeChat/arm64 Weixin "
             "NetType/4G Language/zh_CN ABI/arm64")
SLOW_UPLINK = {"offline": False, "latency": 150, "downloadThroughput": -1, "uploadThroughput": 1_600_000 / 8}
NO_THROTTLE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def throttle(page, conditions):
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", conditions)
    return session


def fill_activity(page, title, place="烈士陵园"):
    page.get_by_label("活动名称").fill(title)
    page.get_by_label("活动类别").select_option(label="主题教育")
    page.get_by_label("活动日期").fill("2026-04-03")
    page.get_by_label("活动地点").fill(place)
    page.get_by_label("参加人员").fill("全体师生 500 人")
    page.get_by_label("活动简介").fill("缅怀革命先烈，传承红色基因。")


def phone(new_page, **options):
    page = new_page(**PHONE_OPTIONS, **options)
    page.context.set_default_timeout(30_000)  # twelve-megapixel photos on a 2-core machine
    return page


def cards(page):
    return page.get_by_test_id("capture-list").locator("[data-capture-card]")


def test_ten_large_photos_on_a_slow_uplink_arrive_once_each_with_their_dates(new_page, liaison, year):
    from ledgers.models import Activity, ActivityPhoto

    photos = large_photos(10)
    page = phone(new_page)
    login_as(page, "liaison")
    page.goto("/activities/new/")
    fill_activity(page, "清明节祭扫烈士墓")
    session = throttle(page, SLOW_UPLINK)
    page.locator("input[name=photos][multiple]").set_input_files(photos)

    expect(cards(page)).to_have_count(10)
    # One progress bar per photo, moving while the photo goes up.
    expect(cards(page).first.locator("[data-capture-progress]")).to_be_visible()
    expect(page.locator("[data-capture-card][data-state=uploading]").first).to_be_visible(timeout=30_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-capture-progress]')]"
        ".some(b => +b.getAttribute('aria-valuenow') > 0)", timeout=30_000)
    # The liaison writes captions while photos are going up.
    captions = page.get_by_placeholder("时间、地点、人物、事件")
    captions.nth(0).fill("2026年4月3日上午，烈士陵园，少先队员敬献花篮")
    captions.nth(9).fill("2026年4月3日上午，烈士陵园，师生重温入队誓词")
    screenshot(page, "capture1-phone-ten-photos-uploading")
    assert page.locator("[data-capture-card][data-state=done]").count() < 10

    # Saving does not wait for the photos: they keep going up from the next page.
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("main")).to_contain_text("已保存为草稿")
    expect(page.locator("[data-capture-toast]")).to_contain_text("照片待上传")
    screenshot(page, "capture1-phone-saved-while-uploading")
    # The liaison's home counts what is still waiting; the photos keep going up from any page.
    page.goto("/")
    expect(page.get_by_test_id("capture-pending")).to_contain_text("待上传")
    screenshot(page, "capture1-phone-home-while-uploading")
    page.go_back()
    session.send("Network.emulateNetworkConditions", NO_THROTTLE)  # end of the slow window
    # The queue empties once the server has answered for every photo (the database is read only
    # afterwards: the live server's in-memory SQLite locks tables against a second reader).
    expect(page.locator("[data-capture-toast]")).to_contain_text("照片已全部上传", timeout=90_000)

    activity = Activity.objects.get(title="清明节祭扫烈士墓")
    stored = list(activity.photos.order_by("sort_order"))
    assert len(stored) == 10 and ActivityPhoto.objects.count() == 10  # no duplicates, nothing stray
    assert sorted(p.source_sha256 for p in stored) == sorted(sha256_file(p) for p in photos)
    from django.utils import timezone

    assert sorted(timezone.localtime(p.taken_at).replace(tzinfo=None) for p in stored) == \
        [taken_at(n) for n in range(10)]
    assert all(max(p.width, p.height) <= 2560 for p in stored)
    by_caption = {p.caption for p in stored}
    assert "2026年4月3日上午，烈士陵园，少先队员敬献花篮" in by_caption
    assert "2026年4月3日上午，烈士陵园，师生重温入队誓词" in by_caption
    page.locator("[data-capture-toast]").get_by_role("link", name="刷新查看").click()
    expect(page.get_by_test_id("photos").locator("img")).to_have_count(10)
    expect(page.locator("[data-capture-toast]")).to_be_hidden()
    screenshot(page, "capture1-phone-all-ten-arrived")


def test_offline_after_three_photos_then_reload_and_the_rest_go_up_by_themselves(new_page, liaison, year):
    from ledgers.models import Activity, ActivityPhoto

    photos = large_photos(6)
    page = phone(new_page)
    login_as(page, "liaison")
    # The service worker takes control once installed (app shell and offline page cached). On a busy
    # machine it may activate after this page loaded: a page loaded after activation is controlled.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                           timeout=30_000)
    page.goto("/activities/new/")
    fill_activity(page, "网上祭英烈主题队会", place="三楼多功能厅")
    throttle(page, SLOW_UPLINK)
    page.locator("input[name=photos][multiple]").set_input_files(photos)
    expect(cards(page)).to_have_count(6)
    page.wait_for_function("() => document.querySelectorAll('[data-capture-card][data-state=done]').length >= 3",
                           timeout=60_000)

    page.context.set_offline(True)
    expect(page.locator("[data-capture-card][data-state=queued]").first).to_contain_text("联网后自动上传")
    assert page.locator("[data-capture-card][data-state=done]").count() < 6
    screenshot(page, "capture2-phone-offline")
    page.reload()
    expect(page.locator("body")).to_contain_text("网络未连接")  # the offline page, from the service worker
    screenshot(page, "capture2-phone-offline-page")

    page.context.set_offline(False)
    # The offline page goes back by itself; the queue resumes and the typed form is restored.
    expect(page.get_by_label("活动名称")).to_have_value("网上祭英烈主题队会", timeout=20_000)
    expect(page.get_by_label("活动地点")).to_have_value("三楼多功能厅")
    expect(page.locator("[data-capture-card][data-state=done]")).to_have_count(6, timeout=60_000)
    screenshot(page, "capture2-phone-back-online")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("main")).to_contain_text("已保存为草稿")
    activity = Activity.objects.get(title="网上祭英烈主题队会")
    assert activity.photos.count() == 6 and ActivityPhoto.objects.count() == 6
    assert sorted(p.source_sha256 for p in activity.photos.all()) == sorted(sha256_file(p) for p in photos)


def test_the_same_photo_picked_again_for_a_second_activity_is_still_flagged(new_page, liaison, inspector, year):
    from ledgers.models import Activity

    photo = large_photos(1, start=10)
    # First time: a phone without JavaScript sends the untouched original.
    plain = phone(new_page, java_script_enabled=False)
    login_as(plain, "liaison")
    plain.goto("/activities/new/")
    fill_activity(plain, "学雷锋志愿服务进社区")
    plain.locator("input[name=photos][multiple]").set_input_files(photo)
    plain.get_by_role("button", name="保存草稿").click()
    expect(plain.locator("main")).to_contain_text("已保存为草稿")

    # Second time: shrunk on the phone, so the received file differs from the original.
    page = phone(new_page)
    login_as(page, "liaison")
    page.goto("/activities/new/")
    fill_activity(page, "文明交通劝导")
    page.locator("input[name=photos][multiple]").set_input_files(photo)
    expect(page.locator("[data-capture-card][data-state=done]")).to_have_count(1, timeout=30_000)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("main")).to_contain_text("已保存为草稿")
    second = Activity.objects.get(title="文明交通劝导")
    shrunk = second.photos.get()
    first = Activity.objects.get(title="学雷锋志愿服务进社区").photos.get()
    assert shrunk.sha256 != first.sha256 and shrunk.source_sha256 == first.sha256
    assert shrunk.original.size < first.original.size / 3
    expect(page.get_by_test_id("photos")).to_contain_text("此照片已用于《学雷锋志愿服务进社区》")
    screenshot(page, "capture3-phone-reused-photo-flagged")


def test_wechat_without_service_worker_or_indexeddb_gets_the_plain_form(new_page, liaison, year, tmp_path):
    from PIL import Image

    from ledgers.models import Activity

    page = phone(new_page, user_agent=WECHAT_UA)
    page.add_init_script("delete Navigator.prototype.serviceWorker; delete window.indexedDB;"
                         "delete window.IDBFactory;")
    login_as(page, "liaison")
    assert page.evaluate("() => !('serviceWorker' in navigator) && !window.indexedDB")
    page.goto("/activities/new/")
    fill_activity(page, "诚信主题班会")
    files = []
    for n, colour in enumerate(["seagreen", "steelblue", "darkorange"]):
        path = tmp_path / f"IMG_{n:04d}.jpg"
        Image.new("RGB", (1200, 900), colour).save(path, "JPEG")
        files.append(path)
    page.locator("input[name=photos][multiple]").set_input_files(files)
    expect(page.locator("[data-photo-list] li")).to_have_count(3)  # today's list, no upload queue
    expect(cards(page)).to_have_count(0)
    assert page.get_attribute("#activity-form", "data-capture-on") is None
    screenshot(page, "capture4-wechat-plain-form")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("main")).to_contain_text("已保存为草稿")
    activity = Activity.objects.get(title="诚信主题班会")
    assert activity.photos.count() == 3
    expect(page.get_by_test_id("photos").locator("img")).to_have_count(3)


QUEUE_COUNT = """() => new Promise(resolve => {
  const open = indexedDB.open('wenming-capture');
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('queue')) { resolve(0); return; }
    const count = db.transaction('queue').objectStore('queue').count();
    count.onsuccess = () => resolve(count.result);
  };
})"""


def test_the_home_shows_what_waits_and_logout_leaves_no_queue_for_the_next_user(new_page, liaison, liaison2, year):
    page = phone(new_page)
    login_as(page, "liaison")
    # Photos left waiting (they failed on a bad signal): the home page counts them.
    for n in (1, 3):
        page.evaluate("""n => idbKeyval.set(document.body.dataset.userId + ':k-left-behind-000' + n,
            {key: 'k-left-behind-000' + n, user: document.body.dataset.userId, name: 'IMG_200' + n + '.jpg',
             state: 'failed', error: '网络中断', added: Date.now() * 1000 + n, blob: null},
            idbKeyval.createStore('wenming-capture', 'queue'))""", n)
    page.reload()
    pending = page.get_by_test_id("capture-pending")
    expect(pending).to_contain_text("待上传 2 张")
    expect(pending).to_contain_text("上传失败，可重试或放弃")
    screenshot(page, "capture5-phone-home-pending")
    page.once("dialog", lambda dialog: dialog.accept())
    pending.locator("li", has_text="IMG_2003.jpg").get_by_role("button", name="放弃").click()
    expect(pending).to_contain_text("待上传 1 张")
    expect(pending).not_to_contain_text("IMG_2003.jpg")

    # Logging out warns about it and clears it.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="菜单").click()
    page.locator("#mainnav").get_by_text("马晓丽").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate(QUEUE_COUNT) == 0

    # Another liaison on the same phone never sees someone else's queue, even one left behind.
    login_as(page, "liaison")
    page.evaluate("""() => idbKeyval.set(document.body.dataset.userId + ':k-left-behind-0002',
        {key: 'k-left-behind-0002', user: document.body.dataset.userId, name: 'IMG_2002.jpg', state: 'failed',
         error: '网络中断', added: Date.now() * 1000, blob: null},
        idbKeyval.createStore('wenming-capture', 'queue'))""")
    page.context.clear_cookies()  # the session ends without the logout button
    login_as(page, "liaison2")
    expect(page.get_by_role("heading", level=1)).to_have_text("郾城区第二实验小学")
    expect(page.get_by_test_id("capture-pending")).to_be_hidden()
    assert page.evaluate(QUEUE_COUNT) == 1  # still there for its owner, never shown or sent here


def test_a_sideways_phone_photo_is_shrunk_upright(new_page, liaison, year, tmp_path):
    """A camera stores a portrait photo as landscape pixels plus EXIF Orientation 6; the browser's
    decoder turns it before shrinking, and the server keeps it upright (the shrunk copy has no EXIF)."""
    from PIL import Image

    from ledgers.models import ActivityPhoto

    path = tmp_path / "IMG_portrait.jpg"
    image = Image.new("RGB", (3600, 2400), "steelblue")
    image.paste("red", (0, 0, 900, 600))  # top-left of the stored pixels
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    exif.get_ifd(0x8769)[0x9003] = "2026:04:03 10:30:00"
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())

    page = phone(new_page)
    login_as(page, "liaison")
    page.goto("/activities/new/")
    fill_activity(page, "文明礼仪伴我行")
    page.locator("input[name=photos][multiple]").set_input_files([path])
    expect(page.locator("[data-capture-card][data-state=done]")).to_have_count(1)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("main")).to_contain_text("已保存为草稿")
    photo = ActivityPhoto.objects.get()
    assert (photo.width, photo.height) == (1707, 2560)  # portrait, long side 2560
    stored = Image.open(photo.original.open())
    assert stored.size == (1707, 2560)
    # The red corner is now top-right, as the photographer saw it.
    assert stored.getpixel((1650, 40))[0] > 200 and stored.getpixel((40, 40))[2] > 150
    assert photo.taken_at_reported and photo.taken_at.isoformat().startswith("2026-04-03T02:30")
