"""Journey: an inspector raises a problem; the school's liaison, in another browser on a phone,
sees the bell's count go up, opens the message and lands on the problem. Another school's
liaison hears nothing of it."""
from playwright.sync_api import expect

from ledgers.models import Notification, Problem
from tests.browser.conftest import PHONE, login_as, screenshot


def test_a_raised_problem_rings_the_school_liaisons_bell(page, new_page, year, inspector, liaison, liaison2,
                                                         school_a, school_b):
    school = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    login_as(school, "liaison")
    bell = school.get_by_test_id("bell")
    expect(bell).to_be_visible()  # outside the collapsed menu: seen at once on a phone
    expect(school.get_by_test_id("bell-count")).to_have_count(0)

    # The inspector raises a problem against school_a at the desk.
    login_as(page, "inspector")
    page.goto("/problems/new/")
    page.get_by_label("责任单位").select_option(label="郾城区第一实验小学")
    page.get_by_label("问题描述").fill("教学楼东侧楼梯扶手积灰")
    page.get_by_role("button", name="交办").click()
    expect(page.locator("main")).to_contain_text("问题已交办给郾城区第一实验小学")
    problem = Problem.objects.get()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)  # the inspector gets nothing of it

    # The liaison's phone: after a reload the bell shows 1.
    school.reload()
    expect(school.get_by_test_id("bell-count")).to_have_text("1")
    screenshot(school, "notifications-phone-bell")
    bell.click()
    expect(school.get_by_role("heading", level=1)).to_have_text("消息")
    message = school.get_by_test_id("notification").first
    expect(message).to_contain_text("新交办问题")
    expect(message).to_contain_text("教学楼东侧楼梯扶手积灰")
    expect(message).to_contain_text("未读")
    width = school.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the messages page scrolls sideways at 390 px ({width})"
    screenshot(school, "notifications-phone-list")
    message.click()
    expect(school).to_have_url(f"{school.url.split('/problems/')[0]}/problems/{problem.pk}/")
    expect(school.locator("main")).to_contain_text("教学楼东侧楼梯扶手积灰")
    expect(school.get_by_test_id("bell-count")).to_have_count(0)  # read now
    assert Notification.objects.get(recipient=liaison).read_at is not None

    # 个人设置 on the phone: the address for email reminders.
    school.goto("/notifications/settings/")
    school.get_by_label("接收提醒的邮箱").fill("maxiaoli@example.com")
    school.get_by_role("button", name="保存").click()
    expect(school.locator("main")).to_contain_text("个人设置已保存")
    screenshot(school, "notifications-phone-settings")
    liaison.refresh_from_db()
    assert liaison.email == "maxiaoli@example.com"

    # The other school's liaison: no message, no count.
    other = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    login_as(other, "liaison2")
    expect(other.get_by_test_id("bell-count")).to_have_count(0)
    other.get_by_test_id("bell").click()
    expect(other.locator("main")).to_contain_text("暂无消息")
    expect(other.locator("main")).not_to_contain_text("教学楼东侧楼梯扶手积灰")

    # At desk width the list reads the same; 全部标为已读 leaves nothing unread.
    desk = new_page()
    login_as(desk, "liaison")
    desk.goto("/notifications/")
    expect(desk.get_by_test_id("notification")).to_have_count(1)
    screenshot(desk, "notifications-desktop-list")
    desk.get_by_test_id("read-all").click()
    expect(desk.locator("main")).to_contain_text("没有未读消息")
