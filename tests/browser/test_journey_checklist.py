"""Issue 29 on a phone (390 px): an inspector records a pass/fail checklist with the two large
达标 / 不达标 buttons, photographs the failed item, and turns it into a problem prefilled with the
item's standard, indicator and photo. Screenshots in test-output/screenshots/checklist-*.png.
"""
from playwright.sync_api import expect

from tests.browser.conftest import login_as, screenshot
from tests.browser.test_journeys import jpeg_files


def test_inspector_records_a_pass_fail_checklist_on_a_phone_and_turns_a_failed_item_into_a_problem(
        phone_page, inspector, school_a, year, tmp_path):
    from ledgers.models import CheckItem, CheckTemplate, Indicator, PhotoStage, Problem

    indicator = Indicator.objects.create(year=year, code="3.2.1", title="文明校园创建", points=5)
    template = CheckTemplate.objects.create(year=year, name="中小学校点位测评督查标准")
    items = [CheckItem.objects.create(template=template, kind="passfail", sort_order=n, indicator=indicator,
                                      number=number, title=title, standard=standard)
             for n, (number, title, standard) in enumerate([
                 ("（一）", "校园及教室内有学生守则展示", "从学校大门口往里走200米，随机抽选2间教室查看。校园及教室内均有为达标，其余为不达标。"),
                 ("（二）", "校内刊播公益广告，校园及教室内张贴社会主义核心价值观主题词",
                  "校园内至少2幅及以上公益广告，1幅及以上核心价值观宣传；2间教室均有核心价值观宣传。"),
                 ("（七）", "物防、技防设施正常使用", ""),
             ])]
    failed = items[1]
    (photo,) = jpeg_files(tmp_path, 1)

    page = phone_page
    login_as(page, "inspector")
    page.goto(f"/checks/new/?template={template.pk}")
    expect(page.locator("main")).to_contain_text("满分 3 项，按达标率")
    page.get_by_label("受检单位").select_option(label="郾城区第一实验小学")
    rows = {item.pk: page.locator(f".check-item[data-item='{item.pk}']") for item in items}
    for item in items:
        button = rows[item.pk].locator("label", has_text="不达标" if item is failed else "达标").first
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 150, box  # large enough for a thumb
        button.click()
    photo_input = rows[failed.pk].locator(".item-photo input[type=file]")
    expect(photo_input).to_be_visible()  # offered for the failed item only
    expect(rows[items[0].pk].locator(".item-photo")).to_be_hidden()
    photo_input.set_input_files(photo)
    screenshot(page, "checklist-phone-form")
    page.get_by_role("button", name="提交督查记录").click()

    expect(page.get_by_test_id("rate")).to_have_text("66.7%")  # 2 of 3 达标
    expect(page.get_by_test_id(f"outcome-{failed.pk}")).to_have_text("不达标")
    screenshot(page, "checklist-phone-check-page")
    page.get_by_test_id(f"raise-{failed.pk}").click()

    description = page.get_by_label("问题描述")
    expect(description).to_have_value(
        "校内刊播公益广告，校园及教室内张贴社会主义核心价值观主题词（不达标）\n"
        "标准：校园内至少2幅及以上公益广告，1幅及以上核心价值观宣传；2间教室均有核心价值观宣传。")
    expect(page.get_by_label("测评指标")).to_have_value(str(indicator.pk))
    expect(page.locator("input[name=check_photos]:checked")).to_have_count(1)
    screenshot(page, "checklist-phone-problem-form")
    page.get_by_role("button", name="交办", exact=True).click()
    expect(page.locator("main")).to_contain_text("问题已交办给郾城区第一实验小学")

    problem = Problem.objects.get()
    assert problem.unit == school_a and problem.indicator == indicator
    assert problem.description.startswith("校内刊播公益广告")
    assert problem.photos.filter(stage=PhotoStage.BEFORE).count() == 1  # the item's photo, copied
