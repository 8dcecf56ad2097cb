"""How the importers read numbering, points and scoring rules inside the cells of real tables
(`ledgers.imports.wording`, issue 29)."""
from decimal import Decimal

import pytest

from ledgers.imports import wording


@pytest.mark.parametrize("text, code, rest", [
    ("1.校园显著位置设有六类公益宣传", "1", "校园显著位置设有六类公益宣传"),
    ("2有善行义举榜，有诚信红黑榜", "2", "有善行义举榜，有诚信红黑榜"),  # the stop after 2 was lost
    ("1.1在多种阵地运用多种形式宣传", "1.1", "在多种阵地运用多种形式宣传"),
    ("（三）随机抽取5名学生背诵", "三", "随机抽取5名学生背诵"),
    ("1）召开专门会议部署", "1", "召开专门会议部署"),
    ("II-1 党建工作", "II-1", "党建工作"),
    # A number that is a word stays.
    ("3名及以上学生都能背诵社会主义价值观的为达标", None, "3名及以上学生都能背诵社会主义价值观的为达标"),
    ("24字社会主义核心价值观", None, "24字社会主义核心价值观"),
    ("2015年修订版《中小学生守则》", None, "2015年修订版《中小学生守则》"),
    ("100米内无游商", None, "100米内无游商"),
])
def test_numbering_is_read_off_and_numbers_that_are_words_stay(text, code, rest):
    assert wording.split_code(text) == (code, rest)


@pytest.mark.parametrize("text, points, rest", [
    ("在显著位置展示市民文明公约；（4分）", Decimal(4), "在显著位置展示市民文明公约"),
    ("外墙必须有外粉饰。2分", Decimal(2), "外墙必须有外粉饰。"),
    ("（1）地面清洁卫生。3分", Decimal(3), "（1）地面清洁卫生。"),
    ("全部硬化4分；畅通平整1分", None, "全部硬化4分；畅通平整1分"),  # points inside the rule are no item's points
])
def test_points_at_the_end_of_an_item(text, points, rest):
    assert wording.trailing_points(text) == (points, rest)


@pytest.mark.parametrize("label, expected", [
    ("宣传氛围（20分）", (None, "宣传氛围", Decimal(20))),
    ("校园硬化30分", (None, "校园硬化", Decimal(30))),
    ("I-1 领 导 班 子 建 设（15 分）", ("I-1", "领导班子建设", Decimal(15))),
    ("1、领导体制和工作机制", ("1", "领导体制和工作机制", None)),
    ("考察校园周边：", (None, "考察校园周边", None)),
])
def test_group_labels(label, expected):
    assert wording.label(label) == expected


@pytest.mark.parametrize("text, expected", [
    ("每处扣0.5分，扣完为止", (Decimal("0.5"), True)),
    ("缺一项扣1分，扣完为止", (Decimal(1), True)),
    ("（缺一项扣0.5分）", (Decimal("0.5"), False)),
    ("没有本校文化扣2分，有成绩排名扣2分。", (None, False)),  # fixed amounts, not per finding
])
def test_deductions(text, expected):
    assert wording.deduction(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("随机抽取5名学生背诵社会主义核心价值观12个主题词\n3名及以上学生都能背诵社会主义价值观的为达标", (5, 3)),
    ("从学校大门口往里走200米，随机抽选2间教室查看。校园及教室内均有为达标", (2, 2)),
    ("询问5名学生，了解创建文明校园知晓度", (5, None)),
    ("校园内至少2幅及以上公益广告", None),
])
def test_sampling(text, expected):
    assert wording.sampling(text) == expected
