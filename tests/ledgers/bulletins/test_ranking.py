"""Ranking units by the week's check scores: averages, different templates, shared ranks."""
import datetime

from ledgers.models import Unit
from ledgers.services.bulletins import bulletin_data, parse_week, week_ranking
from tests.ledgers.checks.factories import MONDAY, make_check, make_problem


def unit(name):
    return Unit.objects.create(name=name, kind="school", code=f"u{Unit.objects.count()}")


def test_ties_share_a_rank_and_the_next_rank_is_skipped(inspector, template):
    a, b, c, d = unit("甲校"), unit("乙校"), unit("丙校"), unit("丁校")
    make_check(inspector, a, template, [20, 15, 15])  # 100 %
    make_check(inspector, b, template, [18, 12, 10])  # 80 %
    make_check(inspector, c, template, [10, 15, 15])  # 80 %
    make_check(inspector, d, template, [10, 10, 10])  # 60 %
    ranking = week_ranking(2026, 10)
    assert [r["rank"] for r in ranking] == [1, 2, 2, 4]
    assert {r["unit"]: (r["rank"], r["rate"]) for r in ranking} == {
        "甲校": (1, "100.0"), "乙校": (2, "80.0"), "丙校": (2, "80.0"), "丁校": (4, "60.0"),
    }


def test_a_unit_checked_twice_is_ranked_by_its_average_and_templates_compare_by_rate(
        inspector, template, small_template):
    a, b = unit("甲校"), unit("乙校")
    make_check(inspector, a, template, [20, 15, 15])                       # 100 %
    make_check(inspector, a, template, [10, 10, 10], date=MONDAY + datetime.timedelta(days=2))  # 60 %
    make_check(inspector, b, small_template, [9])                          # 90 % of a 10-point table
    ranking = week_ranking(2026, 10)
    assert [(r["unit"], r["checks"], r["rate"], r["rank"]) for r in ranking] == [
        ("乙校", 1, "90.0", 1), ("甲校", 2, "80.0", 2),
    ]
    assert ranking[1]["average"] == "40.0"


def test_drafts_and_other_weeks_are_not_ranked(inspector, template):
    a, b = unit("甲校"), unit("乙校")
    make_check(inspector, a, template, [1, 1, 1], submit=False)
    make_check(inspector, b, template, [1, 1, 1], date=MONDAY + datetime.timedelta(days=7))
    assert week_ranking(2026, 10) == []
    assert [r["unit"] for r in week_ranking(2026, 11)] == ["乙校"]


def test_top_units_are_praised_and_bottom_or_overdue_units_criticised(inspector, template):
    units = [unit(name) for name in ("一校", "二校", "三校", "四校", "五校", "六校", "七校")]
    for points, u in zip([20, 19, 18, 17, 16, 15, 14], units):
        make_check(inspector, u, template, [points, 10, 10])
    late = unit("逾期校")
    make_problem(inspector, late, "宣传栏内容过期", found_on=MONDAY, deadline=MONDAY + datetime.timedelta(days=1))
    data = bulletin_data(2026, 10, today=MONDAY + datetime.timedelta(days=5))
    assert [r["unit"] for r in data["praised"]] == ["一校", "二校", "三校"]
    criticised = {c["unit"]: c["reason"] for c in data["criticised"]}
    assert set(criticised) == {"五校", "六校", "七校", "逾期校"}
    assert criticised["逾期校"] == "有 1 个问题逾期未整改"
    assert "排名靠后" in criticised["七校"]
    assert data["problems"] == {"found": 1, "found_closed": 0, "closed": 0, "overdue": 1, "recheck_overdue": 0}
    assert data["overdue_list"][0]["days"] == 4


def test_week_text_is_parsed_as_iso_week():
    assert parse_week("2026-W10") == (2026, 10)
    assert parse_week("2026-w03") == (2026, 3)
    assert parse_week("2026-W60") is None
    assert parse_week("十周") is None
