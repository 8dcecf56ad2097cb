"""ledgers.survey_rules: grading as a respondent would expect it, and the figures' definitions."""
from decimal import Decimal

import pytest

from ledgers import survey_rules as r
from ledgers.models import QuestionKind
from tests.ledgers.surveys.factories import TWELVE

SIX = "领导班子、思想道德、教师队伍、校园文化、环境、活动阵地"


def test_the_kinds_by_value_are_the_models():
    assert {r.SINGLE, r.MULTIPLE, r.TRUE_FALSE, r.FILL, r.RATING} == set(QuestionKind.values)


@pytest.mark.parametrize("typed", [
    TWELVE,
    "富强民主文明和谐自由平等公正法治爱国敬业诚信友善",
    "友善 诚信 敬业 爱国 法治 公正 平等 自由 和谐 文明 民主 富强",
    "富强，民主，文明，和谐；自由、平等、公正、法治。爱国/敬业/诚信/友善",
    "富强 民主 文明 和谐\n自由 平等 公正 法治\n爱国 敬业 诚信 友善",
    "国家：富强民主文明和谐；社会：自由平等公正法治；个人：爱国敬业诚信友善",
])
def test_the_twelve_words_in_any_order_spacing_and_punctuation_are_right(typed):
    graded = r.grade(r.FILL, TWELVE, typed)
    assert graded.correct and graded.found == graded.points == 12


@pytest.mark.parametrize("typed,found", [("富强民主文明和谐", 4), ("", 0), ("富强 民主 文明 和谐 自由 平等 公正 法治 爱国 敬业 诚信", 11)])
def test_a_partial_answer_is_wrong_and_says_how_much_was_found(typed, found):
    graded = r.grade(r.FILL, TWELVE, typed)
    assert not graded.correct and graded.found == found


@pytest.mark.parametrize("typed", [
    "领导班子建设好、思想道德教育好、活动阵地建设好、教师队伍建设好、校园文化建设好、校园环境建设好",
    "领导班子好，思想道德教育好，活动阵地好，教师队伍好，校园文化好，校园环境好",
    "思想道德建设好 领导班子建设好 教师队伍建设好 校园文化建设好 优美环境建设好 活动阵地建设好",
])
def test_the_six_goods_in_their_variant_wordings_are_right(typed):
    assert r.grade(r.FILL, SIX, typed).correct


def test_alternative_wordings_of_a_point():
    assert r.grade(r.FILL, "校园环境/优美环境、校园文化", "优美环境 校园文化").correct
    assert not r.grade(r.FILL, "校园环境/优美环境、校园文化", "环境 校园文化").correct


def test_full_width_and_case_are_folded():
    assert r.normalize("ＡＢ　富强，Ｃ") == "ab富强c"


def test_choices_true_false_and_ratings():
    assert r.grade(r.SINGLE, "B", "B").correct and not r.grade(r.SINGLE, "B", "C").correct
    assert r.grade(r.MULTIPLE, "ACD", "DCA").correct and r.grade(r.MULTIPLE, "ACD", "DCA").value == "ACD"
    assert not r.grade(r.MULTIPLE, "ACD", "AC").correct and not r.grade(r.MULTIPLE, "ACD", "ABCD").correct
    assert r.grade(r.TRUE_FALSE, "对", "对").correct and not r.grade(r.TRUE_FALSE, "对", "错").correct
    rating = r.grade(r.RATING, "", "4")
    assert (rating.correct, rating.rating) == (None, 4)


@pytest.mark.parametrize("correct,graded,mark,passed", [
    (4, 5, 80, True), (3, 5, 80, False), (2, 3, Decimal("66.7"), False), (2, 3, Decimal("66.6"), True),
    (0, 0, 80, False), (5, 5, 100, True)])
def test_a_response_is_known_at_the_pass_mark_compared_exactly(correct, graded, mark, passed):
    assert r.is_passed(correct, graded, mark) is passed


def test_the_figures_round_once_to_one_decimal():
    f = r.UnitFigure(1, "甲", sample=3, passed=2, share_sum=2 / 3 + 1 + 1 / 3, minimum=5)
    assert (f.rate, f.mean, f.enough, f.short) == (Decimal("66.7"), Decimal("66.7"), False, 2)
    assert r.UnitFigure(1).rate is None and r.UnitFigure(1).mean is None


def test_the_weakest_are_the_least_known_answered_questions():
    qs = [r.QuestionFigure(1, "甲", "single", 0, answered=4, correct=1), r.QuestionFigure(2, "乙", "single", 1),
          r.QuestionFigure(3, "丙", "fill", 2, answered=4, correct=4), r.QuestionFigure(4, "丁", "fill", 3, answered=4, correct=2)]
    ordered = sorted(qs, key=lambda f: (f.rate is None, f.rate or 0, f.order))
    assert [q.text for q in r.weakest(ordered)] == ["甲", "丁"]
