"""The liaison's home page puts what needs doing first."""
from django.urls import reverse

from tests.ledgers.checks.factories import make_problem


def test_liaison_home_lists_open_problems_before_the_activity_archive(client_for, inspector, liaison, year):
    make_problem(inspector, liaison.unit, description="操场东侧有积水")
    html = client_for(liaison).get(reverse("home")).content.decode()
    assert "操场东侧有积水" in html
    assert html.index("操场东侧有积水") < html.index("新建活动档案")
