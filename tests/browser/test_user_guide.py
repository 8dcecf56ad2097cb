"""The user guide's week, walked in a browser on the demo data: each role's chapter of
docs/使用说明.md is shown by the screenshots these journeys take, on the product as a bureau
runs it (the demo data served by `bin/serve` itself, DEBUG off).

Each journey saves its screenshots in test-output/guide/ and checks that they are exactly the
images its chapter shows (docs/images/guide/<role>-*.png), so a chapter never shows a screen no
journey reaches. To refresh the guide's images after a change of the pages:

    GUIDE_IMAGES=update .venv/bin/python -m pytest -p no:cacheprovider -m browser tests/browser/test_user_guide.py

which also writes them, reduced to 256 colours, into docs/images/guide/.

The first test here is the first run itself (`bin/serve` as from a fresh clone, DEBUG off, its error
pages); the guide's week then runs on the same server. bin/test's browser phase keeps a module's tests in
one process (`--dist loadfile`), so the demo is migrated and loaded once for both. Loading it makes this
module the slowest of the browser tests (tests/conftest.py SLOW_FIRST).
"""
import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, screenshot
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "使用说明.md"
DOC_IMAGES = ROOT / "docs" / "images" / "guide"
SHOTS = ROOT / "test-output" / "guide"
SCHOOL = "郾城区第一实验小学"


@pytest.fixture
def site(bin_serve):
    """The demo served by `bin/serve` itself (DEBUG off, gunicorn and the job worker); its base URL."""
    base, _data = bin_serve
    return base


def other_schools_problem(database):
    with sqlite3.connect(database) as db:
        (pk,) = db.execute("SELECT p.id FROM ledgers_problem p JOIN ledgers_unit u ON u.id = p.unit_id "
                           "WHERE u.name = '郾城区第二实验小学' ORDER BY p.id LIMIT 1").fetchone()
    return pk


def test_bin_serve_shows_the_products_own_pages_with_debug_off(browser, bin_serve):
    """The first run looks like the product: `bin/serve` itself, started as from a fresh clone (its own
    empty database, media, static and secret-key locations; nothing of this checkout's), serves the
    demo with Django's debug pages off. A browser sees the Chinese pages for a mistyped address, for
    another school's record, for a bureau-only page and for a GET of a button's POST-only address
    (with a way back); styles, the service worker and the favicon are still served; the secret key was
    generated once, readable by its owner only. (First in this module: the demo as bin/serve loaded it.)"""
    base, data = bin_serve
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


@pytest.fixture
def chinese_browser(browser):
    """Chromium in Chinese, as the schools' phones are (file pickers, date fields; chromium-l10n)."""
    chinese = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=zh-CN"],
                                          env={**os.environ, "LANGUAGE": "zh_CN", "LANG": "zh_CN.UTF-8"})
    yield chinese
    chinese.close()


@pytest.fixture
def open_as(chinese_browser, site):
    """open_as(username, phone=False) -> a signed-in page on the demo site."""
    contexts, problems = [], []

    def make(username, phone=False):
        options = ({"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
                   if phone else {"viewport": DESKTOP})
        context = chinese_browser.new_context(base_url=site, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      reduced_motion="reduce", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


class Shots:
    """The screenshots of one chapter: shot(page, name) saves test-output/guide/<chapter>-<name>.png
    (one image pixel per CSS pixel), and, with GUIDE_IMAGES=update, docs/images/guide/ too."""

    def __init__(self, chapter):
        self.chapter, self.taken = chapter, []
        SHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name, *, full_page=False, locator=None):
        file = f"{self.chapter}-{name}.png"
        path = SHOTS / file
        page.wait_for_load_state("networkidle")
        if locator is not None:
            locator.screenshot(path=str(path), scale="css")
        else:
            page.screenshot(path=str(path), full_page=full_page, scale="css")
        self.add_file(file)

    def add_file(self, file):
        """A screenshot saved in test-output/guide/ counts as this chapter's (and is copied to docs/)."""
        if os.environ.get("GUIDE_IMAGES") == "update":
            DOC_IMAGES.mkdir(parents=True, exist_ok=True)
            image = Image.open(SHOTS / file).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
            image.save(DOC_IMAGES / file, optimize=True)
        self.taken.append(file)

    def differences(self):
        """What differs between the chapter's images and the screenshots this journey took: the
        chapter must show exactly these (and each must be in docs/images/guide/)."""
        shown = set(re.findall(rf"\(images/guide/({self.chapter}-[\w-]+\.png)\)", GUIDE.read_text(encoding="utf-8")))
        taken = set(self.taken)
        return {"shown by no journey": sorted(shown - taken), "not shown in the chapter": sorted(taken - shown),
                "not in docs/images/guide (GUIDE_IMAGES=update)": sorted(
                    file for file in shown if not (DOC_IMAGES / file).exists())}


def open_menu(page, group, entry):
    """Clicks a menu entry as a user would (the phone's 菜单 button first)."""
    nav = page.locator("#mainnav")
    if not nav.is_visible():
        page.get_by_role("button", name="菜单").click()
    if group:
        nav.get_by_role("button", name=group).click()
    nav.get_by_role("link", name=entry, exact=True).click()


def pdf_page_shot(shot, page, link_name, name, expected_text):
    """Fetches the PDF a link gives, checks its Chinese text and saves its first page as a shot."""
    import subprocess

    from pypdf import PdfReader

    href = page.get_by_role("link", name=link_name).first.get_attribute("href")
    response = page.request.get(href)  # as the browser's own session fetches it (inline or attachment)
    assert response.ok and response.headers["content-type"] == "application/pdf", (href, response.status)
    pdf = SHOTS / f"{shot.chapter}-{name}.pdf"
    pdf.write_bytes(response.body())
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    for words in expected_text:
        assert words in text, words
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(SHOTS / f"{shot.chapter}-{name}")], check=True)
    shot.add_file(f"{shot.chapter}-{name}.png")


def bureau_offices_week(open_as):
    """局文明办: the year's tasks and letters, the week's bulletin, imports."""
    shot = Shots("admin")
    page = open_as("admin")
    expect(page.locator("main")).to_contain_text("逾期未整改")
    shot(page, "home")
    open_menu(page, "任务台账", "任务分解表")
    expect(page.locator("h1")).to_contain_text("任务分解表")
    shot(page, "task-matrix")
    page.goto("/tasks/new/")
    page.get_by_label("测评内容（任务）").fill("开展“文明餐桌·光盘行动”主题教育")
    page.get_by_label("工作要求").fill("各校结合午餐管理开展主题班会，留存照片和记录。")
    page.get_by_label("完成时限").fill("2026-12-25")
    page.get_by_label(SCHOOL).check()
    shot(page, "task-new", full_page=True)
    page.get_by_role("button", name=re.compile("保存")).first.click()
    expect(page.locator("main")).to_contain_text("开展“文明餐桌·光盘行动”主题教育")
    open_menu(page, "任务台账", "目标责任书")
    shot(page, "letters")
    open_menu(page, "督查整改", "督查通报")
    shot(page, "bulletins")
    open_menu(page, "系统", "数据导入")
    expect(page.locator("h1")).to_contain_text("数据导入")
    shot(page, "imports")
    open_menu(page, "系统", "单位管理")
    expect(page.locator("h1")).to_contain_text("单位管理")
    shot(page, "units")
    open_menu(page, "问卷调查", "问卷调查")
    page.get_by_role("link", name="2026年文明校园创建知晓率调查").first.click()
    expect(page.locator("main")).to_contain_text("知晓率")
    shot(page, "survey")
    return shot


def inspectors_check_on_a_phone(open_as):
    """督导组, on site: a check scored on a phone and a problem handed to the school."""
    shot = Shots("inspector")
    page = open_as("inspector", phone=True)
    open_menu(page, "督查整改", "督查记录")
    page.get_by_role("link", name="新建督查").click()
    page.get_by_role("link", name="校园环境卫生检查表").click()
    page.get_by_label("受检单位").select_option(label=SCHOOL)
    for label, score in [("校园环境卫生", "18"), ("教室及功能室卫生", "19"), ("宣传氛围", "12"),
                         ("文明礼仪", "15"), ("安全秩序", "14"), ("食堂及厕所卫生", "13")]:
        page.get_by_label(f"{label}（满分", exact=False).fill(score)
    page.get_by_label("检查情况").fill("宣传栏内容未及时更新；食堂后门有积水。")
    shot(page, "check-form", full_page=True)
    page.get_by_role("button", name="提交督查记录").click()
    expect(page.locator("main")).to_contain_text("督查记录已提交，得分 91 分")
    page.get_by_label("问题描述").fill("宣传栏内容未及时更新")
    shot(page, "raise-problem")
    page.get_by_role("button", name=f"交办给{SCHOOL}").click()
    expect(page.locator("main")).to_contain_text(f"问题已交办给{SCHOOL}")
    open_menu(page, "督查整改", "督导组")
    page.get_by_role("link", name=re.compile("第一督导组")).first.click()
    expect(page.locator("main")).to_contain_text("未督查")
    shot(page, "group-units")
    return shot


def inspectors_recheck_and_month(open_as, shot):
    """督导组, back at the desk: the re-check and 销号, the bulletin, the month's summary printed."""
    page = open_as("inspector")
    open_menu(page, "督查整改", "整改台账")
    page.get_by_label("状态").select_option(label="待复查")
    page.get_by_role("button", name="筛选").click()
    shot(page, "problems-to-recheck")
    page.get_by_test_id("problem-table").get_by_role("link", name="宣传栏内容未及时更新").click()
    page.get_by_label("复查意见").fill("现场复查，宣传栏已更新。")
    shot(page, "recheck", full_page=True)
    page.get_by_role("button", name="复查通过，销号").click()
    expect(page.locator("main")).to_contain_text("问题已复查销号")
    open_menu(page, "报表", "分析小结")
    page.get_by_role("link", name=re.compile("2026年12月")).first.click()
    expect(page.locator("main")).to_contain_text("未销号问题")
    shot(page, "monthly")
    pdf_page_shot(shot, page, "PDF", "monthly-pdf", ["文明创建工作分析小结", "未销号问题"])
    return shot


def leaders_week(open_as):
    """局领导: the overview on a phone, the dashboard and the year's assessment at the desk."""
    shot = Shots("leader")
    page = open_as("leader", phone=True)
    shot(page, "home")
    desk = open_as("leader")
    open_menu(desk, None, "工作看板")
    expect(desk.locator("h1")).to_contain_text("工作看板")
    shot(desk, "dashboard")
    open_menu(desk, "报表", "年度考核")
    shot(desk, "assessment")
    return shot


def liaisons_week_on_a_phone(open_as, tmp_path):
    """单位联络员, on a phone: the problem rectified, a task reported, an activity filed, the letter."""
    shot = Shots("liaison")
    page = open_as("liaison", phone=True)
    expect(page.locator("main")).to_contain_text(SCHOOL)
    shot(page, "home")
    page.get_by_test_id("panel-problems").get_by_role("link", name="宣传栏内容未及时更新").click()
    page.get_by_role("button", name="开始整改").click()
    expect(page.locator("main")).to_contain_text("已开始整改")
    page.get_by_label("整改情况").fill("已更换宣传栏内容，增加核心价值观公益广告两幅。")
    page.get_by_label("整改后照片").set_input_files(jpeg_file(tmp_path / "after.jpg"))
    shot(page, "rectify", full_page=True)
    page.get_by_role("button", name="提交复查").click()
    expect(page.locator("main")).to_contain_text("整改情况已提交，等待督导组复查")

    open_menu(page, "任务台账", "我的任务")
    expect(page.locator("h1")).to_contain_text("我的任务")
    shot(page, "my-tasks")
    page.get_by_role("link", name=re.compile("制定本单位文明创建《工作方案》")).first.click()
    page.get_by_label("落实情况").fill("召开创建工作专题会议，印发《工作方案》和《工作计划》。")
    shot(page, "task-report", full_page=True)
    page.get_by_role("button", name="保存落实情况").click()
    expect(page.locator("main")).to_contain_text("召开创建工作专题会议")

    open_menu(page, "活动档案", "活动档案")
    page.get_by_role("link", name=re.compile("新建活动档案")).click()
    page.get_by_label("活动名称").fill("“文明餐桌·光盘行动”主题班会")
    shot(page, "activity-new", full_page=True)

    open_menu(page, "任务台账", "目标责任书")
    shot(page, "letter")

    open_menu(page, "问卷调查", "问卷调查")
    page.get_by_role("link", name="2026年文明校园创建知晓率调查").first.click()
    expect(page.locator("main")).to_contain_text(f"2026年文明校园创建知晓率调查 · {SCHOOL}")
    shot(page, "survey")
    pdf_page_shot(shot, page, "下载二维码海报（PDF）", "survey-poster", [SCHOOL, "扫码"])
    link = page.locator("main a[href^='/s/']").first.get_attribute("href")
    parent = page.context.browser.new_context(base_url=page.url.split("/surveys/")[0], locale="zh-CN",
                                              viewport=PHONE, is_mobile=True, has_touch=True,
                                              device_scale_factor=2)
    answer = parent.new_page()
    answer.goto(link)
    expect(answer.locator("body")).to_contain_text("2026年文明校园创建知晓率调查")
    shot(answer, "survey-answer")
    parent.close()

    open_menu(page, None, "帮助")
    expect(page.locator("main")).to_contain_text("请先读")
    shot(page, "help")
    return shot


def jpeg_file(path):
    Image.new("RGB", (800, 600), (180, 200, 220)).save(path, "JPEG")
    return str(path)


def test_every_roles_week_as_the_guide_shows_it(open_as, tmp_path):
    # One test, so the demo is loaded and served once whichever process runs it; in the week's
    # order: the check and its problem, the school's answer, the re-check.
    admin = bureau_offices_week(open_as)
    inspector = inspectors_check_on_a_phone(open_as)
    liaison = liaisons_week_on_a_phone(open_as, tmp_path)
    inspectors_recheck_and_month(open_as, inspector)
    leader = leaders_week(open_as)
    differences = {shot.chapter: {k: v for k, v in shot.differences().items() if v}
                   for shot in (admin, inspector, leader, liaison)}
    assert not any(differences.values()), differences
