"""Three pieces of HTML are written in Python beside the templates they copy, kept for speed (each
module says what it saves): crispy-forms' field templates (wenming/templatetags/crispy_fast.py),
Django's widget templates (wenming/form_renderer.py) and the month page's unit rows
(reports/templatetags/report_tags.py, templates/reports/monthly/_unit_*.html).

Every page of the ledgers (each URL pattern, with school_b's records), the report pages, the
sign-in and password pages, and a refused submission of each main form are rendered with the
Python copies and with the templates only, in both orders, as the unit's liaison and as the
bureau's admin; the two must be the same page (tests/html_tokens.py: tags, attributes and text
exactly, runs of whitespace as one space). Cached parts are made again for every rendering.
"""
import re
from contextlib import contextmanager

import pytest
from crispy_forms.templatetags import crispy_forms_filters
from django.template import Library
from django.template import engines
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ledgers import versions
from reports.summaries import Month
from reports.templatetags import report_tags
from tests.html_tokens import tokens
from tests.ops.test_url_sweeps import PATTERNS, records, shared_records, url_of  # noqa: F401 (fixtures)
from tests.shared import (admin_user, indicator, inspection_office, inspector, liaison2,  # noqa: F401
                          media_location, module_db, school_a, school_b, section, template, year)

# The same on any database (HTML written in Python against the templates it copies):
# bin/test runs these in the SQLite phase only.
pytestmark = pytest.mark.database_independent

# What the Python copies write on a page: a form field, a select, the month's unit rows.
WRITTEN = re.compile(r'class="[^"]*\bform-(?:control|select|check-input)\b|<select\b|<textarea\b|class="unit-card')

# Values made afresh for every rendering (a CSRF token, an upload batch's id).
RANDOM = re.compile(r'(name="(?:csrfmiddlewaretoken|capture_batch)" value=")[^"]+"')

# Refused submissions (the form comes back with its errors): (who, URL name, data).
REFUSED = [
    ("admin_user", "ledgers:task_create", {"title": "", "deadline": "2026-13-40", "units": ["x"]}),
    ("admin_user", "ledgers:problem_create", {"description": "", "deadline": "x", "unit": "0"}),
    ("admin_user", "ledgers:check_create", {"date": "", "unit": "0", "kind": "zz"}),
    ("liaison2", "ledgers:activity_create", {"title": "", "date": "2026-02-30", "place": "<b>礼堂</b>"}),
    ("liaison2", "password_change", {"old_password": "x", "new_password1": "a", "new_password2": "b"}),
    (None, "login", {"username": "liaison2", "password": "wrong"}),
]


def _template_rows(name):
    def tag(context, rows):
        return get_template(name).render({"ranked_rows": rows, "user": context.get("user")}, context.get("request"))
    return tag


@contextmanager
def templates_only(settings):
    """Django's widget templates, crispy's templates and the month rows' templates instead of the
    Python copies, for the pages rendered inside."""
    engine = engines["django"].engine
    rows = Library()
    rows.filters.update(report_tags.register.filters)
    rows.tags.update(report_tags.register.tags)
    rows.simple_tag(_template_rows("reports/monthly/_unit_cards.html"), takes_context=True, name="unit_cards")
    rows.simple_tag(_template_rows("reports/monthly/_unit_table_rows.html"), takes_context=True,
                    name="unit_table_rows")
    libraries = dict(engine.template_libraries)
    engine.template_libraries.update({"crispy_fast": crispy_forms_filters.register, "report_tags": rows})
    renderer, settings.FORM_RENDERER = settings.FORM_RENDERER, "django.forms.renderers.DjangoTemplates"
    _reset(engine)
    try:
        yield
    finally:
        engine.template_libraries.clear()
        engine.template_libraries.update(libraries)
        settings.FORM_RENDERER = renderer
        _reset(engine)


def _reset(engine):
    for loader in engine.template_loaders:  # compiled templates hold the filters and tags they loaded
        loader.reset()


def page(request_page):
    versions.clear()  # every cached part made again
    response = request_page()
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return None
    html = response.content.decode()
    return RANDOM.sub(r'\1"', html)


def same_both_ways(settings, request_page, *, get=True):
    """Renders the page with the Python copies and with templates only, each first once; False when
    the page is not an HTML page or nothing on it is written by the copies."""
    if get:
        request_page()  # shows (and so drops) any message an earlier redirect left
    fast = page(request_page)
    if fast is None or not WRITTEN.search(fast):
        return False
    with templates_only(settings):
        slow = page(request_page)
        slow_first = page(request_page)
    assert tokens(fast) == tokens(slow)
    assert tokens(page(request_page)) == tokens(slow_first)
    return True


def pages_of(records):
    month = Month.containing(timezone.localdate())
    yield from (url_of(name, records) for name in sorted(PATTERNS))
    yield from (reverse(f"reports:{name}") for name in ("dashboard", "monthly_index", "downloads", "assessment_index"))
    yield reverse("reports:monthly", args=[month])
    yield reverse("reports:assessment", args=[records["indicator"].year.year])
    yield from (reverse("home"), reverse("password_change"))


@pytest.mark.parametrize("who", ["liaison2", "admin_user"])
def test_every_page_is_the_same_with_the_python_copies_and_with_templates_only(who, request, records, settings,
                                                                               client_for):
    client = client_for(request.getfixturevalue(who))
    compared = [url for url in pages_of(records) if same_both_ways(settings, lambda: client.get(url))]
    assert len(compared) >= (8 if who == "liaison2" else 25), compared


@pytest.mark.parametrize("who, name, data", REFUSED, ids=[name for _, name, _ in REFUSED])
def test_a_refused_form_is_the_same_with_the_python_copies_and_with_templates_only(who, name, data, request, records,
                                                                                   settings, client_for):
    client = client_for(request.getfixturevalue(who)) if who else Client()
    assert same_both_ways(settings, lambda: client.post(reverse(name), data), get=False), name


def test_the_month_page_shows_its_rows_either_way(records, settings, client_for, inspector):  # noqa: F811
    url = reverse("reports:monthly", args=[Month.containing(timezone.localdate())])
    client = client_for(inspector)
    assert same_both_ways(settings, lambda: client.get(url))
    with templates_only(settings):
        assert 'class="unit-card' in page(lambda: client.get(url)) and "郾城区第二实验小学" in page(
            lambda: client.get(url))
