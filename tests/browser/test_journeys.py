"""Journeys users make today, driven in Debian's Chromium; each ends in a screenshot.

Journeys still to come when their pages exist (see README, "Browser tests"): a liaison
files an activity with three captioned photos from a phone; an inspector records a check
with a problem, the liaison rectifies it with a photo, the inspector closes it; an
inspector downloads the monthly summary as PDF and Excel.
"""
import re

from playwright.sync_api import expect

from tests.browser.conftest import login_as, screenshot

NEW_PASSWORD = "Xin-mima-2026!"


def test_liaison_on_a_phone_changes_password_and_logs_out(phone_page, liaison, year):
    page = phone_page
    login_as(page, "liaison")
    # The phone layout folds the menu behind the toggler; the unit is the page heading.
    expect(page.get_by_role("heading", level=1)).to_have_text("郾城区第一实验小学")
    nav = page.locator("#mainnav")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="菜单").click()
    expect(nav).to_have_class(re.compile(r"\bshow\b"))
    expect(nav).to_contain_text("马晓丽")
    screenshot(page, "liaison-phone-home-menu")

    nav.get_by_text("马晓丽").click()
    page.get_by_role("link", name="修改密码").click()
    page.locator("#id_old_password").fill("wenming2026")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator("main")).to_contain_text("密码已修改")
    screenshot(page, "liaison-phone-password-changed")

    page.get_by_role("button", name="菜单").click()
    page.locator("#mainnav").get_by_text("马晓丽").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    # The old password no longer works; the new one does.
    login_as(page, "liaison", NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("郾城区第一实验小学")
    screenshot(page, "liaison-phone-logged-in-again")


def test_bureau_admin_opens_unit_management(page, admin_user, school_a, school_b, year):
    login_as(page, "admin")
    page.get_by_role("button", name="系统").click()
    page.get_by_role("link", name="单位管理").click()
    expect(page.locator("#result_list")).to_contain_text("郾城区第一实验小学")
    expect(page.locator("#result_list")).to_contain_text("郾城区第二实验小学")
    expect(page.locator("#site-name")).to_contain_text("文明创建工作台账")
    screenshot(page, "admin-unit-management")


# --- journey 1: an activity with three captioned photos, from a phone ---------------------

def jpeg_files(folder, count, size=(800, 600)):
    """`count` small JPEGs on disk, each a different colour (distinct content hashes)."""
    from PIL import Image

    paths = []
    for n, colour in zip(range(count), ["seagreen", "steelblue", "darkorange", "purple"]):
        path = folder / f"IMG_{n + 1:04d}.jpg"
        Image.new("RGB", size, colour).save(path, "JPEG")
        paths.append(path)
    return paths


CAPTIONS = ["2026年4月3日上午，沙北社区，五年级学生清扫街道",
            "2026年4月3日上午，沙北社区，志愿者慰问孤寡老人",
            "2026年4月3日中午，沙北社区，师生合影留念"]


def test_liaison_on_a_phone_files_an_activity_with_three_captioned_photos(phone_page, liaison, year, tmp_path):
    from ledgers.models import Activity, ActivityStatus, Indicator

    indicator = Indicator.objects.create(year=year, code="3.2.1", title="学雷锋志愿服务常态化", min_photos=3,
                             caption_required=True)
    page = phone_page
    login_as(page, "liaison")
    page.get_by_role("button", name="菜单").click()
    page.locator("#mainnav").get_by_role("button", name="活动档案").click()
    page.locator("#mainnav").get_by_role("link", name="活动档案", exact=True).click()
    page.get_by_role("link", name="新建活动档案").click()

    page.get_by_label("活动名称").fill("学雷锋志愿服务进社区")
    page.get_by_label("活动类别").select_option(label="学雷锋志愿服务")
    page.get_by_label("活动日期").fill("2026-04-03")
    page.get_by_label("活动地点").fill("沙北社区")
    page.get_by_label("参加人员").fill("五年级师生 60 人")
    page.get_by_label("组织者").fill("少先队大队部")
    page.get_by_label("关联测评指标").select_option(value=str(indicator.pk))
    page.get_by_label("活动简介").fill("清扫街道，慰问老人。")
    page.locator("input[name=photos][multiple]").set_input_files(jpeg_files(tmp_path, 3))
    expect(page.locator("[data-photo-list] li")).to_have_count(3)
    screenshot(page, "journey1-liaison-phone-new-activity")
    page.get_by_role("button", name="保存草稿").click()

    expect(page.locator("main")).to_contain_text("已保存为草稿")
    # Captions are required by the linked indicator: not yet submittable.
    expect(page.get_by_test_id("evidence-problems")).to_be_visible()
    page.get_by_role("link", name="编辑 / 添加照片").click()
    captions = page.get_by_placeholder("时间、地点、人物、事件")
    expect(captions).to_have_count(3)
    for n, caption in enumerate(CAPTIONS):
        captions.nth(n).fill(caption)
    screenshot(page, "journey1-liaison-phone-captions")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("main")).to_contain_text("已保存为草稿")
    page.get_by_role("button", name="提交审核").click()

    expect(page.locator("main")).to_contain_text("已提交，等待督导组审核")
    expect(page.locator("main .badge").first).to_have_text("已提交")
    thumbs = page.get_by_test_id("photos").locator("img")
    expect(thumbs).to_have_count(3)
    for n in range(3):
        expect(thumbs.nth(n)).to_be_visible()
        # The thumbnail really loaded (served through the access-checked view).
        assert thumbs.nth(n).evaluate("img => img.complete && img.naturalWidth > 0")
    for caption in CAPTIONS:
        expect(page.get_by_test_id("photos")).to_contain_text(caption)
    screenshot(page, "journey1-liaison-phone-submitted")

    activity = Activity.objects.get(title="学雷锋志愿服务进社区")
    assert activity.status == ActivityStatus.SUBMITTED
    assert activity.unit == liaison.unit and activity.submitted_by == liaison
    assert sorted(activity.photos.values_list("caption", flat=True)) == sorted(CAPTIONS)
    assert [i.code for i in activity.indicators.all()] == ["3.2.1"]
