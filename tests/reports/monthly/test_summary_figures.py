"""Every figure of the hand-made November (see conftest) is known in advance."""
from decimal import Decimal

import pytest

from ledgers.models import Unit, UnitKind
from reports.summaries import Month, monthly_summary

NOV = Month(2026, 11)


@pytest.fixture
def summary(november, fixed_today):
    return monthly_summary(NOV)


def row_of(summary, unit):
    return next(r for r in summary.rows if r.unit_id == unit.pk)


def test_it_lists_every_active_unit_in_unit_order(summary):
    assert [r.unit for r in summary.rows] == [
        "郾城区第一实验小学", "郾城区第二实验小学", "郾城区第三实验小学", "局办公室（文明办）", "督导室"]


def test_tasks_due_done_and_overdue_per_unit(summary, november):
    a, b = row_of(summary, november["A"]), row_of(summary, november["B"])
    # A: one done in time, one done only in December (not done at month end: overdue).
    assert (a.tasks_due, a.tasks_done, a.tasks_overdue, a.completion_rate) == (2, 1, 1, 0.5)
    # B: one due and open, one from October still not started.
    assert (b.tasks_due, b.tasks_done, b.tasks_overdue, b.completion_rate) == (1, 0, 2, 0.0)
    c = row_of(summary, november["C"])
    assert (c.tasks_due, c.tasks_overdue, c.completion_rate) == (0, 0, None)


def test_checks_average_and_ranks_share_a_tie(summary, november):
    a, b, s = (row_of(summary, november[k]) for k in "ABS")
    assert (a.checks, a.average_score, a.score_rate, a.rank) == (2, Decimal("85.0"), Decimal("85.0"), 1)
    assert (b.checks, b.average_score, b.score_rate, b.rank) == (1, Decimal("17.0"), Decimal("85.0"), 1)
    assert (s.checks, s.score_rate, s.rank) == (1, Decimal("70.0"), 3)
    # C's draft check does not count; C is not ranked.
    c = row_of(summary, november["C"])
    assert (c.checks, c.score_rate, c.rank) == (0, None, None)
    assert [r.unit for r in summary.ranking] == ["郾城区第一实验小学", "郾城区第二实验小学", "局办公室（文明办）"]
    assert summary.ranked_units == 3


def test_problems_found_closed_open_overdue_and_days_to_close(summary, november):
    a, b = row_of(summary, november["A"]), row_of(summary, november["B"])
    assert (a.problems_found, a.problems_closed, a.problems_open, a.problems_overdue) == (2, 1, 1, 1)
    assert a.average_close_days == Decimal("3.0")
    # B: closed one found in October; one closed only in December still counts open at month end.
    assert (b.problems_found, b.problems_closed, b.problems_open, b.problems_overdue) == (2, 1, 2, 1)
    assert b.average_close_days == Decimal("4.0")
    s = row_of(summary, november["S"])
    assert (s.problems_found, s.problems_open, s.average_close_days) == (0, 0, None)


def test_activities_count_only_submitted_and_approved(summary, november):
    a, b = row_of(summary, november["A"]), row_of(summary, november["B"])
    assert (a.activities, a.photos) == (2, 4)
    assert (b.activities, b.photos) == (0, 0)


def test_letter_signed_when_signed_or_archived(summary, november):
    signed = {r.unit: r.letter_signed for r in summary.rows}
    assert signed == {"郾城区第一实验小学": True, "郾城区第二实验小学": False, "郾城区第三实验小学": False,
                      "局办公室（文明办）": True, "督导室": False}


def test_bureau_totals(summary):
    t = summary.totals
    assert (t.units, t.tasks_due, t.tasks_done, t.tasks_overdue) == (5, 3, 1, 3)
    assert round(t.completion_rate, 4) == Decimal("0.3333").__float__()
    assert (t.checks, t.average_score, t.score_rate) == (4, Decimal("64.3"), Decimal("81.3"))
    assert (t.problems_found, t.problems_closed, t.problems_open, t.problems_overdue) == (4, 2, 3, 2)
    assert t.average_close_days == Decimal("3.5")
    assert (t.activities, t.photos, t.units_without_activities, t.letters_signed) == (2, 4, 4, 2)


def test_month_against_previous_month(summary):
    p = summary.previous
    assert (p.checks, p.score_rate, p.problems_found, p.problems_open, p.activities, p.photos) == (
        1, Decimal("50.0"), 1, 1, 1, 2)
    directions = {c.label: c.direction for c in summary.comparisons}
    assert directions["平均得分率"] == "上升"
    assert directions["发现问题"] == "上升"
    assert directions["逾期问题"] == "上升"
    assert directions["活动照片"] == "上升"
    assert directions["平均整改天数"] == "—"  # nothing closed in October
    assert directions["任务完成率"] == "上升"  # October: one task due (B), not done


def test_open_problems_list_overdue_first_with_days(summary):
    listed = [(p.unit, p.description, p.overdue_days, p.status) for p in summary.open_problems]
    assert listed == [
        ("郾城区第二实验小学", "食堂卫生死角", 19, "已于12-02销号"),
        ("郾城区第一实验小学", "=宣传栏内容过期", 9, "整改中"),
        ("郾城区第二实验小学", "操场围墙公益广告破损", 0, "待整改"),
    ]


def test_highlights_reviewed_first_then_most_photos(summary):
    assert [(h.title, h.photos, h.reviewed) for h in summary.highlights] == [
        ("重阳节敬老志愿服务", 3, True), ("文明礼仪主题班会", 1, False)]
    assert summary.highlights[0].thumbnail


def test_one_units_summary_keeps_its_bureau_rank(november, fixed_today):
    summary = monthly_summary(NOV, unit=november["B"])
    assert [r.unit for r in summary.rows] == ["郾城区第二实验小学"]
    assert summary.rows[0].rank == 1
    assert summary.title == "郾城区第二实验小学2026年11月文明创建工作分析小结"
    assert [p.description for p in summary.open_problems] == ["食堂卫生死角", "操场围墙公益广告破损"]
    assert summary.highlights == []
    assert summary.totals.problems_open == 2


def test_an_empty_month_has_zeros_and_no_rates(year, units, fixed_today):
    summary = monthly_summary(Month(2026, 3))
    assert summary.totals.units == 5
    assert summary.totals.checks == 0
    assert summary.totals.completion_rate is None
    assert summary.totals.score_rate is None
    assert summary.open_problems == [] and summary.highlights == []


def test_summary_query_count_does_not_grow_with_units(november, fixed_today, django_assert_max_num_queries):
    # 13 for the figures and highlights (the tasks' items: one-off and periodic), 1 for the open-problem
    # list (read when used), 1 for the month's 问卷调查 rounds (none here).
    with django_assert_max_num_queries(16) as small:  # + the month's 问责 entries
        summary = monthly_summary(NOV)
        listed = list(summary.open_problems)
    assert len(listed) == len(summary.open_problems) == 3
    for n in range(30):
        Unit.objects.create(name=f"测试学校{n}", kind=UnitKind.SCHOOL, code=f"t{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        summary = monthly_summary(NOV)
        list(summary.open_problems)
    assert summary.totals.units == 35


def test_the_open_problem_list_is_read_when_used(november, fixed_today, django_assert_num_queries, monkeypatch):
    from reports.summaries import OpenProblems

    monkeypatch.setattr(OpenProblems, "HEAD", 2)  # the first rows are read 2 at least (100 in use)
    summary = monthly_summary(NOV)
    with django_assert_num_queries(0):
        assert len(summary.open_problems) == 3 and summary.open_problems
    with django_assert_num_queries(1):
        head = summary.open_problems[:2]  # the page's and the PDF's first rows: one query with a limit
    with django_assert_num_queries(0):
        assert summary.open_problems[:1] == head[:1]
    with django_assert_num_queries(1):
        everything = list(summary.open_problems)  # the Excel sheet: the whole list
    with django_assert_num_queries(0):
        assert summary.open_problems[:2] == head == everything[:2] and summary.open_problems[2] == everything[2]
    assert [p.description for p in everything] == [p.description for p in head] + [everything[2].description]


def test_a_task_completed_on_the_months_last_day_counts_as_done(november, fixed_today, year):
    from datetime import date, datetime

    from django.utils import timezone

    from ledgers.models import Task, TaskAssignment

    task = Task.objects.create(year=year, title="月底完成的任务", deadline=date(2026, 11, 30))
    TaskAssignment.objects.create(task=task, unit=november["C"], status="done",
                                  completed_at=timezone.make_aware(datetime(2026, 11, 30, 22, 30)))
    c = row_of(monthly_summary(NOV), november["C"])
    assert (c.tasks_due, c.tasks_done, c.tasks_overdue, c.completion_rate) == (1, 1, 0, 1.0)
