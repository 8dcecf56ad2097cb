"""The badge filters write the same HTML as the _status.html includes they replace in list rows."""
import pytest
from django.template.loader import render_to_string

from ledgers.models import ActivityStatus, ProblemStatus
from ledgers.templatetags.badges import activity_badge, problem_badge


class P:
    def __init__(self, status, overdue):
        self.status, self.overdue = status, overdue

    def get_status_display(self):
        return dict(ProblemStatus.choices)[self.status]


class A:
    def __init__(self, status, uploaded):
        self.status, self.uploaded_to_city = status, uploaded

    def get_status_display(self):
        return dict(ActivityStatus.choices)[self.status]


@pytest.mark.parametrize("status", ProblemStatus.values)
@pytest.mark.parametrize("overdue", [True, False])
def test_problem_badge(status, overdue):
    p = P(status, overdue)
    assert problem_badge(p) == render_to_string("ledgers/problems/_status.html", {"p": p}).strip()


@pytest.mark.parametrize("status", ActivityStatus.values)
@pytest.mark.parametrize("uploaded", [True, False])
def test_activity_badge(status, uploaded):
    a = A(status, uploaded)
    assert activity_badge(a) == render_to_string("ledgers/activities/_status.html", {"activity": a}).strip()
