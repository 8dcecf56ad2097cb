"""The rules of ledgers/rules.py one by one: each written once, and every place that used to
write its own copy now agreeing with it (semesters, week bounds, rounding, periods, the new
deadline of a rejected problem, the check form's warning, the table of docs/rules.md)."""
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ledgers import rules
from ledgers.models import Frequency, Period, Problem, ProblemStatus, ProgressEntry, Task, TaskAssignment
from ledgers.services import problems as problem_service
from ledgers.services import tasks as task_service
from tests.ledgers.checks.factories import jpeg, make_check, make_problem

D = datetime.date


def test_the_docs_state_the_rules_as_the_reports_print_them():
    page = (Path(settings.BASE_DIR) / "docs" / "rules.md").read_text(encoding="utf-8")
    for label, text in rules.notes():
        assert f"| {label} | {text} |" in page, label


def test_semesters_are_defined_once_for_the_parser_the_assessment_and_the_binder(year):
    from ledgers.imports import parse_deadline
    from reports.assessment import period_key, period_spans
    from reports.binder import period_bounds

    for spring_end in (None, D(2026, 7, 10)):
        year.spring_term_end = spring_end
        end = spring_end or D(2026, 7, 31)
        parsed = parse_deadline("每学期", year).periods
        assert parsed == [("春季学期", D(2026, 1, 1), end), ("秋季学期", end + datetime.timedelta(days=1), D(2026, 12, 31))]
        assert [(s.label, s.start, s.end) for s in period_spans(Period.SEMESTER, year)] == parsed
        assert period_key(Period.SEMESTER, end, year) == "S1"
        assert period_key(Period.SEMESTER, end + datetime.timedelta(days=1), year) == "S2"
        assert period_bounds(year, "autumn") == (end + datetime.timedelta(days=1), D(2027, 1, 1))


def test_week_bounds_are_one_function(year, inspector):
    from ledgers.services.bulletins import bulletin_create, week_bounds

    bulletin = bulletin_create(user=inspector, iso_year=2026, iso_week=10)
    assert week_bounds is rules.week_bounds
    assert (bulletin.week_start, bulletin.week_end) == rules.week_bounds(2026, 10) == (D(2026, 3, 2), D(2026, 3, 8))


def test_the_campaign_years_weeks_are_cut_at_its_bounds():
    weeks = rules.weeks(2026)
    assert (weeks[0].label, weeks[0].start, weeks[0].end) == ("第1周", D(2026, 1, 1), D(2026, 1, 4))
    assert (weeks[-1].label, weeks[-1].end) == ("第53周", D(2026, 12, 31))
    assert rules.weeks(2027)[0].label == "2026年第53周"


@pytest.mark.parametrize("total, maximum, shown", [("32.9", 40, "82.3"), ("82.25", 100, "82.3"), ("17", 20, "85.0")])
def test_one_rounding_of_score_rates_halves_up(total, maximum, shown):
    assert str(rules.score_rate(Decimal(total), Decimal(maximum))) == shown


def test_a_checks_rate_is_the_same_on_its_page_the_ranking_and_the_trend(inspector, school_a, small_template,
                                                                         client_for):
    from ledgers.services.ranking import score_ranking
    from ledgers.models import Check
    from reports.summaries import weekly_score_trend

    day = timezone.localdate()
    check = make_check(inspector, school_a, small_template, [8], date=day)
    Check.objects.filter(pk=check.pk).update(total=Decimal("32.9"), max_total=Decimal(40))  # a 40-point form
    check.refresh_from_db()
    assert check.percent == Decimal("82.3")
    assert score_ranking(Check.objects.all())[0]["rate"] == Decimal("82.3")
    assert dict(weekly_score_trend(day.isocalendar()[0], unit=school_a))[day.isocalendar()[1]] == Decimal("82.3")
    assert 'data-testid="rate">82.3%<' in client_for(inspector).get(check.get_absolute_url()).content.decode()


def test_two_checks_of_one_template_in_a_week_are_one_figure_and_drafts_none(inspector, school_a, school_b,
                                                                            template, small_template):
    from ledgers.models import Check
    from ledgers.services.ranking import score_ranking

    make_check(inspector, school_a, template, [20, 15, 10])  # 45 / 50 → 90
    make_check(inspector, school_a, template, [10, 10, 10])  # 30 / 50 → 60
    make_check(inspector, school_a, small_template, [8])  # 80
    make_check(inspector, school_a, small_template, [1], submit=False)  # a draft: never counted
    make_check(inspector, school_b, template, [20, 14, 5])  # 39 / 50 → 78
    ranking = {r["unit"]: r for r in score_ranking(Check.objects.all())}
    a = ranking[school_a.name]
    assert (a["checks"], a["figures"], a["rate"], a["rank"]) == (3, 2, Decimal("77.5"), 2)  # (75 + 80) / 2
    assert ranking[school_b.name]["rank"] == 1


def test_the_check_form_shows_the_weeks_submitted_check_and_asks_before_a_second(inspector, school_a, template,
                                                                                client_for):
    from ledgers.models import Check

    first = make_check(inspector, school_a, template, [20, 15, 10], date=timezone.localdate())
    client = client_for(inspector)
    url = reverse("ledgers:check_create") + f"?template={template.pk}&unit={school_a.pk}"
    page = client.get(url).content.decode()
    assert 'data-testid="same-week"' in page and first.get_absolute_url() in page and "按平均分计一次" in page
    items = list(template.items.all())
    data = {"template": template.pk, "unit": school_a.pk, "date": first.date.isoformat(), "kind": "routine",
            "inspectors": [inspector.pk], "remarks": "复查", "submit": "1",
            **{f"score_{item.pk}": "10" for item in items}}
    response = client.post(reverse("ledgers:check_create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "仍然提交" in page
    assert re.search(r">\s*复查</textarea>", page)  # what was typed is kept
    assert Check.objects.count() == 1
    response = client.post(reverse("ledgers:check_create"), {**data, "same_week_ok": "1"})
    assert response.status_code == 302 and Check.objects.submitted().count() == 2


def test_a_rejected_problem_runs_to_its_new_deadline(year, inspector, inspector2, liaison, school_a, client_for):
    today = timezone.localdate()
    problem = make_problem(inspector, school_a, found_on=today, deadline=today)
    problem_service.problem_submit_rectification(problem=problem, user=liaison, note="已整改", photos=[jpeg()])
    with pytest.raises(Exception, match="新的整改时限不能早于今天"):
        problem_service.problem_reject(problem=problem, user=inspector2, reason="未整改到位",
                                       deadline=today - datetime.timedelta(days=1))
    page = client_for(inspector2).get(problem.get_absolute_url()).content.decode()
    assert 'name="deadline"' in page and (today + datetime.timedelta(days=1)).isoformat() in page  # 日结日清
    response = client_for(inspector2).post(problem.get_absolute_url(), {
        "action": "reject", "note": "未整改到位", "deadline": (today + datetime.timedelta(days=3)).isoformat()},
        follow=True)
    problem.refresh_from_db()
    assert (problem.status, problem.deadline) == (ProblemStatus.RECTIFYING, today + datetime.timedelta(days=3))
    assert f"新的整改时限 {problem.deadline:%Y-%m-%d}" in response.content.decode()
    assert problem.events.get(action="reject").deadline == problem.deadline
    assert not problem.is_overdue()
    assert problem.overdue_days_on(today + datetime.timedelta(days=5)) == 2  # from the deadline in force


def test_an_answer_in_time_waiting_for_the_recheck_is_the_inspectors_figure(year, inspector, liaison, school_a):
    today = timezone.localdate()
    problem = make_problem(inspector, school_a, found_on=today - datetime.timedelta(days=6),
                           deadline=today - datetime.timedelta(days=5))
    problem_service.problem_submit_rectification(problem=problem, user=liaison, note="已整改", photos=[jpeg()])
    Problem.objects.filter(pk=problem.pk).update(rectified_at=timezone.now() - datetime.timedelta(days=6))
    problem.refresh_from_db()
    assert not Problem.objects.overdue().exists()
    assert list(Problem.objects.recheck_overdue()) == [problem]
    assert problem.overdue_days_on(today - datetime.timedelta(days=3)) == 0
    # As of a day before the answer, it was the unit's and overdue.
    assert rules.overdue_days_of(ProblemStatus.REVIEW, problem.deadline, timezone.now(), None,
                                 today - datetime.timedelta(days=1)) == 4


def test_every_recurring_task_has_its_periods_however_it_is_made(year, admin_user, school_a):
    weekly = task_service.task_save(task=Task(year=year, title="每周发布文明博文", frequency=Frequency.WEEKLY),
                                    units=[school_a], user=admin_user)
    assert weekly.period_deadlines.count() == 53 and weekly.deadline == D(2026, 12, 31)
    term = task_service.task_save(task=Task(year=year, title="家长学校", frequency=Frequency.TERM),
                                  units=[school_a], user=admin_user)
    assert [p.label for p in term.period_deadlines.all()] == ["春季学期", "秋季学期"]
    year.spring_term_end = D(2026, 7, 10)
    year.save()
    task_service.year_periods_sync(year=year)
    assert term.period_deadlines.first().due == D(2026, 7, 10)


def monthly_assignment(year, admin_user, unit):
    """A 每月 task given on 2 January, and the unit's assignment."""
    task = task_service.task_save(task=Task(year=year, title="每月自查", frequency=Frequency.MONTHLY),
                                  units=[unit], user=admin_user)
    Task.objects.filter(pk=task.pk).update(created_at=timezone.make_aware(datetime.datetime(2026, 1, 2, 9)))
    return task, TaskAssignment.objects.get(task=task)


def report(assignment, liaison, day):
    """A progress entry dated `day` and entered that day."""
    entry = task_service.progress_add(assignment=assignment, user=liaison, date=day, content="自查")
    ProgressEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(17))))


def test_a_period_without_a_report_is_overdue_in_sql_and_in_python_alike(year, admin_user, liaison, school_a):
    task, assignment = monthly_assignment(year, admin_user, school_a)
    report(assignment, liaison, D(2026, 2, 10))
    for today, overdue in ((D(2026, 2, 1), True), (D(2026, 1, 31), False), (D(2026, 3, 1), True)):
        sql = TaskAssignment.objects.filter(pk=assignment.pk).overdue(today).exists()
        items = TaskAssignment.objects.with_items().get(pk=assignment.pk).items(today)
        assert sql == any(i.overdue for i in items) == overdue, today
    missed = [i.missed_label for i in TaskAssignment.objects.with_items().get(pk=assignment.pk).items(D(2026, 4, 5))
              if i.overdue]
    assert missed == ["1月 未报", "3月 未报"]
    with pytest.raises(task_service.MoveRefused, match="1月、"):
        task_service.assignment_complete(assignment=assignment, user=liaison)
    # A period over before the task was given is nobody's.
    Task.objects.filter(pk=task.pk).update(created_at=timezone.make_aware(datetime.datetime(2026, 2, 5, 9)))
    assert [i.label for i in TaskAssignment.objects.with_items().get(pk=assignment.pk).items(D(2026, 4, 5))
            if i.overdue] == ["3月"]


def test_the_month_summary_counts_due_done_and_overdue_per_period(year, admin_user, liaison, school_a):
    from reports.summaries import Month, unit_month_row

    _task, assignment = monthly_assignment(year, admin_user, school_a)
    report(assignment, liaison, D(2026, 3, 10))
    row = unit_month_row(Month(2026, 3), school_a, today=D(2026, 4, 2))
    assert (row.tasks_due, row.tasks_done, row.tasks_overdue) == (1, 1, 2)  # March done; January, February missed


def test_no_figure_label_is_written_with_a_different_rule_in_code():
    """The removed copies stay removed: no `deadline__lt` next to an open() outside ledgers/rules.py."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in [*root.glob("ledgers/**/*.py"), *root.glob("reports/**/*.py")]:
        if "migrations" in path.parts or "management" in path.parts or path.name == "rules.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"open\(\)\.filter\(deadline__lt|task__deadline__lt=today", text):
            offenders.append(str(path.relative_to(root)))
    assert not offenders, offenders


def test_the_rules_name_the_statuses_the_models_define():
    """rules.py sits below the models and names statuses by value: the values must be the models'."""
    from ledgers.models import AssignmentStatus

    assert set(rules.AWAITING) == {ProblemStatus.OPEN, ProblemStatus.RECTIFYING}
    assert rules.REVIEW == ProblemStatus.REVIEW
    assert rules.DONE == AssignmentStatus.DONE
