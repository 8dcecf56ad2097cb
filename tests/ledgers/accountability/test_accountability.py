"""问责: each rule the bureau sets raises a 问责提示 on hand-built data, and nothing else raises one;
the bureau records what it did (提醒谈话, 约谈, 通报批评, 问责) and closes it; the unit sees its own
entries, the leader their units'; the month summary, the year's assessment and the printed 问责台账
list them."""
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledgers import rules
from ledgers.models import (
    AccountabilityCase, AccountabilityRule, AssignmentStatus, Bulletin, CaseStatus, Notification, NotificationKind,
    Problem, ProblemStatus, Task, TaskAssignment,
)
from ledgers.services import accountability as service
from ledgers.services import oversight
from ledgers.services.tasks import task_save
from tests.ledgers.checks.factories import jpeg, make_problem
from tests.reports.test_helpers import pdf_text

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def criticise(bureau, year, admin, number, published_on, *units):
    return Bulletin.objects.create(
        bureau=bureau, year=year, iso_year=2026, iso_week=number, number=number, status="published", created_by=admin,
        published_at=rules.start_of(published_on) + datetime.timedelta(hours=9),
        snapshot={"criticised": [{"unit_id": u.pk, "unit": u.name, "reason": "本周得分率 60.0%，排名靠后"} for u in units]})


def overdue_problem(inspector, unit, days, today, description):
    p = make_problem(inspector, unit, description=description)
    Problem.objects.filter(pk=p.pk).update(deadline=today - days * DAY)
    return p


def task(year, admin, unit, title, deadline, done_on=None):
    t = task_save(task=Task(year=year, title=title, deadline=deadline), units=[unit], user=admin)
    if done_on is not None:
        TaskAssignment.objects.filter(task=t).update(status=AssignmentStatus.DONE, completed_at=rules.start_of(done_on))
    return t


@pytest.fixture
def ledgers(year, district, admin_user, inspector, liaison2, school_a, school_b, today):
    """school_a meets every rule; school_b comes one short of each."""
    month = today.replace(day=1)
    criticise(district, year, admin_user, 1, month, school_a, school_b)
    criticise(district, year, admin_user, 2, today, school_a)
    criticise(district, year, admin_user, 3, month - DAY, school_b)  # last month: another month
    overdue_problem(inspector, school_a, 8, today, "宣传栏破损逾期八天")  # more than 7 days
    overdue_problem(inspector, school_b, 7, today, "走廊杂物逾期七天")  # exactly 7: not more
    answered = overdue_problem(inspector, school_b, 12, today, "已提交整改待复查")
    Problem.objects.filter(pk=answered.pk).update(status=ProblemStatus.REVIEW, rectified_at=rules.start_of(today - 13 * DAY))
    task(year, admin_user, school_a, "制定创建方案", today - 10 * DAY)
    task(year, admin_user, school_a, "报送创建台账", today - 3 * DAY)
    task(year, admin_user, school_b, "开展文明礼仪教育", today - 10 * DAY)
    task(year, admin_user, school_b, "成立创建领导小组", today - 3 * DAY, done_on=today - 4 * DAY)  # on time
    return school_a, school_b


def test_each_rule_raises_a_case_on_hand_built_data_and_nothing_else_does(ledgers, district, today):
    school_a, school_b = ledgers
    raised = service.scan(today)
    assert sorted((c.unit, c.kind) for c in raised) == [
        (school_a, "criticised"), (school_a, "problem_overdue"), (school_a, "task_missed")]
    by_kind = {c.kind: c for c in raised}
    assert by_kind["criticised"].reason.startswith(f"{today.year}年{today.month}月在督查通报中被通报批评 2 次：第1期")
    assert "宣传栏破损逾期八天" in by_kind["problem_overdue"].reason and "逾期未整改 8 天" in by_kind["problem_overdue"].reason
    assert "累计 2 次" in by_kind["task_missed"].reason and "制定创建方案" in by_kind["task_missed"].reason
    assert all(c.status == CaseStatus.OPEN and c.raised_on == today for c in raised)
    # Run again (立即检查 twice): nothing new.
    assert service.scan(today) == []
    assert AccountabilityCase.objects.count() == 3
    # The next morning school_b's problem is 8 days overdue: that, and only that, is raised.
    assert [(c.unit, c.kind) for c in service.scan(today + DAY)] == [(school_b, "problem_overdue")]


def test_a_rule_the_bureau_tightens_or_switches_off(ledgers, district, admin_user, today):
    school_a, school_b = ledgers
    rules_ = {r.kind: r for r in service.rules_for(district)}
    service.rule_save(user=admin_user, rule=rules_["problem_overdue"], threshold=6, is_active=True)
    service.rule_save(user=admin_user, rule=rules_["criticised"], threshold=1, is_active=False)
    service.rule_save(user=admin_user, rule=rules_["task_missed"], threshold=1, is_active=True)
    raised = {(c.unit, c.kind) for c in service.scan(today)}
    assert raised == {(school_b, "problem_overdue"), (school_b, "task_missed"),  # 7 > 6; 1 ≥ 1
                      (school_a, "problem_overdue"), (school_a, "task_missed")}
    assert not AccountabilityCase.objects.filter(kind="criticised").exists()  # switched off
    assert AccountabilityRule.objects.get(bureau=district, kind="criticised").text == "一个自然月内在督查通报中被通报批评 1 次及以上"


def test_the_rules_page_and_the_scan_button(ledgers, admin_user, leader, client_for, today):
    client = client_for(admin_user)
    page = client.get(reverse("ledgers:accountability_rules")).content.decode()
    for text in ("一个自然月内在督查通报中被通报批评 2 次及以上", "交办问题逾期未整改超过 7 天",
                 "本年度任务（含周期性任务各期）未按期完成或报送累计 2 次及以上"):
        assert text in page
    assert not AccountabilityRule.objects.exists()  # reading the defaults writes nothing
    response = client.post(reverse("ledgers:accountability_rules"),
                           {"kind": "problem_overdue", "problem_overdue-threshold": "0", "problem_overdue-is_active": "on"})
    assert response.status_code == 400 and "至少为 1" in response.content.decode()
    response = client.post(reverse("ledgers:accountability_scan"), follow=True)
    assert "新生成 3 条问责提示" in response.content.decode()
    assert client_for(leader).post(reverse("ledgers:accountability_scan")).status_code == 403


def test_recorded_closed_seen_by_the_unit_and_its_leader_and_printed(
        ledgers, year, admin_user, leader, liaison, liaison2, client_for, today, django_capture_on_commit_callbacks):
    school_a, school_b = ledgers
    oversight.oversight_set(user=admin_user, year=year, units=[school_a], leader=leader)
    with django_capture_on_commit_callbacks(execute=True):
        service.scan(today)
    case = AccountabilityCase.objects.get(unit=school_a, kind="problem_overdue")
    # The bureau's admins and the unit's 包抓领导 are told; the unit is not.
    told = set(Notification.objects.filter(kind=NotificationKind.ACCOUNTABILITY_RAISED, url=case.get_absolute_url())
               .values_list("recipient__username", flat=True))
    assert told == {admin_user.username, leader.username}
    admin = client_for(admin_user)
    # Closing before anything was done is refused.
    response = admin.post(reverse("ledgers:case_close", args=[case.pk]), {"note": "已整改"}, follow=True)
    assert "请先记录处理情况" in response.content.decode()
    # A bad date keeps what was typed.
    form = {"kind": "interview", "date": "2026-02-30", "conducted_by": "局长 李国伟", "attendees": "校长 刘建国、联络员 马晓丽",
            "notes": "约谈校长，要求三日内整改到位"}
    response = admin.post(case.get_absolute_url(), form)
    assert response.status_code == 400 and "日期不正确" in response.content.decode()
    assert "约谈校长，要求三日内整改到位" in response.content.decode()
    response = admin.post(case.get_absolute_url(), {**form, "date": today.isoformat(), "files": [jpeg("约谈记录.jpg")]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLING
    attachment = case.actions.get().attachments.get()
    assert attachment.original_name == "约谈记录.jpg"
    admin.post(reverse("ledgers:case_close", args=[case.pk]), {"note": "问题已销号，约谈记录存档"})
    case.refresh_from_db()
    assert (case.status, case.closing_note, case.closed_by) == (CaseStatus.CLOSED, "问题已销号，约谈记录存档", admin_user)
    # The unit reads its own entry and the attachment; another unit's liaison gets 404.
    own = client_for(liaison)
    assert "约谈校长" in own.get(case.get_absolute_url()).content.decode()
    assert own.get(attachment.get_absolute_url()).status_code == 200
    assert own.post(case.get_absolute_url(), {**form, "date": today.isoformat()}).status_code == 403
    stranger = client_for(liaison2)
    assert stranger.get(case.get_absolute_url()).status_code == 404
    assert stranger.get(attachment.get_absolute_url()).status_code == 404
    assert "宣传栏破损" not in stranger.get(reverse("ledgers:case_list") + "?status=all").content.decode()
    # The leader first sees their units' entries.
    oversight.oversight_set(user=admin_user, year=year, units=[school_b], leader=None)
    service.scan(today + DAY)  # school_b's problem is now 8 days overdue: a case of a unit not the leader's
    listing = client_for(leader).get(reverse("ledgers:case_list") + "?status=all&mine=on").content.decode()
    entries = listing.split('data-testid="case-list"')[1]
    assert "宣传栏破损" in entries and "走廊杂物" not in entries
    everything = client_for(leader).get(reverse("ledgers:case_list") + "?status=all").content.decode()
    assert "走廊杂物" in everything.split('data-testid="case-list"')[1]  # a leader may read them all
    # The printed 问责台账.
    response = admin.get(reverse("reports:accountability_pdf"))
    text = "".join(pdf_text(response.content).split())  # wherever a printed line broke it
    assert response["Content-Type"] == "application/pdf"
    for words in (f"{year.year}年度问责台账", school_a.name, "问题逾期未整改", "宣传栏破损逾期八天", "约谈（局长 李国伟",
                  "已办结", "问题已销号，约谈记录存档", "文明创建工作领导小组办公室"):
        assert words.replace(" ", "") in text, words
    own_pdf = pdf_text(client_for(liaison).get(reverse("reports:accountability_pdf")).content)
    assert school_b.name not in own_pdf


def test_the_month_summary_and_the_assessment_list_them(ledgers, year, district, admin_user, today, client_for):
    from reports.assessment import assessment
    from reports.monthly_excel import monthly_workbook
    from reports.summaries import Month, monthly_summary

    school_a, _ = ledgers
    service.scan(today)
    summary = monthly_summary(Month.containing(today), bureau=district, today=today)
    assert {c.kind for c in summary.accountability} == {"任务未按期完成或报送", "问题逾期未整改", "被督查通报批评"}
    book = load_workbook(io.BytesIO(monthly_workbook(summary)))
    cells = [c for row in book["问责"].iter_rows(min_row=3, values_only=True) for c in row if c]
    assert school_a.name in cells and "待处理" in cells
    html = client_for(admin_user).get(reverse("reports:monthly", args=[Month.containing(today)])).content.decode()
    assert "问责情况（3 项）" in html and "宣传栏破损逾期八天" in html
    result = assessment(year, bureau=district)
    assert {c.unit for c in result.accountability} == {school_a.name}
    page = client_for(admin_user).get(reverse("reports:assessment", args=[year.year])).content.decode()
    assert "问责情况（3 项）" in page
