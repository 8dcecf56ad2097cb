"""The 问卷知晓率 rule on hand-built rounds: every score known in advance.

Indicator 8.1 师生知晓率 (5 points), rule: target 90 %, schools and sections.
  Round 1 (3-01 – 3-31, pass mark 80 %, at least 4 answers a unit):
    school A: 5 answers, 4 知晓 (80 %)           school B: 2 answers, 2 知晓 — 样本不足, not counted
  Round 2 (9-01 – 12-20, at least 4): school A: 4 answers, 4 知晓; one answered on 12-21 (after it) is
    not an answer of the round's … it is left out as of 12-20.
  Section S: in no round.
As of 12-31: A pools 8 of 9 → 88.9 %, 5 × 8/9 × 100/90 = 4.94; B 0 (样本不足); S 5 (no round).
As of 6-30: A round 1 only: 5 × 80/90 = 4.44; round 2 not begun.
"""
import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ledgers.models import (Indicator, Question, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyUnit,
                            Unit)
from ledgers.services import assessment as assessment_service
from reports.assessment import assessment, unit_sheet

D = datetime.date


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def round_of(admin, title, start, end, units, minimum=4):
    survey = Survey.objects.create(year=admin.year, bureau=units[0].bureau, title=title, starts_on=start, ends_on=end,
                                   min_sample=minimum, pass_mark=80, created_by=admin.user)
    for unit in units:
        SurveyUnit.objects.create(survey=survey, unit=unit)
    for question in admin.questions:
        SurveyQuestion.objects.create(survey=survey, question=question, audience="student", order=question.pk)
    return survey


def answers(survey, unit, day, passed, failed):
    """`passed` answers with every question right, `failed` with the 六个好 question wrong."""
    easy, hard = survey.items.order_by("order")
    for n in range(passed + failed):
        right = n < passed
        r = SurveyResponse.objects.create(survey=survey, unit=unit, audience="student", submitted_at=at(day),
                                          graded=2, correct=2 if right else 1, passed=right)
        SurveyAnswer.objects.create(response=r, question=easy.question, value="A", correct=True)
        SurveyAnswer.objects.create(response=r, question=hard.question, value="领导班子", correct=right)


class Admin:
    pass


@pytest.fixture
def hand_built(year, admin_user, school_a, school_b, section):
    Unit.objects.filter(pk=school_a.pk).update(sort_order=1)
    Unit.objects.filter(pk=school_b.pk).update(sort_order=2)
    Unit.objects.filter(pk=section.pk).update(sort_order=3)
    parent = Indicator.objects.create(year=year, code="8", title="群众满意度", points=5)
    indicator = Indicator.objects.create(year=year, code="8.1", title="师生知晓率", points=5, parent=parent,
                                         method="survey")
    scheme = assessment_service.scheme_for(year=year, user=admin_user, create=True)
    assessment_service.rule_save(scheme=scheme, indicator=indicator, user=admin_user, kind="survey",
                                 unit_kinds=["school", "section"], target="90")
    admin = Admin()
    admin.year, admin.user = year, admin_user
    admin.questions = [
        Question.objects.create(bureau=school_a.bureau, kind="single", text="我市正在创建的是？",
                                options=["全国文明城市", "国家卫生城市"], answer="A"),
        Question.objects.create(bureau=school_a.bureau, kind="fill", text="文明校园“六个好”是什么？",
                                answer="领导班子、思想道德、教师队伍、校园文化、环境、活动阵地"),
    ]
    first = round_of(admin, "春季知晓率调查", D(2026, 3, 1), D(2026, 3, 31), [school_a, school_b])
    answers(first, school_a, D(2026, 3, 10), passed=4, failed=1)
    answers(first, school_b, D(2026, 3, 10), passed=2, failed=0)
    second = round_of(admin, "秋季知晓率调查", D(2026, 9, 1), D(2026, 12, 20), [school_a])
    answers(second, school_a, D(2026, 10, 8), passed=4, failed=0)
    return {"A": school_a, "B": school_b, "S": section, "indicator": indicator, "first": first, "second": second}


def scores(year, as_of):
    result = assessment(year, as_of=as_of)
    return {row.unit: row.cells for row in result.rows}, result


def test_the_years_rounds_score_each_unit_as_the_rule_says(year, hand_built):
    cells, _ = scores(year, D(2026, 12, 31))
    ind = hand_built["indicator"].pk
    a, b, s = (cells[hand_built[k].name][ind] for k in ("A", "B", "S"))
    assert (a.score, a.detail) == (Decimal("4.94"), "知晓率 88.9%（9 份答卷，目标 90%）")
    assert (b.score, b.detail) == (Decimal(0), "样本不足（答卷少于最少样本），不得分")
    assert (s.score, s.detail) == (Decimal(5), "尚未开展问卷调查")


def test_mid_year_only_the_rounds_begun_count(year, hand_built):
    cells, _ = scores(year, D(2026, 6, 30))
    assert cells[hand_built["A"].name][hand_built["indicator"].pk].score == Decimal("4.44")


def test_an_answer_after_the_day_does_not_count(year, hand_built):
    answers(hand_built["second"], hand_built["A"], D(2026, 12, 21), passed=0, failed=3)  # after 12-20
    cells, _ = scores(year, D(2026, 12, 20))
    assert cells[hand_built["A"].name][hand_built["indicator"].pk].score == Decimal("4.94")
    cells, _ = scores(year, D(2026, 12, 31))
    # 8 of 12: 66.7 % → 5 × 8/12 × 100/90 = 3.70
    assert cells[hand_built["A"].name][hand_built["indicator"].pk].score == Decimal("3.70")


def test_at_or_above_the_target_gives_full_points(year, hand_built):
    from ledgers.models import IndicatorRule

    IndicatorRule.objects.filter(indicator=hand_built["indicator"]).update(target=Decimal(85))
    cells, _ = scores(year, D(2026, 12, 31))
    assert cells[hand_built["A"].name][hand_built["indicator"].pk].score == Decimal(5)


def test_the_mock_evaluation_names_the_questions_that_cost_points_and_the_answers_still_missing(year, hand_built):
    sheet = unit_sheet(year, hand_built["A"], as_of=D(2026, 12, 31))
    lines = [a.text for a in sheet.actions]
    assert any("8.1 知晓率 88.9%" in line and "《文明校园“六个好”是什么？》正确率 88.9%" in line for line in lines), lines
    evidence = sheet.evidence[hand_built["indicator"].pk]
    assert [(e.title, e.counted) for e in evidence] == [("春季知晓率调查", True), ("秋季知晓率调查", True)]
    # School B, while round 1 still runs: two more answers are needed.
    sheet = unit_sheet(year, hand_built["B"], as_of=D(2026, 3, 20))
    assert any("问卷《春季知晓率调查》样本不足（答卷 2 份，至少 4 份）：还需 2 份" in a.text for a in sheet.actions)
    assert sheet.evidence[hand_built["indicator"].pk][0].note == "样本不足：答卷 2 份，少于最少样本 4 份，不计"


def test_the_rule_explains_itself(hand_built):
    from ledgers.models import IndicatorRule

    text = IndicatorRule.objects.get(indicator=hand_built["indicator"]).explain()
    assert "知晓率" in text and "90%" in text and "样本不足" in text


def test_the_bureau_scores_from_a_fixed_number_of_queries(year, hand_built, django_assert_max_num_queries, school_a,
                                                          admin_user):
    from tests.ledgers.surveys.factories import make_bank, make_round

    for n in range(3):  # more units and rounds: the same queries
        unit = Unit.objects.create(name=f"加测学校{n}", kind="school", code=f"extra{n}")
        make_round(admin_user, [unit, school_a], make_bank(), year=year, title=f"加测{n}")
    with django_assert_max_num_queries(16):
        assessment(year, as_of=D(2026, 12, 31))
