"""The bank and the rounds as the bureau and the schools use them."""
import datetime

import pytest
from django.utils import timezone

from ledgers.models import Question, Survey, SurveyQuestion, SurveyUnit
from ledgers.services.surveys import response_submit
from tests.ledgers.surveys.factories import RIGHT, TWELVE, make_round


def answer_once(link):
    items = link.survey.items.filter(audience="student").select_related("question")
    response_submit(link=link, audience="student", grade=None, address="192.0.2.70",
                    answers={i.question.pk: "".join(RIGHT[i.question.kind]) for i in items})


def test_everyone_reads_the_bank_with_its_answers(bank, liaison, client_for):
    page = client_for(liaison).get("/questions/").content.decode()
    assert "请写出社会主义核心价值观的12个主题词" in page and TWELVE in page
    assert "新增题目" not in page  # a liaison only reads


def test_the_admin_adds_a_question_and_bad_input_keeps_what_was_typed(year, admin_user, client_for):
    client = client_for(admin_user)
    data = {"kind": "single", "text": "文明校园创建由哪两个部门提出？", "options_text": "教育部和中央文明办\n教育部和团中央",
            "answer": "C", "explanation": "2015年", "audiences": ["student", "teacher"], "sort_order": "1",
            "is_active": "on"}
    refused = client.post("/questions/new/", data)
    assert refused.status_code == 200 and "答案须为选项字母（A—B）" in refused.content.decode()
    assert "文明校园创建由哪两个部门提出？" in refused.content.decode()
    assert not Question.objects.exists()
    data["answer"] = "a"
    assert client.post("/questions/new/", data).status_code == 302
    q = Question.objects.get()
    assert (q.answer, q.options, q.audiences, q.bureau) == ("A", ["教育部和中央文明办", "教育部和团中央"],
                                                          ["student", "teacher"], admin_user.bureau)


def test_an_answered_question_keeps_its_answer(link_a, admin_user, client_for, bank):
    answer_once(link_a)
    single = next(q for q in bank if q.kind == "single")
    Question.objects.filter(pk=single.pk).update(bureau=admin_user.bureau)
    data = {"kind": "single", "text": single.text, "options_text": "\n".join(single.options), "answer": "B",
            "audiences": single.audiences, "sort_order": "1", "is_active": "on"}
    page = client_for(admin_user).post(f"/questions/{single.pk}/", data).content.decode()
    assert "这道题已有人作答，不能再改题型、选项或答案" in page
    assert Question.objects.get(pk=single.pk).answer == "A"
    data.update(answer="A", text=single.text + "（修订）")  # a wording fix is fine
    assert client_for(admin_user).post(f"/questions/{single.pk}/", data).status_code == 302


def test_a_district_cannot_edit_the_citys_questions(bank, admin_user, client_for):
    assert client_for(admin_user).get(f"/questions/{bank[0].pk}/").status_code == 404


def test_the_admin_makes_a_round_and_each_unit_gets_its_link(year, admin_user, school_a, school_b, bank, client_for):
    today = timezone.localdate()
    data = {"title": "2026年冬季知晓率调查", "intro": "请认真作答", "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=7)).isoformat(), "pass_mark": "80", "min_sample": "10",
            "quota": "500", "units": [school_a.pk, school_b.pk],
            "questions_student": [bank[0].pk, bank[1].pk], "questions_parent": [bank[4].pk]}
    response = client_for(admin_user).post(f"/surveys/new/?year={year.year}", data)
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    assert survey.audiences == ["student", "parent"] and survey.year == year
    assert sorted(SurveyUnit.objects.filter(survey=survey).values_list("unit__name", flat=True)) == [
        "郾城区第一实验小学", "郾城区第二实验小学"]
    assert list(SurveyQuestion.objects.filter(survey=survey, audience="student").values_list("question_id", flat=True)) \
        == [bank[0].pk, bank[1].pk]
    page = client_for(admin_user).get(f"/surveys/{survey.pk}/").content.decode()
    assert "各单位知晓率" in page and "全部二维码海报" in page


def test_a_round_without_questions_is_refused_and_keeps_what_was_typed(year, admin_user, school_a, bank, client_for):
    today = timezone.localdate()
    data = {"title": "空问卷", "starts_on": today.isoformat(), "ends_on": today.isoformat(), "pass_mark": "80",
            "min_sample": "10", "quota": "500", "units": [school_a.pk]}
    page = client_for(admin_user).post("/surveys/new/", data).content.decode()
    assert "请至少为一类调查对象选择题目" in page and 'value="空问卷"' in page
    assert not Survey.objects.exists()


def test_the_liaison_sees_its_units_link_qr_and_figures_and_not_another_units(link_a, link_b, liaison, client_for):
    answer_once(link_a)
    client = client_for(liaison)
    page = client.get(f"/surveys/{link_a.survey_id}/").content.decode()
    assert link_a.link in page and "<svg" in page and "下载二维码海报" in page
    assert 'data-testid="awareness">100.0%' in page and "样本不足：还差 2 份" in page
    assert link_b.token not in page and "郾城区第二实验小学" not in page
    # Asking for another unit gives the liaison's own.
    assert link_b.token not in client.get(f"/surveys/{link_a.survey_id}/?unit={link_b.unit_id}").content.decode()


def test_a_liaison_whose_unit_is_not_in_a_round_gets_404(year, admin_user, school_b, bank, liaison, client_for):
    survey = make_round(admin_user, [school_b], bank, year=year)
    assert client_for(liaison).get(f"/surveys/{survey.pk}/").status_code == 404


def test_the_admin_ends_a_round_early(link_a, admin_user, client_for):
    response = client_for(admin_user).post(f"/surveys/{link_a.survey_id}/close/")
    assert response.status_code == 302
    survey = Survey.objects.get(pk=link_a.survey_id)
    assert survey.closed_at is not None and survey.state() == "已结束"


def test_units_that_answered_cannot_be_taken_out(link_a, link_b, admin_user, bank):
    from django.core.exceptions import ValidationError

    from ledgers.services.surveys import survey_save

    answer_once(link_a)
    survey = Survey.objects.get(pk=link_a.survey_id)
    with pytest.raises(ValidationError, match="郾城区第一实验小学已有答卷"):
        survey_save(survey=survey, user=admin_user, units=[link_b.unit],
                    questions={"student": [q for q in bank if "student" in q.audiences]})


def test_the_round_list_shows_each_rounds_awareness(link_a, link_b, admin_user, liaison, client_for,
                                                     django_assert_max_num_queries):
    answer_once(link_a)
    client = client_for(admin_user)
    client.get("/surveys/")
    with django_assert_max_num_queries(12):
        page = client.get("/surveys/").content.decode()
    assert "2026年秋季文明创建知晓率调查" in page and "100.0%" in page and "2 个单位样本不足" in page
    own = client_for(liaison).get("/surveys/").content.decode()
    assert "样本不足" in own
