"""Days to close count local calendar days (销号 date in the bureau's zone − found date), computed by
the database (reports.summaries.DaysToClose): SQLite shifts the stored UTC time by the zone's offset
when it is the same all month, and falls back to Django's conversion across a daylight-saving change."""
import datetime
from decimal import Decimal

from django.utils import timezone

from ledgers.models import Problem
from reports.summaries import Month, unit_month_row

NOV = Month(2026, 11)


def closed_problem(year, unit, inspector, found, closed_local):
    return Problem.objects.create(year=year, unit=unit, description="楼道有垃圾", found_on=found,
                                  deadline=found + datetime.timedelta(days=1), status="closed",
                                  closed_at=timezone.make_aware(closed_local), raised_by=inspector)


def test_a_problem_closed_just_after_local_midnight_counts_the_local_day(year, school_a, inspector):
    # 00:30 in Beijing on 11-06 is still 11-05 in UTC: 5 days, not 4.
    closed_problem(year, school_a, inspector, datetime.date(2026, 11, 1), datetime.datetime(2026, 11, 6, 0, 30))
    # 23:30 on 11-10 in Beijing is 15:30 UTC the same day: 2 days.
    closed_problem(year, school_a, inspector, datetime.date(2026, 11, 8), datetime.datetime(2026, 11, 10, 23, 30))
    row = unit_month_row(NOV, school_a, today=datetime.date(2026, 12, 5))
    assert (row.problems_closed, row.close_days_total, row.average_close_days) == (2, 7, Decimal("3.5"))


def test_days_to_close_across_a_daylight_saving_change(year, school_a, inspector):
    # New York leaves daylight saving time on 2026-11-01: the month has two offsets.
    with timezone.override("America/New_York"):
        closed_problem(year, school_a, inspector, datetime.date(2026, 11, 1), datetime.datetime(2026, 11, 3, 23, 30))
        closed_problem(year, school_a, inspector, datetime.date(2026, 11, 20), datetime.datetime(2026, 11, 20, 0, 15))
        row = unit_month_row(NOV, school_a, today=datetime.date(2026, 12, 5))
    assert (row.problems_closed, row.close_days_total) == (2, 2)
