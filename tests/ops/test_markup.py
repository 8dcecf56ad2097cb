"""Markup typed into any ledger text field is shown as text: escaped on pages, printed literally
in PDFs, never turned into an element (no script, no image fetch)."""
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ledgers.models import (Activity, ActivityCategory, ActivityPhoto, LetterTarget, ResponsibilityLetter, Task,
                            TaskAssignment)
from ledgers.services import activities as activity_service
from ledgers.services import bulletins as bulletin_service
from ledgers.services.letters import letters_generate
from ledgers.services.tasks import progress_add, task_save
from reports.pdf import StorageURLFetcher
from tests.ledgers.checks.factories import indicator, jpeg, make_check, make_problem, template  # noqa: F401 (fixtures)

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PAYLOAD = SCRIPT + IMG
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;"]


def assert_shown_as_text(page, escaped=True):
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    if escaped:
        for text in ESCAPED:
            assert text in page


def pdf_text(data):
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())  # pypdf may break lines anywhere


def assert_printed_literally(data):
    text = pdf_text(data)
    assert "<script>alert(1)</script>" in text
    assert "<imgsrc=xonerror=alert(1)>" in text


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks for while rendering PDFs in the test."""
    urls = []
    original = StorageURLFetcher.fetch

    def recording(self, url, headers=None):
        urls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StorageURLFetcher, "fetch", recording)
    return urls


def no_injected_fetch(urls):
    return not [u for u in urls if u == "x" or u.endswith("/x")]



@pytest.fixture
def activity(school_a, liaison, year):
    category = ActivityCategory.objects.ensure_defaults().first()
    activity = Activity.objects.create(unit=school_a, year=year, category=category, created_by=liaison,
                                       title=f"主题活动{PAYLOAD}", summary=f"简介{PAYLOAD}",
                                       place=f"地点{SCRIPT}", date=timezone.localdate())
    ActivityPhoto.build(jpeg(), uploaded_by=liaison, activity=activity, caption=f"说明{PAYLOAD}").save()
    return activity


def test_activity_text_is_escaped_on_every_page_that_shows_it(client_for, activity, liaison, inspector):
    for user in (liaison, inspector):
        browser = client_for(user)
        assert_shown_as_text(browser.get(activity.get_absolute_url()).content.decode())
        assert_shown_as_text(browser.get(reverse("ledgers:activity_list")).content.decode())
    form = client_for(liaison).get(reverse("ledgers:activity_edit", args=[activity.pk])).content.decode()
    assert_shown_as_text(form)


def test_binder_pdf_prints_activity_markup_literally_and_fetches_nothing(client_for, activity, liaison, fetched,
                                                                        run_jobs):
    from tests.reports.jobs.support import export_through_job

    activity_service.activity_submit(activity=activity, user=liaison)
    _job, data = export_through_job(client_for(liaison), reverse("reports:binder_pdf"), {"unit": activity.unit_id})
    assert_printed_literally(data)
    assert "简介" in pdf_text(data) and "说明" in pdf_text(data)
    assert any(u.startswith("storage:") for u in fetched)  # the photo itself is read from storage
    assert no_injected_fetch(fetched)


def test_problem_and_check_text_is_escaped(client_for, inspector, liaison, school_a, template):  # noqa: F811
    check = make_check(inspector, school_a, template, [18, 12, 12], remarks=f"检查情况{PAYLOAD}")
    problem = make_problem(inspector, school_a, description=f"问题{PAYLOAD}", check=check)
    staff, school = client_for(inspector), client_for(liaison)
    assert_shown_as_text(staff.get(check.get_absolute_url()).content.decode())
    for browser in (staff, school):
        assert_shown_as_text(browser.get(problem.get_absolute_url()).content.decode())
        assert_shown_as_text(browser.get(reverse("ledgers:problem_list")).content.decode())
    # The home panels truncate the description: still no raw tag.
    assert_shown_as_text(school.get(reverse("home")).content.decode(), escaped=False)


def test_task_and_progress_text_is_escaped(client_for, admin_user, liaison, school_a, year):
    task = task_save(task=Task(year=year, title=f"任务{PAYLOAD}", requirement=f"要求{PAYLOAD}",
                               deadline=timezone.localdate() + timedelta(days=5)), units=[school_a], user=admin_user)
    assignment = TaskAssignment.objects.get(task=task)
    progress_add(assignment=assignment, user=liaison, date=timezone.localdate(), content=f"落实情况{PAYLOAD}")
    bureau, school = client_for(admin_user), client_for(liaison)
    assert_shown_as_text(bureau.get(task.get_absolute_url()).content.decode())
    assert_shown_as_text(bureau.get(reverse("ledgers:task_matrix")).content.decode(), escaped=False)  # truncated
    assert_shown_as_text(bureau.get(reverse("ledgers:task_edit", args=[task.pk])).content.decode())
    assert_shown_as_text(school.get(reverse("ledgers:my_tasks")).content.decode())
    page = school.get(reverse("ledgers:assignment_detail", args=[assignment.pk])).content.decode()
    assert_shown_as_text(page)
    assert "落实情况&lt;script&gt;" in page


def test_letter_pdf_prints_target_markup_literally(client_for, admin_user, year, school_a, fetched):
    LetterTarget.objects.create(year=year, order=1, text=f"目标{PAYLOAD}", points=10)
    letters_generate(year=year, user=admin_user)
    letter = ResponsibilityLetter.objects.get(unit=school_a)
    bureau = client_for(admin_user)
    assert_shown_as_text(bureau.get(reverse("ledgers:letter_detail", args=[letter.pk])).content.decode())
    assert_printed_literally(bureau.get(reverse("ledgers:letter_pdf", args=[letter.pk])).content)
    assert no_injected_fetch(fetched)


def test_bulletin_pdf_prints_foreword_and_overdue_problems_literally(client_for, inspector, leader, school_a,
                                                                    template, fetched):  # noqa: F811
    today = timezone.localdate()
    make_check(inspector, school_a, template, [18, 12, 12], date=today)
    make_problem(inspector, school_a, description=f"逾期{IMG}", found_on=today - timedelta(days=9),
                 deadline=today - timedelta(days=2))
    iso_year, iso_week = today.isocalendar()[:2]
    bulletin = bulletin_service.bulletin_create(user=inspector, iso_year=iso_year, iso_week=iso_week,
                                                foreword=f"前言{SCRIPT}")
    browser = client_for(leader)
    page = browser.get(bulletin.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    text = pdf_text(browser.get(reverse("ledgers:bulletin_pdf", args=[bulletin.pk])).content)
    assert "前言<script>alert(1)</script>" in text and "逾期<imgsrc=xonerror=alert(1)>" in text
    assert no_injected_fetch(fetched)
