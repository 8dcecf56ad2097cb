"""Journey: a district's admin runs a year's organisation without /admin/, on a desktop and on a
390 px phone — adds a unit and its liaison and prints the login slip, moves a liaison to the new
unit, resets a password, unlocks an account locked by failed logins, makes a 督导组 and sets the
包抓领导 and 督导组 of units, adds the bureau's group robot and test-sends to a real local HTTP server;
the leader then finds the units on 我包抓的单位."""
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ledgers.models import InspectionGroup, Oversight, Role, Unit, User, Webhook
from tests.browser.conftest import DESKTOP, PHONE, login_as, screenshot
from tests.browser.phone_audit import MIN_TEXT_PX, audit
from tests.conftest import make_user
from tests.ledgers.notifications.conftest import robot  # noqa: F401 (the fixture: a real local HTTP server)


def pdf_text(data):
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def phone_problems(page, url):
    page.goto(url)
    seen = audit(page)
    return ([f"{url}: {seen['docWidth']}px wide"] if seen["docWidth"] > PHONE["width"] else []) + (
        [f"{url}: texts under {MIN_TEXT_PX}px {seen['small'][:3]}"] if seen["small"] else [])


def submit(page, form_testid, button):
    page.get_by_test_id(form_testid).get_by_role("button", name=button).click()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_district_admin_runs_the_years_organisation_in_the_app(
        viewport, new_page, year, admin_user, leader, inspector, liaison, liaison2, school_a, school_b, robot):
    phone = viewport == "phone"
    def open_page():
        return new_page(viewport=PHONE, is_mobile=True, has_touch=True) if phone else new_page(viewport=DESKTOP)

    page = open_page()
    name = f"organise-{viewport}"
    login_as(page, admin_user.username)

    # 单位管理 → ＋ 添加单位
    page.goto("/units/")
    page.get_by_test_id("unit-add").click()
    form = page.get_by_test_id("unit-form")
    form.get_by_label("单位名称").fill("郾城区新区小学")
    form.get_by_label("单位类别").select_option(label="学校")
    form.get_by_label("单位主要负责人").fill("刘建国")
    form.get_by_label("联系人").fill("马老师")
    form.get_by_label("联系电话").fill("0395-1234567")
    submit(page, "unit-form", "保存")
    expect(page.get_by_role("heading", level=1)).to_contain_text("郾城区新区小学")
    unit = Unit.objects.get(name="郾城区新区小学")
    assert (unit.bureau, unit.head_name) == (admin_user.bureau, "刘建国")

    # ＋ 添加联络员: a one-time password, and its login slip printed.
    page.get_by_test_id("liaison-add").click()
    form = page.get_by_test_id("user-form")
    form.get_by_label("姓名").fill("马晓红")
    form.get_by_label("手机号").fill("13912345678")
    submit(page, "user-form", "保存并生成初始密码")
    password = page.get_by_test_id("password").first.inner_text()
    screenshot(page, f"{name}-credentials")
    slip = page.context.request.get(page.get_by_test_id("print-slips").get_attribute("href"))
    text = pdf_text(slip.body())
    for words in ("马晓红", "郾城区新区小学", "13912345678", password):
        assert words in text, words
    new_liaison = User.objects.get(username="13912345678")
    assert new_liaison.unit == unit and new_liaison.must_change_password and new_liaison.check_password(password)

    # Move liaison2 (郾城区第二实验小学) to the new unit.
    page.goto(f"/users/{liaison2.pk}/")
    page.get_by_label("所属单位").select_option(label="郾城区新区小学")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("main")).to_contain_text("郾城区新区小学")
    liaison2.refresh_from_db()
    assert liaison2.unit == unit

    # 马晓丽 is locked out after failed logins; the admin unlocks her, then resets a password.
    stranger = new_page(viewport=DESKTOP)
    for attempt in range(5):
        stranger.goto("/accounts/login/")
        stranger.get_by_label("用户名").fill("liaison")
        stranger.get_by_label("密码").fill(f"wrong-{attempt}")
        stranger.get_by_role("button", name="登录").click()
    page.goto(f"/users/{liaison.pk}/")
    expect(page.locator("main")).to_contain_text("已锁定（登录失败次数过多）")
    screenshot(page, f"{name}-locked")
    page.get_by_test_id("unlock").click()
    expect(page.locator("main")).to_contain_text("已解除 马晓丽 的登录锁定")
    login_as(stranger, "liaison")  # the old password works again
    page.get_by_test_id("reset-password").click()
    # The slips wait in the admin's session until printed: 马晓红's is still there beside hers.
    reset = page.get_by_test_id("credentials").locator(".list-group-item", has_text="马晓丽").get_by_test_id(
        "password").inner_text()
    expect(page.get_by_test_id("credentials")).to_contain_text("马晓红")
    liaison.refresh_from_db()
    assert liaison.check_password(reset) and liaison.must_change_password

    # 督导组: a new group of the year with its inspector.
    page.goto("/groups/new/")
    form = page.get_by_test_id("group-form")
    form.get_by_label("督导组名称").fill("第一督导组")
    form.get_by_label(f"{inspector.display_name}（{inspector.unit.name}）").check()
    submit(page, "group-form", "保存")
    group = InspectionGroup.objects.get(name="第一督导组")
    assert list(group.members.all()) == [inspector]

    # 包抓分工: tick two units, give them the leader and the group.
    page.goto("/oversight/")
    page.get_by_label(school_a.name, exact=True).check()
    page.get_by_label("郾城区新区小学", exact=True).check()
    page.get_by_test_id("oversight-form").get_by_label("包抓领导").select_option(label=leader.display_name)
    page.get_by_test_id("oversight-form").get_by_label("督导组").select_option(label="第一督导组")
    page.get_by_test_id("oversight-apply").click()
    expect(page.locator(f'[data-unit="{school_a.name}"]')).to_contain_text(leader.display_name)
    expect(page.locator('[data-unit="郾城区新区小学"]')).to_contain_text("第一督导组")
    screenshot(page, f"{name}-oversight")
    assert {(o.unit, o.leader, o.group) for o in Oversight.objects.all()} == {
        (school_a, leader, group), (unit, leader, group)}

    # 群机器人: the bureau's group robot, 测试发送 to a real local HTTP server.
    page.goto("/robots/")
    page.get_by_test_id("robot-add").click()
    page.get_by_label("Webhook 地址").fill(robot.url + "/bureau")
    submit(page, "robot-form", "保存")
    page.get_by_test_id("robot-test").click()
    expect(page.locator("main")).to_contain_text("测试消息已发送到")
    expect(page.get_by_test_id("robot-recent")).to_contain_text("测试消息")
    screenshot(page, f"{name}-robot")
    [(path, _, body)] = robot.posts
    assert path == "/bureau" and "测试消息" in body["markdown"]["content"]
    assert Webhook.objects.get().unit is None

    # Nothing of it needed /admin/: a bureau admin who opens it is sent to the app's page.
    page.goto("/admin/ledgers/unit/")
    assert "/admin/" not in page.url

    if phone:  # every page of the journey reads on a phone: no sideways scrolling, no text under 11 px
        hook = Webhook.objects.get()
        bad = []
        for url in ("/units/", f"/units/{unit.pk}/", "/users/", f"/users/{liaison.pk}/", "/groups/",
                    f"/groups/{group.pk}/", "/oversight/", "/accountability/", "/accountability/rules/", "/robots/",
                    f"/robots/{hook.pk}/", "/deliveries/", "/settings/"):
            bad += phone_problems(page, url)
        assert not bad, bad

    # The leader finds the two units on 我包抓的单位, one tap from their records.
    page = open_page()
    login_as(page, leader.username)
    panel = page.get_by_test_id("my-units")
    expect(panel).to_contain_text(school_a.name)
    expect(panel).to_contain_text("郾城区新区小学")
    if phone:
        assert not phone_problems(page, "/") + phone_problems(page, "/reports/my-units/")
    screenshot(page, f"{name}-leader-home")
