"""督导组包督查 and 领导包抓 in the documents: the bulletin says which group checked which units that
week, the month summary has a section per group (HTML, PDF, Excel), and the daily digest sends a
包抓 leader the overdue items of their units — on a hand-built month (March 2026)."""
import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from ledgers.models import Notification, NotificationKind, Problem, ProblemStatus, Role
from ledgers.services import bulletins
from ledgers.services import oversight as service
from ledgers.services.notifications import send_digest
from reports.monthly import monthly_pdf
from reports.monthly_excel import monthly_workbook
from reports.summaries import Month, monthly_summary
from tests.conftest import make_user
from tests.ledgers.checks.factories import make_check, make_problem

D = datetime.date


def pdf_text(data):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def two_groups(year, admin_user, inspector, section, schools):
    """第一督导组 (孙丽娟): school_a, school_b; 第二督导组 (刘卫东): 第三实验小学, 实验中学.
    In week 10: school_a and 第三实验小学 checked; school_b checked the week before; 实验中学 never.
    school_a: two problems found in March, one closed; 第三实验小学: one overdue."""
    school_a, school_b, third, middle = schools
    other = make_user("inspector2", Role.INSPECTOR, section, "刘卫东")
    first = service.group_save(user=admin_user, year=year, name="第一督导组", rhythm="weekly", members=[inspector])
    second = service.group_save(user=admin_user, year=year, name="第二督导组", rhythm="weekly", members=[other])
    service.oversight_set(user=admin_user, year=year, units=[school_a, school_b], group=first)
    service.oversight_set(user=admin_user, year=year, units=[third, middle], group=second)
    return first, second


@pytest.fixture
def month_ledger(two_groups, inspector, template, schools):
    school_a, school_b, third, middle = schools
    make_check(inspector, school_a, template, [18, 12, 12], date=D(2026, 3, 2))
    make_check(inspector, third, template, [10, 10, 10], date=D(2026, 3, 3))
    make_check(inspector, school_b, template, [18, 12, 12], date=D(2026, 2, 25))
    closed = make_problem(inspector, school_a, "宣传栏破损", found_on=D(2026, 3, 2), deadline=D(2026, 3, 3))
    Problem.objects.filter(pk=closed.pk).update(
        status=ProblemStatus.CLOSED, closed_at=timezone.make_aware(datetime.datetime(2026, 3, 3, 10)))
    make_problem(inspector, school_a, "走廊有纸屑", found_on=D(2026, 3, 2), deadline=D(2026, 3, 30))
    make_problem(inspector, third, "围墙广告未清理", found_on=D(2026, 3, 3), deadline=D(2026, 3, 4))
    return schools


def test_the_bulletin_names_which_group_checked_which_units(month_ledger, district, inspector, admin_user,
                                                            client_for):
    school_a, school_b, third, middle = month_ledger
    data = bulletins.bulletin_data(2026, 10, today=D(2026, 3, 9), bureau=district)
    assert data["groups"] == [
        {"group": "第一督导组", "checked": [school_a.name], "unchecked": [school_b.name]},
        {"group": "第二督导组", "checked": [third.name], "unchecked": [middle.name]},
    ]
    bulletin = bulletins.bulletin_create(user=inspector, iso_year=2026, iso_week=10)
    bulletins.bulletin_publish(bulletin=bulletin, user=admin_user)
    from django.urls import reverse

    text = pdf_text(client_for(admin_user).get(reverse("ledgers:bulletin_pdf", args=[bulletin.pk])).content)
    assert "督导组包督查情况" in text and "第一督导组" in text and "第二督导组" in text
    assert "本周未督查单位" in text and middle.name in text


def test_a_bulletin_in_the_new_calendar_year_names_its_campaign_years_groups(two_groups, schools, inspector, year):
    """The 2026 campaign's groups go on checking in January 2027: the bulletin of week 2027-W01 (its
    campaign year 2026) names them — it looked for groups of the calendar year the week begins in."""
    school_a, school_b, third, middle = schools
    bulletin = bulletins.bulletin_create(user=inspector, iso_year=2027, iso_week=1)
    assert bulletin.year == year and year.year == 2026
    data = bulletins.bulletin_document(bulletin, today=D(2027, 1, 8))
    assert [g["group"] for g in data["groups"]] == ["第一督导组", "第二督导组"]
    assert data["groups"][1]["unchecked"] == [third.name, middle.name]


def test_the_month_summary_has_a_section_per_group(month_ledger, district):
    summary = monthly_summary(Month(2026, 3), bureau=district, today=D(2026, 3, 31))
    sections = [(g.name, g.members, g.units, g.covered, g.problems_found, g.problems_closed, g.problems_overdue,
                 g.uncovered) for g in summary.groups]
    assert sections == [
        ("第一督导组", "孙丽娟", 2, 1, 2, 1, 1, ["郾城区第二实验小学"]),  # 走廊有纸屑 due 3月30日
        ("第二督导组", "刘卫东", 2, 1, 1, 0, 1, ["郾城区实验中学"]),
    ]
    text = pdf_text(monthly_pdf(summary))
    assert "督导组包督查情况" in text and "第二督导组" in text and "郾城区实验中学" in text
    book = load_workbook(io.BytesIO(monthly_workbook(summary)))
    rows = [[c.value for c in row] for row in book["督导组"].iter_rows()]
    assert ["第一督导组", "每周", "孙丽娟", 2, 1, 2, 1, 1, "郾城区第二实验小学"] in rows
    # A unit's own summary has no group section.
    assert monthly_summary(Month(2026, 3), unit=month_ledger[0], today=D(2026, 3, 31)).groups == []


def test_the_digest_sends_a_leader_the_overdue_items_of_their_units(month_ledger, year, admin_user, leader,
                                                                    district2_office):
    school_a, school_b, third, middle = month_ledger
    service.oversight_set(user=admin_user, year=year, units=[third, school_a], leader=leader)
    other = make_user("leader9", Role.LEADER, district2_office, "别区领导")
    send_digest(D(2026, 3, 10))
    digest = Notification.objects.get(recipient=leader, kind=NotificationKind.DIGEST)
    assert f"包抓单位 {third.name}" in digest.body and "围墙广告未清理（逾期 6 天）" in digest.body
    assert f"包抓单位 {school_a.name}" not in digest.body.split("包抓单位 " + third.name)[0]  # nothing overdue there
    assert "走廊有纸屑" not in digest.body  # not overdue yet
    assert not Notification.objects.filter(recipient=other, body__contains="围墙广告未清理").exists()
