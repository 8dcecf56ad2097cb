"""The month page's unit cards and table rows are written in Python (report_tags.unit_cards and
unit_table_rows, kept for speed: see there). They must write exactly what their templates,
templates/reports/monthly/_unit_cards.html and _unit_table_rows.html, write: compared character for
character, each way first, on fresh rows and a fresh request each time (nothing one rendering
leaves behind can hide a difference), for every kind of figure a row can hold."""
from decimal import Decimal

import pytest
from django.template import engines
from django.template.loader import get_template
from django.test import RequestFactory

from ledgers.models import Unit, UnitKind
from reports.summaries import UnitRow

PAIRS = [("reports/monthly/_unit_cards.html", "unit_cards"),
         ("reports/monthly/_unit_table_rows.html", "unit_table_rows")]


def make_rows(school_a, other):
    """New rows each call: every field at zero or None, small and large, true and false."""
    return [
        UnitRow(school_a.pk, school_a.name, school_a.kind, tasks_due=3, tasks_done=2, tasks_overdue=1, checks=2,
                average_score=Decimal("88.5"), score_rate=Decimal("88.5"), rank=1, problems_found=4,
                problems_closed=1, problems_open=3, problems_overdue=2, close_days_total=7, activities=5,
                photos=12, letter_signed=True),
        UnitRow(other.pk, other.name, other.kind),  # nothing this month: no rank, no archive, unsigned
        UnitRow(other.pk, other.name, other.kind, tasks_due=1, tasks_done=1, problems_closed=3,
                close_days_total=10, rank=2, score_rate=Decimal("100.0"), activities=1, checks=1, vetoed=1),
        UnitRow(school_a.pk, school_a.name, school_a.kind, tasks_due=12345, tasks_done=1234, checks=1000,
                score_rate=Decimal("0.0"), rank=330, problems_found=99999, problems_open=99999,
                problems_overdue=99999, activities=1500, photos=1234567),
        UnitRow(other.pk + 1000, 'no such unit "<x>"', UnitKind.SECTION, rank=3, tasks_overdue=2,
                letter_signed=True),
    ]


def render_template(name, user, rows):
    request = RequestFactory().get("/")
    request.user = user
    return get_template(name).render({"ranked_rows": rows, "user": user}, request)


def render_tag(tag, user, rows):
    request = RequestFactory().get("/")
    request.user = user
    return engines["django"].from_string(f"{{% load report_tags %}}{{% {tag} ranked_rows %}}").render(
        {"ranked_rows": rows, "user": user}, request)


@pytest.mark.parametrize("thousands", [False, True])
@pytest.mark.parametrize("who", ["inspector", "city_inspector"])
@pytest.mark.parametrize("template_first", [True, False])
def test_the_tags_write_exactly_what_their_templates_write(request, settings, who, template_first, thousands,
                                                            school_a, district2):
    settings.USE_THOUSAND_SEPARATOR = thousands
    user = request.getfixturevalue(who)
    other = Unit.objects.create(name="二区<学校>&\"'", kind=UnitKind.SCHOOL, code="x2", bureau=district2)
    for template, tag in PAIRS:
        if template_first:
            expected = render_template(template, user, make_rows(school_a, other))
            written = render_tag(tag, user, make_rows(school_a, other))
        else:
            written = render_tag(tag, user, make_rows(school_a, other))
            expected = render_template(template, user, make_rows(school_a, other))
        assert written == expected, tag
        assert "二区&lt;学校&gt;&amp;&quot;&#x27;" in written and "99999" in written.replace(",", "")


def test_the_comparison_sees_a_one_character_difference(inspector, school_a, district2, monkeypatch):
    from reports.templatetags import report_tags

    other = Unit.objects.create(name="二区学校", kind=UnitKind.SCHOOL, code="x2", bureau=district2)
    monkeypatch.setattr(report_tags, "_red", lambda flag: " red " if flag else "")
    assert render_tag("unit_table_rows", inspector, make_rows(school_a, other)) != render_template(
        "reports/monthly/_unit_table_rows.html", inspector, make_rows(school_a, other))
