"""The status badges (one filter each, used by list rows and, through the _status.html includes, by the
detail pages): a colour per status, and 逾期 / 已上传文明网 beside it."""
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
    colour = {"open": "warning", "rectifying": "info", "review": "primary"}.get(status, "success")
    expected = f'<span class="badge text-bg-{colour}">{p.get_status_display()}</span>'
    if overdue:
        expected += ' <span class="badge text-bg-danger" data-testid="overdue">逾期</span>'
    assert problem_badge(p) == expected
    assert render_to_string("ledgers/problems/_status.html", {"p": p}).strip() == expected


@pytest.mark.parametrize("status", ActivityStatus.values)
@pytest.mark.parametrize("uploaded", [True, False])
def test_activity_badge(status, uploaded):
    a = A(status, uploaded)
    colour = {"approved": "success", "submitted": "primary", "returned": "danger"}.get(status, "secondary")
    expected = f'<span class="badge text-bg-{colour}">{a.get_status_display()}</span>'
    if uploaded:
        expected += '<br class="d-md-none"> <span class="badge text-bg-info">已上传文明网</span>'
    assert activity_badge(a) == expected
    assert render_to_string("ledgers/activities/_status.html", {"activity": a}).strip() == expected
