"""The demo's checks, problems and bulletins cover what a bureau would want to show."""
from django.core.management import call_command

from ledgers.models import Bulletin, Check, CheckTemplate, Problem, ProblemStatus


def test_demo_has_templates_weeks_of_checks_problems_in_every_status_and_two_bulletins(db):
    call_command("load_demo")
    counts = (CheckTemplate.objects.count(), Check.objects.count(), Problem.objects.count())
    call_command("load_demo")
    assert (CheckTemplate.objects.count(), Check.objects.count(), Problem.objects.count()) == counts
    assert counts[0] == 3
    assert Check.objects.values("iso_week").distinct().count() >= 12
    assert set(Problem.objects.values_list("status", flat=True)) == set(ProblemStatus.values)
    assert Problem.objects.overdue().exists()
    assert not Problem.objects.filter(status__in=["review", "closed"], photos__stage="after").count() == 0
    # Each district numbers its own bulletins (郾城区's inspector drafted 郾城区's).
    assert sorted(Bulletin.objects.published().filter(created_by__username="inspector").values_list(
        "number", flat=True)) == [1, 2]
    assert Problem.objects.filter(unit__users__username="liaison").open().exists()
