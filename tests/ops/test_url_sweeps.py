"""Sweeps over every URL pattern of ledgers/urls.py, so pages added later are covered too:

- a liaison of school_a who types the URL of any school_b record gets 404 (403 on bureau-only
  pages), whether by GET or POST, and nothing changes;
- a leader's POST to any ledger URL is refused (403/404; 405 on the read-only pages, which take
  no POST at all) and changes nothing;
- a forged (missing) CSRF token on a ledger POST gets the Chinese 403 page and changes nothing.

A new URL with an `<int:pk>` needs an entry in RECORDS below, or the sweep fails and says so.
"""
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ledgers import urls as ledger_urls
from ledgers.models import (Activity, ActivityCategory, ActivityPhoto, Bulletin, Delivery, ImportUpload, LetterTarget,
                            Notification, NotificationKind, Problem, ProblemStatus, ResponsibilityLetter, Task,
                            TaskAssignment, Webhook)
from ledgers.models import AccountabilityCase
from ledgers.services import accountability as accountability_service
from ledgers.services import assessment as assessment_service
from ledgers.services import oversight as oversight_service
from ledgers.services import bulletins as bulletin_service
from ledgers.services import letters as letter_service
from ledgers.services import problems as problem_service
from ledgers.services.tasks import progress_add, task_save
from tests.ledgers.checks.factories import jpeg, make_check, make_problem
from tests.shared import (admin_user, base_objects, fresh, indicator, inspection_office, inspector,  # noqa: F401
                          liaison2, media_location, module_db, school_a, school_b, section, shared_fixture, template,
                          year)

PATTERNS = {p.name: p for p in ledger_urls.urlpatterns}
PK_PATTERNS = sorted(name for name, p in PATTERNS.items() if "pk" in p.pattern.converters)

# URL name -> (key of the school_b record in the `records` fixture, other URL arguments)
RECORDS = {
    "task_detail": ("task", {}), "task_edit": ("task", {}), "task_dispatch": ("task", {}),
    "task_withdraw": ("task", {}),
    "assignment_detail": ("assignment", {}), "assignment_progress": ("assignment", {}),
    "assignment_complete": ("assignment", {}), "assignment_return": ("assignment", {}),
    "progress_attachment": ("attachment", {}),
    "letter_detail": ("letter", {}), "letter_upload": ("letter", {}),
    "letter_signatories": ("letter", {}), "letter_issue": ("letter", {}), "letter_archive": ("letter", {}),
    "letter_confirm": ("letter", {}), "letter_return": ("letter", {}),
    "letter_scan": ("scan", {}),
    "activity_detail": ("activity", {}), "activity_edit": ("activity", {}), "activity_submit": ("activity", {}),
    "activity_review": ("activity", {}), "activity_mark_uploaded": ("activity", {}),
    "activity_delete": ("activity", {}), "activity_photo": ("activity_photo", {"size": "thumb"}),
    "check_detail": ("check", {}), "check_edit": ("check", {}), "check_submit": ("check", {}),
    "check_correct": ("check", {}), "check_photo": ("check_photo", {"size": "thumb"}),
    "template_edit": ("template", {}),
    "problem_detail": ("problem", {}), "problem_photo": ("problem_photo", {"size": "thumb"}),
    "bulletin_detail": ("bulletin", {}),
    "import_map": ("import_upload", {}), "import_preview": ("import_upload", {}), "import_run": ("import_upload", {}),
    "import_done": ("import_upload", {}),
    "assessment_rule_save": ("indicator", {}), "assessment_adjustment_delete": ("adjustment", {}),
    "assessment_adjustment_file": ("adjustment", {}), "assessment_manual_file": ("manual_score", {}),
    "notification_open": ("notification", {}),
    # 领导包抓 · 督导组包督查 · 问责 · the bureau's units and people, robots, 发送记录 (issue 30)
    "group_detail": ("group", {}), "group_edit": ("group", {}), "group_delete": ("group", {}),
    "case_detail": ("case", {}), "case_close": ("case", {}), "case_file": ("case_file", {}),
    "unit_detail": ("unit", {}),
    "user_detail": ("account", {}), "user_password_reset": ("account", {}), "user_unlock": ("account", {}),
    "user_set_active": ("account", {}),
    "district_detail": ("district", {}), "district_admin_add": ("district", {}),
    "robot_edit": ("webhook", {}), "robot_delete": ("webhook", {}), "delivery_resend": ("delivery", {}),
    "question_edit": ("question", {}), "survey_detail": ("survey", {}), "survey_edit": ("survey", {}),
    "survey_close": ("survey", {}),
}
# A user's own settings and messages: anyone signed in (leaders too) may change their own.
PERSONAL = {"notification_read_all": set(),
            "notification_settings": {"ledgers.NotificationSettings", "ledgers.HistoricalUser"}}  # the address is audited
# letter_pdf, bulletin_pdf and bulletin_publish moved to reports/ (tests/reports/jobs/test_documents_access.py).

# What a form on any ledger page might post: enough for a view that forgot a check to change something.
POST_DATA = {
    "action": "close", "note": "同意", "reason": "理由", "decision": "approve", "uploaded": "on",
    "title": "改过的名称", "content": "落实情况", "description": "问题", "remarks": "情况", "foreword": "前言",
    "week": "2026-W10", "save": "1", "submit": "1",
}



def make_records(year, admin_user, inspector, liaison2, school_a, school_b, template, indicator):  # noqa: F811
    """One record of every kind, belonging to school_b (or to the bureau)."""
    today = timezone.localdate()
    task = task_save(task=Task(year=year, title="乙校任务", deadline=today + timedelta(days=5)), units=[school_b],
                     user=admin_user)
    assignment = TaskAssignment.objects.get(task=task)
    entry = progress_add(assignment=assignment, user=liaison2, date=today, content="已开展", uploads=[jpeg()])

    LetterTarget.objects.create(year=year, order=1, text="成立文明创建领导小组", points=10)
    letter_service.letters_generate(year=year, user=admin_user)
    letter = ResponsibilityLetter.objects.get(unit=school_b)
    letter_service.letter_move(letter=letter, to="issued", user=admin_user)
    scan = letter_service.letter_upload_scan(letter=letter, user=liaison2, upload=jpeg("签字.jpg"))

    category = ActivityCategory.objects.ensure_defaults().first()
    activity = Activity.objects.create(unit=school_b, year=year, category=category, created_by=liaison2,
                                       title="乙校活动", date=today)
    activity_photo = ActivityPhoto.build(jpeg(), uploaded_by=liaison2, activity=activity, caption="说明")
    activity_photo.save()

    check = make_check(inspector, school_b, template, [18, 12, 12], date=today, photos=[jpeg()])
    problem = make_problem(inspector, school_b, check=check, photos=[jpeg()])
    problem_service.problem_submit_rectification(problem=problem, user=liaison2, note="已整改", photos=[jpeg()])
    problem.refresh_from_db()
    iso_year, iso_week = today.isocalendar()[:2]
    bulletin = bulletin_service.bulletin_create(user=inspector, iso_year=iso_year, iso_week=iso_week)
    import_upload = ImportUpload.objects.create(kind="tasks", year=year, original_name="任务分解表.xlsx",
                                                uploaded_by=admin_user, file="imports/none.xlsx")
    scheme = assessment_service.scheme_for(year=year, user=admin_user, create=True)
    rule = assessment_service.rule_save(scheme=scheme, indicator=indicator, user=admin_user, kind="manual",
                                        unit_kinds=["school"])
    manual_score = assessment_service.manual_score_save(rule=rule, unit=school_b, user=admin_user, score=1,
                                                        reason="评分", date=today, upload=jpeg("评分依据.jpg"))
    adjustment = assessment_service.adjustment_add(scheme=scheme, unit=school_b, user=admin_user, kind="bonus",
                                                   points=1, reason="表彰", date=today, upload=jpeg("表彰.jpg"))
    notification = Notification.objects.create(recipient=liaison2, kind=NotificationKind.PROBLEM_RAISED, unit=school_b,
                                               title="乙校的消息", url=problem.get_absolute_url(), dedupe_key="sweep")
    survey, question = survey_records(admin_user, school_b, year)
    webhook = Webhook.objects.create(bureau=school_b.bureau, unit=school_b, url="http://127.0.0.1:9/robot?key=b")
    delivery = Delivery.objects.create(bureau=school_b.bureau, channel="webhook", webhook=webhook, target=webhook.url,
                                       subject="乙校的消息", dedupe_key="sweep", status="failed")
    group = oversight_service.group_save(user=admin_user, year=year, name="第一督导组", rhythm="weekly",
                                         members=[inspector])
    oversight_service.oversight_set(user=admin_user, year=year, units=[school_b], group=group)
    case = AccountabilityCase.objects.create(year=year, unit=school_b, kind="problem_overdue", threshold=7, key="sweep",
                                             reason="乙校问题逾期未整改超过 7 天")
    action = accountability_service.action_add(case=case, user=admin_user, kind="reminder", date=today,
                                               conducted_by="局长 李国伟", notes="提醒谈话", uploads=[jpeg("谈话记录.jpg")])
    return {
        "group": group, "case": case, "case_file": action.attachments.get(), "unit": school_b, "account": liaison2,
        "district": school_b.bureau,
        "notification": notification, "webhook": webhook, "delivery": delivery,
        "import_upload": import_upload,
        "task": task, "assignment": assignment, "attachment": entry.attachments.get(), "letter": letter,
        "scan": scan, "activity": activity, "activity_photo": activity_photo, "check": check,
        "check_photo": check.photos.get(), "template": template, "problem": problem,
        "problem_photo": problem.photos.first(), "bulletin": bulletin,
        "indicator": indicator, "adjustment": adjustment, "manual_score": manual_score,
        "survey": survey, "question": question, "survey_link": survey.survey_units.get(),
    }


def survey_records(admin_user, school_b, year):
    """A 问卷调查 round of school_b alone, answered once, and its bank (tests/ledgers/surveys)."""
    from ledgers.services.surveys import response_submit
    from tests.ledgers.surveys.factories import RIGHT, make_bank, make_round

    bank = make_bank(school_b.bureau)
    survey = make_round(admin_user, [school_b], bank, year=year, title="乙校问卷")
    link = survey.survey_units.get()
    questions = [q for q in bank if "student" in q.audiences]
    answers = {q.pk: "".join(RIGHT[q.kind]) for q in questions}
    response_submit(link=link, audience="student", grade=None, answers=answers, address="192.0.2.10")
    return survey, bank[0]


@shared_fixture
def shared_records():
    """The records above and the users and units they belong to, made once for this module's
    tests (tests/shared.py: each test runs in a savepoint of the module's transaction)."""
    base = base_objects()
    return {**base, "records": make_records(**{key: base[key] for key in (
        "year", "admin_user", "inspector", "liaison2", "school_a", "school_b", "template", "indicator")})}


@pytest.fixture
def records(db, shared_records):
    """The shared records, each read again for this test."""
    return {key: fresh(obj) for key, obj in shared_records["records"].items()}


def url_of(name, records):
    if name not in PK_PATTERNS:
        return reverse(f"ledgers:{name}")
    key, extra = RECORDS[name]
    return reverse(f"ledgers:{name}", kwargs={"pk": records[key].pk, **extra})


def snapshot():
    """Row counts of every ledger table, audit trail included: any write shows up here."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_app_config("ledgers").get_models()}


def test_every_url_with_a_pk_has_a_record_for_the_sweeps():
    missing = sorted(set(PK_PATTERNS) - set(RECORDS))
    assert not missing, f"add these URL names to RECORDS in {__file__}: {missing}"
    assert not set(RECORDS) - set(PK_PATTERNS), "RECORDS names a URL that no longer exists"


@pytest.mark.parametrize("name", PK_PATTERNS)
def test_liaison_of_another_unit_gets_404_for_every_record_url(name, records, client_for, liaison, liaison2):
    if name not in RECORDS:
        pytest.fail(f"no record for {name}: add it to RECORDS")
    url = url_of(name, records)
    before = snapshot()
    stranger = client_for(liaison)
    response = stranger.get(url)
    if response.status_code == 405:  # a POST-only move: try it the way a form would
        response = stranger.post(url, POST_DATA)
    assert response.status_code in (403, 404), (name, response.status_code)
    if response.status_code == 404:
        # The record exists and its own unit may open it: the 404 comes from the unit check.
        assert client_for(liaison2).get(url).status_code != 404, name
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_a_leader_post_to_any_ledger_url_is_refused_and_changes_nothing(name, records, client_for, leader):
    url = url_of(name, records)
    before = snapshot()
    response = client_for(leader).post(url, POST_DATA)
    if name in PERSONAL:
        assert response.status_code in (200, 302), (name, response.status_code)
        after = snapshot()
        assert {label for label in after if after[label] != before[label]} <= PERSONAL[name], name
        return
    assert response.status_code in (403, 404, 405), (name, response.status_code)
    assert snapshot() == before
    if response.status_code == 403:
        assert "无权" in response.content.decode() or "只能查看" in response.content.decode()


def test_a_forged_csrf_token_on_problem_close_gets_the_chinese_403_and_changes_nothing(records, inspector2):
    problem = records["problem"]
    assert problem.status == ProblemStatus.REVIEW
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(inspector2)
    browser.get(problem.get_absolute_url())  # sets the real CSRF cookie
    response = browser.post(problem.get_absolute_url(), {"action": "close", "note": "同意",
                                                         "csrfmiddlewaretoken": "forged" * 8})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page or "安全校验" in page, page[:500]
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REVIEW and problem.closed_by is None
    # The same post with the real token goes through: the 403 was the token, not the user.
    token = browser.cookies["csrftoken"].value
    response = browser.post(problem.get_absolute_url(), {"action": "close", "note": "同意",
                                                         "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.CLOSED


def test_bulletin_publish_by_a_leader_leaves_it_a_draft(records, client_for, leader):
    bulletin = records["bulletin"]
    client_for(leader).post(reverse("ledgers:bulletin_publish", args=[bulletin.pk]))
    assert Bulletin.objects.get(pk=bulletin.pk).number is None
