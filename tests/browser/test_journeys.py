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
