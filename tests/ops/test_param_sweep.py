"""Junk in query parameters never gives a 500: a sweep over every URL pattern of the site (the
Django admin aside), every query parameter its view reads, a fixed list of junk values, for every
role. Bad values get the page with a form error, or 400/404.

While sweeping, `request.GET` records every key a view reads (`.get`, `[...]`, `getlist`, `in`):
a view that reads a parameter not declared in PARAMS below fails the test, so a parameter added
later is swept too. Adding a URL: one line in PARAMS (its GET parameters) and, when its pattern
takes arguments other than a ledger `<int:pk>` already in RECORDS, one line in ARGS.
"""
import time
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from ledgers.models import Bulletin
from reports.jobs import start_job
from reports.models import PublishedReport
from reports.summaries import Month
from tests.ledgers.checks.factories import indicator, template  # noqa: F401 (fixtures)
from tests.ops.test_url_sweeps import RECORDS, make_records

# URL name -> the GET parameters its view reads. Every URL of the site is swept; one without
# an entry here reads none.
PARAMS = {
    "login": ["next"],
    "ledgers:indicator_list": ["year", "bureau"],
    "ledgers:indicator_import": ["year"],
    "ledgers:task_matrix": ["year", "kind", "status", "indicator", "page", "bureau", "unit"],
    "ledgers:my_tasks": ["year"],
    "ledgers:notification_list": ["page"],
    "ledgers:task_create": ["year"],
    "ledgers:task_edit": ["year"],
    "ledgers:task_import": ["year"],
    "ledgers:checklist_import": ["year"],
    "ledgers:letter_list": ["year", "status", "bureau"],
    "ledgers:letter_targets": ["year"],
    "ledgers:letter_year_pdf": ["year", "bureau"],
    "ledgers:activity_list": ["unit", "month", "category", "indicator", "status", "page", "bureau"],
    "ledgers:activity_stats": ["month", "empty", "bureau"],
    "ledgers:binder_pdf": ["unit", "year", "period"],
    "ledgers:binder_zip": ["unit", "year", "period"],
    "ledgers:check_list": ["week", "unit", "kind", "status", "page", "bureau"],
    "ledgers:check_create": ["template", "unit"],
    "ledgers:problem_list": ["unit", "status", "week", "kind", "indicator", "overdue", "page", "bureau"],
    "ledgers:problem_export": ["unit", "status", "week", "kind", "indicator", "overdue", "bureau"],
    "ledgers:problem_create": ["check", "item"],
    "ledgers:bulletin_list": ["page"],
    "ledgers:district_create": [],
    # 领导包抓 · 督导组包督查 · 问责 · the bureau's units and people, robots (issue 30)
    "ledgers:oversight_list": ["year", "bureau", "q", "leader", "group"],
    "ledgers:oversight_import": ["year"],
    "ledgers:group_list": ["year", "bureau"],
    "ledgers:group_create": ["year"],
    "ledgers:case_list": ["year", "status", "unit", "mine", "page", "bureau"],
    "ledgers:unit_list": ["bureau", "q", "kind", "active", "page"],
    "ledgers:user_list": ["bureau", "q", "role", "unit", "state", "page"],
    "ledgers:user_create": ["unit"],
    "ledgers:robot_list": ["bureau"],
    "ledgers:delivery_list": ["bureau", "status", "channel", "page"],
    "reports:accountability_pdf": ["year", "unit"],
    "reports:dashboard": ["bureau"],
    "reports:monthly": ["unit", "bureau"],
    "reports:monthly_pdf": ["unit", "bureau"],
    "reports:monthly_xlsx": ["unit", "bureau"],
    "reports:monthly_publish": ["unit", "bureau"],
    # the ledgers' documents, rendered in reports/ (reachable under both names)
    "reports:letter_year_pdf": ["year", "bureau"],
    "reports:binder_pdf": ["unit", "year", "period"],
    "reports:binder_zip": ["unit", "year", "period"],
    "ledgers:bureau_binder": ["year", "period", "bureau"],
    "reports:bureau_binder": ["year", "period", "bureau"],
    "reports:problem_export": ["unit", "status", "week", "kind", "indicator", "overdue", "bureau"],
    "reports:import_template": ["year"],
    # year-end assessment
    "ledgers:assessment_scheme": ["year", "bureau"],
    "ledgers:assessment_scheme_create": ["year"],
    "ledgers:assessment_thresholds": ["year"],
    "ledgers:assessment_adjustments": ["year", "bureau"],
    "reports:assessment": ["unit", "as_of", "kind", "bureau"],
    "reports:assessment_pdf": ["unit", "as_of", "kind", "bureau"],
    "reports:assessment_xlsx": ["unit", "as_of", "kind", "bureau"],
    "reports:assessment_publish": ["unit", "as_of", "kind", "bureau"],
    "reports:assessment_catalog": ["unit", "bureau"],
    # 问卷调查
    "ledgers:question_list": ["bureau", "kind", "audience"],
    "ledgers:question_import": ["year"],
    "ledgers:survey_list": ["year", "bureau"],
    "ledgers:survey_detail": ["unit"],
    "reports:survey_poster": ["unit"],
    "reports:survey_responses": ["unit"],
    "answer:start": ["who", "grade"],
}

# URL name -> its URL arguments, from the `records` fixture (ledger <int:pk> URLs come from RECORDS).
ARGS = {
    "reports:monthly": lambda r: {"month": Month.containing(timezone.localdate())},
    "reports:monthly_pdf": lambda r: {"month": Month.containing(timezone.localdate())},
    "reports:monthly_xlsx": lambda r: {"month": Month.containing(timezone.localdate())},
    "reports:monthly_publish": lambda r: {"month": Month.containing(timezone.localdate())},
    "reports:published_file": lambda r: {"pk": r["published"].pk, "fmt": "pdf"},
    **{f"{ns}:{name}": (lambda key: lambda r: {"pk": r[key].pk})(key)
       for ns in ("ledgers", "reports")
       for name, key in (("bulletin_pdf", "bulletin"), ("bulletin_publish", "bulletin"), ("letter_pdf", "letter"))},
    "reports:import_template": lambda r: {"kind": "tasks"},
    "reports:login_slips": lambda r: {"pk": r["import_upload"].pk},
    "reports:job_detail": lambda r: {"pk": r["job"].pk},
    "reports:job_status": lambda r: {"pk": r["job"].pk},
    "reports:job_file": lambda r: {"pk": r["job"].pk},
    "reports:job_retry": lambda r: {"pk": r["job"].pk},
    "reports:assessment": lambda r: {"year": 2026},
    "reports:assessment_pdf": lambda r: {"year": 2026},
    "reports:assessment_xlsx": lambda r: {"year": 2026},
    "reports:assessment_publish": lambda r: {"year": 2026},
    "reports:assessment_catalog": lambda r: {"year": 2026, "fmt": "pdf"},
    "reports:robot_test": lambda r: {"pk": r["webhook"].pk},
    "reports:survey_poster": lambda r: {"pk": r["survey"].pk},
    "reports:survey_responses": lambda r: {"pk": r["survey"].pk},
    "answer:start": lambda r: {"token": r["survey_link"].token},
    "answer:result": lambda r: {"token": r["survey_link"].token},
}

JUNK = ["abc", "²", "\x00", "9" * 30, "9999", "10000", "9999-12", "9999-W52", "-1", "", "x" * 3000]


def url_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


URL_NAMES = sorted(set(url_names()))


def url_of(name, objects):
    if name in ARGS:
        return reverse(name, kwargs=ARGS[name](objects))
    short = name.split(":")[-1]
    if name.split(":")[0] in ("ledgers", "reports") and short in RECORDS:
        key, extra = RECORDS[short]
        return reverse(name, kwargs={"pk": objects[key].pk, **extra})
    return reverse(name)


READS = {}
CURRENT = [None]


class RecordingQueryDict(QueryDict):
    def _record(self, key):
        if CURRENT[0]:
            READS.setdefault(CURRENT[0], set()).add(key)

    def __getitem__(self, key):
        self._record(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._record(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._record(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._record(key)
        return super().__contains__(key)


def _recording_get(request):
    if "_recording_get" not in request.__dict__:
        request.__dict__["_recording_get"] = RecordingQueryDict(request.META.get("QUERY_STRING", ""),
                                                                encoding=request._encoding)
    return request.__dict__["_recording_get"]


def _set_get(request, value):
    request.__dict__["_recording_get"] = value


@pytest.fixture
def records(year, admin_user, inspector, liaison2, school_a, school_b, template, indicator):  # noqa: F811
    return make_records(year, admin_user, inspector, liaison2, school_a, school_b, template, indicator)


@pytest.fixture
def sweep_objects(records, admin_user, school_b):  # noqa: F811
    published = PublishedReport.objects.create(period="2026-05", unit=school_b, title="2026年5月分析小结",
                                               published_by=admin_user)
    published.pdf.save("reports/x.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    published.xlsx.save("reports/x.xlsx", ContentFile(b"PK test"), save=True)
    job, _joined = start_job(user=admin_user, kind="letters_year", params={"year": "2026"})
    return {**records, "published": published, "job": job}


@pytest.fixture
def pdf_once_per_html(monkeypatch):
    """WeasyPrint lays out each distinct HTML document once; the same HTML again (junk a view
    ignores gives the same document) gets the bytes of the first rendering. Every document a
    request produces still goes through WeasyPrint at least once, so a crash is still caught."""
    from reports import pdf

    real, rendered = pdf.render_html_to_pdf, {}

    def render_html_to_pdf(html, target=None):
        if target is not None:
            return real(html, target)
        if html not in rendered:
            rendered[html] = real(html)
        return rendered[html]

    monkeypatch.setattr(pdf, "render_html_to_pdf", render_html_to_pdf)
    return rendered


def test_params_and_args_name_existing_urls():
    assert not set(PARAMS) - set(URL_NAMES), "PARAMS names a URL that does not exist"
    assert not set(ARGS) - set(URL_NAMES), "ARGS names a URL that does not exist"


@pytest.mark.django_db
def test_no_url_answers_junk_query_parameters_with_a_500(sweep_objects, client_for, admin_user, inspector,
                                                          leader, liaison2, monkeypatch, pdf_once_per_html):
    monkeypatch.setattr(WSGIRequest, "GET", property(_recording_get, _set_get))
    READS.clear()
    clients = {user.username: client_for(user) for user in (admin_user, inspector, leader, liaison2)}
    roles = sorted(clients)
    for client in clients.values():
        client.raise_request_exception = False  # collect every 500, not just the first
    failures, swept, seconds = {}, 0, {}
    for name in URL_NAMES:
        url = url_of(name, sweep_objects)
        CURRENT[0] = name
        started = time.perf_counter()
        try:
            # Every role opens the page plain, and every parameter with every junk value; the roles
            # take turns over the junk values (each role meets every parameter), which keeps the
            # sweep near a thousand requests.
            requests = [(role, {}) for role in roles]
            requests += [(roles[(i + j) % len(roles)], {param: junk})
                         for i, param in enumerate(PARAMS.get(name, [])) for j, junk in enumerate(JUNK)]
            for role, query in requests:
                response = clients[role].get(url, query)
                swept += 1
                if response.status_code >= 500:
                    failures.setdefault(f"GET {name} {query!r:.60}", []).append(role)
        finally:
            CURRENT[0] = None
            seconds[name] = time.perf_counter() - started
    uncovered = {name: sorted(keys - set(PARAMS.get(name, []))) for name, keys in READS.items()}
    uncovered = {name: keys for name, keys in uncovered.items() if keys}
    slowest = sorted(seconds.items(), key=lambda item: -item[1])[:8]
    print(f"swept {swept} requests ({len(pdf_once_per_html)} distinct PDFs); slowest URLs: "
          + ", ".join(f"{n} {s:.1f} s" for n, s in slowest))
    assert not failures, f"{len(failures)} URL/parameter/value combinations answered 500 (of {swept} requests):\n" + \
        "\n".join(f"{what} as {', '.join(roles)}" for what, roles in list(failures.items())[:80])
    assert not uncovered, f"views read query parameters the sweep does not cover; add them to PARAMS: {uncovered}"


@pytest.mark.django_db
def test_recorder_catches_an_undeclared_parameter(client_for, admin_user, year, monkeypatch):
    """The check above works: a view reading ?year= is recorded."""
    monkeypatch.setattr(WSGIRequest, "GET", property(_recording_get, _set_get))
    READS.clear()
    CURRENT[0] = "probe"
    try:
        client_for(admin_user).get(reverse("ledgers:letter_list"))
    finally:
        CURRENT[0] = None
    assert {"year", "status"} <= READS["probe"]


@pytest.mark.django_db
@pytest.mark.parametrize("week", ["9999-W52", "10000-W01", "2026-W99", "²-W1", "\x00"])
def test_bulletin_for_an_impossible_week_is_refused_with_a_form_error(week, client_for, inspector, year):
    response = client_for(inspector).post(reverse("ledgers:bulletin_create"), {"week": week})
    assert response.status_code == 400
    assert "周次" in response.content.decode()
    assert not Bulletin.objects.exists()


def test_month_helper_refuses_out_of_range_months():
    from ledgers.params import parse_month, to_int

    assert parse_month("2026-05") == date(2026, 5, 1)
    for junk in JUNK:
        assert parse_month(junk) is None, junk
    assert to_int("²") is None and to_int("12") == 12 and to_int("9" * 30) is None
