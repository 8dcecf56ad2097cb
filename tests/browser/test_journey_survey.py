"""Journey (issue 32): at 390 px, a student answers through the school's QR link with scripts on,
another with scripts off, the first tries again and is refused; the school's 知晓率 moves and the
liaison sees it on the home page with its weakest question."""
from playwright.sync_api import expect

from ledgers.models import SurveyResponse
from tests.browser.conftest import PHONE, login_as, screenshot
from tests.ledgers.surveys.factories import TWELVE, make_bank, make_round

PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
                 "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47"}


def answer_as_student(phone, path, *, twelve):
    phone.goto(path)
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    phone.get_by_label("学生", exact=True).check()
    phone.get_by_role("button", name="开始答题").click()
    phone.get_by_label("第1题答案").fill(twelve)
    phone.get_by_label("A. 全国文明城市").check()
    phone.get_by_label("正确", exact=True).check()
    phone.get_by_role("button", name="提交答卷").click()
    expect(phone.get_by_test_id("survey-score")).to_be_visible()


def awareness(page):
    page.goto("/")
    panel = page.get_by_test_id("panel-survey")
    expect(panel).to_be_visible()
    return panel


def test_students_answer_by_phone_and_the_liaison_sees_the_schools_figure(new_page, year, admin_user, liaison,
                                                                           school_a, school_b):
    survey = make_round(admin_user, [school_a, school_b], make_bank(), year=year, min_sample=2)
    link = survey.survey_units.get(unit=school_a)

    # A student with scripts on (WeChat's browser): every answer right, in a shuffled order with spaces.
    first = new_page(**PHONE_OPTIONS)
    answer_as_student(first, link.path, twelve="友善 诚信 敬业 爱国，富强民主文明和谐 自由 平等 公正 法治")
    expect(first.get_by_test_id("survey-score")).to_contain_text("答对 3 / 3 题")
    assert first.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(first, "survey-phone-result")

    liaison_page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(liaison_page, "liaison")
    expect(awareness(liaison_page).get_by_test_id("awareness")).to_have_text("100.0%")

    # Another with scripts off: only six of the twelve words; the result names the right answer.
    second = new_page(java_script_enabled=False, **PHONE_OPTIONS)
    answer_as_student(second, link.path, twelve="富强 民主 文明 和谐 自由 平等")
    expect(second.get_by_test_id("survey-score")).to_contain_text("答对 2 / 3 题")
    expect(second.locator("body")).to_contain_text(f"正确答案：{TWELVE}")
    screenshot(second, "survey-phone-result-no-script")

    # The first phone scans the code again: refused, and nothing more is stored.
    first.goto(link.path)
    expect(first.get_by_test_id("survey-message")).to_contain_text("您已参加过本次问卷")
    expect(first.get_by_role("button", name="开始答题")).to_have_count(0)
    assert SurveyResponse.objects.filter(survey=survey, unit=school_a).count() == 2

    # The school's figure moved: one of two at the pass mark; the twelve words are its weakest question.
    panel = awareness(liaison_page)
    expect(panel.get_by_test_id("awareness")).to_have_text("50.0%")
    expect(panel.get_by_test_id("weakest").locator("li").first).to_contain_text(
        "请写出社会主义核心价值观的12个主题词（正确率 50.0%）")
    screenshot(liaison_page, "survey-liaison-home")
