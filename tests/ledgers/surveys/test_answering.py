"""Answering through a unit's public link, as a phone does: no account, a signed cookie per round,
the refusals a respondent can meet, and what is (and is not) stored."""
import datetime
import re

import pytest
from django.utils import timezone

from ledgers.models import Survey, SurveyAnswer, SurveyResponse
from tests.ledgers.surveys.factories import TWELVE, answer, answers_for, csrf_client


def stored():
    return SurveyResponse.objects.count(), SurveyAnswer.objects.count()


def test_a_student_answers_and_sees_which_answers_were_right(link_a):
    phone = csrf_client()
    start = phone.get(link_a.path).content.decode()
    assert "郾城区第一实验小学" in start and "学生" in start and "家长" in start
    data = answers_for(link_a.survey, "student", wrong=("single",))
    data["grade"] = "5"
    response = answer(phone, link_a, data)
    assert response.status_code == 303 and response["Location"] == f"{link_a.path}result/"
    stored_response = SurveyResponse.objects.get()
    assert (stored_response.unit, stored_response.audience, stored_response.grade) == (link_a.unit, "student", 5)
    assert (stored_response.correct, stored_response.graded, stored_response.passed) == (2, 3, False)
    page = phone.get(response["Location"]).content.decode()
    assert "答对 <span class=\"score\">2</span> / 3 题" in page
    assert "✗ 错误" in page and "正确答案：A. 全国文明城市" in page
    assert page.count("✓ 正确") == 2


def test_the_twelve_words_in_any_order_with_spaces_and_punctuation_are_right(link_a):
    data = answers_for(link_a.survey, "student")
    fill = next(k for k, v in data.items() if v == TWELVE)
    data[fill] = "友善 诚信，敬业、爱国。法治 公正 平等 自由 和谐 文明 民主 富强"
    assert answer(csrf_client(), link_a, data).status_code == 303
    assert SurveyAnswer.objects.get(question__kind="fill").correct is True
    assert SurveyResponse.objects.get().passed


def test_a_second_attempt_from_the_same_phone_is_refused_and_stores_nothing(link_a):
    phone = csrf_client()
    assert answer(phone, link_a, answers_for(link_a.survey, "student")).status_code == 303
    before = stored()
    again = phone.get(link_a.path)
    assert "您已参加过本次问卷" in again.content.decode() and "查看我的答题结果" in again.content.decode()
    refused = answer(phone, link_a, answers_for(link_a.survey, "teacher"))
    assert refused.status_code == 409 and "您已参加过本次问卷" in refused.content.decode()
    assert stored() == before


def test_a_forged_cookie_counts_for_nothing(link_a):
    phone = csrf_client()
    phone.cookies[f"wm_s{link_a.survey_id}"] = "1"  # unsigned
    assert answer(phone, link_a, answers_for(link_a.survey, "student")).status_code == 303


def test_a_missing_answer_brings_the_sheet_back_with_what_was_typed(link_a):
    data = answers_for(link_a.survey, "student")
    single = next(k for k, v in data.items() if v == "A")
    del data[single]
    fill = next(k for k, v in data.items() if v == TWELVE)
    data[fill] = "富强民主 我还记得这些"
    response = answer(csrf_client(), link_a, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "第 2 题未作答" in page and 'value="富强民主 我还记得这些"' in page
    assert stored() == (0, 0)


def test_a_closed_round_refuses_answers(link_a):
    phone = csrf_client()
    phone.get(link_a.path, {"who": "student"})  # the sheet opened while the round ran
    Survey.objects.filter(pk=link_a.survey_id).update(closed_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "问卷已结束" in csrf_client().get(link_a.path).content.decode()
    response = answer(phone, link_a, answers_for(link_a.survey, "student"))
    assert response.status_code == 410 and "问卷已结束" in response.content.decode()
    assert stored() == (0, 0)


def test_a_round_not_yet_begun_says_when_it_begins(link_a):
    day = timezone.localdate() + datetime.timedelta(days=2)
    Survey.objects.filter(pk=link_a.survey_id).update(starts_on=day)
    page = csrf_client().get(link_a.path).content.decode()
    assert f"本次问卷将于 {day.year}年{day.month}月{day.day}日 开始" in page


def test_a_full_quota_refuses_more_answers(link_a):
    Survey.objects.filter(pk=link_a.survey_id).update(quota=1, min_sample=1)
    assert answer(csrf_client(), link_a, answers_for(link_a.survey, "student")).status_code == 303
    response = answer(csrf_client(), link_a, answers_for(link_a.survey, "student"))
    assert response.status_code == 409 and "答卷已收满" in response.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_an_address_answering_too_often_is_asked_to_wait_and_keeps_its_answers(link_a, link_b, settings,
                                                                              same_minute):
    settings.SURVEY_LIMIT_PER_ADDRESS = 2
    for _ in range(2):
        assert answer(csrf_client(), link_a, answers_for(link_a.survey, "student")).status_code == 303
    data = answers_for(link_b.survey, "teacher")
    response = answer(csrf_client(), link_b, data)
    page = response.content.decode()
    assert response.status_code == 429 and "提交过于频繁" in page
    assert f'value="{TWELVE}"' in page  # the sheet comes back as it was filled in
    assert SurveyResponse.objects.count() == 2
    # Another address is not held up.
    assert answer(csrf_client(), link_b, data, address="198.51.100.9").status_code == 303


def test_a_unit_answered_too_fast_is_slowed(link_a, settings, same_minute):
    settings.SURVEY_LIMIT_PER_UNIT = 1
    assert answer(csrf_client(), link_a, answers_for(link_a.survey, "student"), address="192.0.2.1").status_code == 303
    response = answer(csrf_client(), link_a, answers_for(link_a.survey, "student"), address="192.0.2.2")
    assert response.status_code == 429 and "提交的人很多" in response.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_an_unknown_link_is_404(db):
    assert csrf_client().get("/s/nosuchlink12/").status_code == 404


def test_the_result_page_without_an_answer_goes_back_to_the_start(link_a):
    response = csrf_client().get(f"{link_a.path}result/")
    assert response.status_code == 302 and response["Location"] == link_a.path


@pytest.mark.parametrize("audience,count", [("student", 3), ("teacher", 5), ("parent", 3)])
def test_each_audience_gets_its_own_questions(link_a, audience, count):
    page = csrf_client().get(link_a.path, {"who": audience}).content.decode()
    assert page.count("<fieldset>") == count


def test_the_daily_upkeep_deletes_the_address_counts_older_than_a_day(db):
    import datetime

    from django.utils import timezone

    from ledgers.models import SurveyThrottle
    from reports.jobs.upkeep import run_upkeep

    now = timezone.now()
    old = SurveyThrottle.objects.create(key="a" * 40, window_start=int(now.timestamp()) - 2 * 86400, hits=3)
    recent = SurveyThrottle.objects.create(key="b" * 40, window_start=int(now.timestamp()) - 600, hits=1)
    removed = run_upkeep(now=now + datetime.timedelta(seconds=1))
    assert removed["survey throttle rows"] == 1
    assert list(SurveyThrottle.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not SurveyThrottle.objects.filter(pk=old.pk).exists()


def test_a_kept_sheet_is_never_out_of_date_and_each_phone_gets_its_own_token(link_a):
    """The blank sheet is rendered once and kept (ledgers/views/survey_answer.py): a question edited,
    the round renamed or the unit renamed is on the very next sheet, and each phone's token is its own."""
    from ledgers.models import Question

    first, second = csrf_client(), csrf_client()
    page = first.get(link_a.path, {"who": "student"}).content.decode()
    other = second.get(link_a.path, {"who": "student"}).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert token != re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', other).group(1)
    assert "csrf-token-of-this-phone" not in page
    question = Question.objects.get(pk=link_a.survey.items.filter(audience="student").first().question_id)
    question.text = "我校正在创建哪一级文明校园？（已修改）"
    question.save()
    link_a.survey.title = "2026年秋季知晓率调查"
    link_a.survey.save()
    link_a.unit.name = "郾城区第一实验小学（新校区）"
    link_a.unit.save()
    page = csrf_client().get(link_a.path, {"who": "student"}).content.decode()
    for words in ("我校正在创建哪一级文明校园？（已修改）", "2026年秋季知晓率调查", "郾城区第一实验小学（新校区）"):
        assert words in page, words
    # The phone that opened the sheet first still answers with its own token.
    assert answer(first, link_a, answers_for(link_a.survey, "student")).status_code == 303
