"""Journey: a bureau admin imports a task table whose headers the heuristics do not know.

Upload → map two columns by hand → preview → exclude the row with an error → import; then the
same file again: the mapping is remembered and nothing new is created ("0 新增").
"""
import io

from openpyxl import Workbook
from playwright.sync_api import expect

from ledgers.models import Task, Unit, UnitKind
from tests.browser.conftest import login_as, screenshot


def unfamiliar_table(path):
    wb = Workbook()
    ws = wb.active
    ws.append(["郾城区教育局2026年创建工作安排"])
    ws.merge_cells("A1:D1")
    ws.append(["编号", "干什么", "谁来干", "完成时限"])
    ws.append([1, "清理校园卫生死角", "郾城区第一实验小学", "5月底"])
    ws.append([2, "悬挂创建标语", "不存在的学校", "2026-05-10"])
    ws.append([3, "组织文明交通劝导", "郾城区第二实验小学、郾城区第一实验小学", "每学期"])
    out = io.BytesIO()
    wb.save(out)
    path.write_bytes(out.getvalue())
    return path


def upload(page, path):
    page.goto("/tasks/import/")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("import-grid")).to_be_visible()


def test_admin_maps_unknown_columns_previews_excludes_an_error_row_and_reimports(
        page, admin_user, school_a, school_b, year, tmp_path):
    Unit.objects.create(name="基础教育股", kind=UnitKind.SECTION, code="jjg")
    table = unfamiliar_table(tmp_path / "创建工作安排.xlsx")
    login_as(page, "admin")
    upload(page, table)
    grid = page.get_by_test_id("import-grid")
    expect(grid).to_contain_text("郾城区教育局2026年创建工作安排")  # the merged title row, as in Excel
    expect(grid.locator("td[colspan='4']")).to_have_count(1)
    expect(page.get_by_label("D 列")).to_have_value("deadline")  # 完成时限 was recognised
    expect(page.get_by_label("B 列")).to_have_value("")  # 干什么 / 谁来干 were not
    page.get_by_label("B 列").select_option(label="测评内容/任务")
    page.get_by_label("C 列").select_option(label="责任单位")
    screenshot(page, "import-1-mapping")
    page.get_by_role("button", name="下一步：预览").click()

    preview = page.get_by_test_id("import-preview")
    expect(page.get_by_test_id("import-counts")).to_contain_text("2 将新增")
    error_row = preview.locator("tr[data-row='4']")
    expect(error_row).to_contain_text("有错误")
    expect(error_row).to_contain_text("单位“不存在的学校”不存在（最接近的是：")
    assert not Task.objects.exists()  # nothing written before confirmation
    page.get_by_label("排除第 4 行").check()
    screenshot(page, "import-2-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("2 新增，0 更新，0 无变化")
    screenshot(page, "import-3-done")
    assert set(Task.objects.values_list("title", flat=True)) == {"清理校园卫生死角", "组织文明交通劝导"}

    # The same file again: the columns are filled in from last time.
    upload(page, table)
    expect(page.get_by_label("B 列")).to_have_value("title")
    expect(page.get_by_label("C 列")).to_have_value("units")
    page.get_by_role("button", name="下一步：预览").click()
    expect(page.get_by_test_id("import-counts")).to_contain_text("0 将新增")
    page.get_by_label("排除第 4 行").check()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("0 新增")
    screenshot(page, "import-4-reimport")
    assert Task.objects.count() == 2


def test_admin_imports_liaisons_prints_login_slips_and_the_liaison_must_change_the_password(
        page, new_page, admin_user, school_a, school_b, year, tmp_path):
    from pypdf import PdfReader

    from ledgers.models import User

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "手机号", "所属单位", "角色"])
    ws.append(["赵敏", "13900000003", "郾城区第一实验小学", "联络员"])
    ws.append(["钱芳", "13900000004", "郾城区第二实验小学", ""])
    path = tmp_path / "联络员名单.xlsx"
    wb.save(path)

    login_as(page, "admin")
    page.goto("/users/import/")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="上传").click()
    page.get_by_role("button", name="下一步：预览").click()
    expect(page.get_by_test_id("import-counts")).to_contain_text("2 将新增")
    page.get_by_role("button", name="确认导入").click()
    credentials = page.get_by_test_id("credentials")
    expect(credentials).to_contain_text("13900000003")
    screenshot(page, "import-5-credentials")
    password = credentials.locator("tr", has_text="赵敏").locator("code").nth(1).inner_text()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="打印登录条（PDF）").click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "赵敏" in text and "钱芳" in text and password in text

    liaison = new_page()
    login_as(liaison, "13900000003", password)
    expect(liaison.get_by_text("您正在使用初始密码，请先修改密码。")).to_be_visible()
    liaison.goto("/tasks/mine/")
    assert "/accounts/password/" in liaison.url  # every page leads to the password change
    liaison.locator("#id_old_password").fill(password)
    liaison.locator("#id_new_password1").fill("Wenming-2026-new")
    liaison.locator("#id_new_password2").fill("Wenming-2026-new")
    screenshot(liaison, "import-6-first-login")
    liaison.get_by_role("button", name="保存新密码").click()
    expect(liaison.get_by_text("密码已修改")).to_be_visible()
    liaison.goto("/tasks/mine/")
    expect(liaison.get_by_role("heading", level=1)).to_contain_text("我的任务")
    assert not User.objects.get(username="13900000003").must_change_password
