"""Journey: an inspector starts the whole bureau's binder, watches the progress bar move, leaves,
opens 我的下载 and downloads the ZIP (desktop), then looks at 我的下载 on a phone.

The job runs in a real worker process (`manage.py db_worker`) on the live server's database,
slowed at each progress step so that the bar can be seen moving.
"""
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login_as, screenshot
from tests.reports.jobs.conftest import archives  # noqa: F401 (fixture)
from tests.reports.jobs.support import WorkerProcess


@pytest.fixture
def worker(tmp_path, live_server):
    process = WorkerProcess(tmp_path / "worker.log", JOBS_STEP_DELAY=0.8).start()
    yield process
    process.stop()


def bar_value(page):
    return int(page.get_by_role("progressbar").get_attribute("aria-valuenow"))


def test_inspector_builds_the_bureau_binder_in_the_background(page, new_page, inspector, school_a, school_b,
                                                              archives, worker):  # noqa: F811
    login_as(page, "inspector")
    page.get_by_role("button", name="活动档案").click()
    page.get_by_role("link", name="活动档案").first.click()
    page.get_by_test_id("bureau-binder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("漯河市郾城区教育局全部单位台账档案册（ZIP）")
    page.get_by_label("期间").select_option("year")
    page.get_by_test_id("job-start").click()

    # The progress page: the bar moves without reloading the page.
    expect(page.get_by_role("heading", level=1)).to_have_text("漯河市郾城区教育局 全部单位 2026年度台账档案册（ZIP）")
    stage = page.locator("[data-job-stage]")
    expect(stage).to_contain_text("个单位的档案册", timeout=90_000)
    first = bar_value(page)
    page.wait_for_function(
        f"() => Number(document.querySelector('[role=progressbar]').getAttribute('aria-valuenow')) > {first}",
        timeout=90_000)
    assert bar_value(page) > first
    expect(stage).to_contain_text("正在生成第")
    screenshot(page, "downloads-progress-desktop")

    # Leave, and come back through the menu.
    page.goto("/")
    page.get_by_role("button", name="报表").click()
    page.get_by_role("link", name="我的下载").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的下载")
    row = page.get_by_test_id("job-row").filter(has_text="漯河市郾城区教育局 全部单位 2026年度台账档案册（ZIP）")
    download = row.get_by_role("link", name="下载")
    expect(download).to_be_visible(timeout=120_000)  # the list polls too
    expect(row).to_contain_text("已完成")
    screenshot(page, "downloads-list-desktop")
    with page.expect_download() as done:
        download.click()
    assert done.value.suggested_filename == "漯河市郾城区教育局-全部单位-2026年度台账档案册.zip"
    names = zipfile.ZipFile(done.value.path()).namelist()
    for school in (school_a, school_b):
        assert f"{school.name}/目录.xlsx" in names
        assert f"{school.name}/{school.name}-2026年度台账档案册.pdf" in names

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    login_as(phone, "inspector")
    phone.goto("/downloads/")
    expect(phone.get_by_test_id("job-row").first).to_contain_text("已完成")
    expect(phone.get_by_test_id("job-row").first.get_by_role("link", name="下载")).to_be_visible()
    screenshot(phone, "downloads-list-phone")
    phone.get_by_test_id("job-row").first.get_by_role("link", name="漯河市郾城区教育局 全部单位 2026年度台账档案册（ZIP）").click()
    expect(phone.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    screenshot(phone, "downloads-job-phone")
