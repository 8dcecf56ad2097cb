"""Background jobs run by the real worker loop (django-tasks-db's Worker, in this process, on the
test database): starting, joining, progress page and JSON, downloads, who may download,
failures with a Chinese reason and retry, and every kind of document built as a job.

The kill -9 and web-server-beside-worker cases run a separate worker process:
test_worker_process.py.
"""
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledgers.models import Bulletin, LetterTarget, Role
from ledgers.services import bulletins as bulletin_service
from ledgers.services.letters import letter_move, letters_generate
from reports import binder, jobs
from reports.models import Job, JobStatus, PublishedReport, ReportKind
from tests.conftest import make_user
from tests.ledgers.checks.factories import indicator, make_check, template  # noqa: F401 (fixtures)
from tests.reports.jobs.support import export_through_job, file_of

from .conftest import pdf_text


def status(client, job):
    response = client.get(reverse("reports:job_status", args=[job.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def start(client, url, query=""):
    response = client.post(url + query)
    assert response.status_code == 302, response.status_code
    return Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1])), response


# --- the journey of one job -----------------------------------------------------------------------

def test_binder_job_shows_progress_then_its_file_downloads(client_for, liaison, school_a, archives, run_jobs):
    browser = client_for(liaison)
    job, response = start(browser, reverse("reports:binder_pdf"), f"?unit={school_a.pk}&year=2026")
    assert response["Location"] == reverse("reports:job_detail", args=[job.pk])
    page = browser.get(response["Location"]).content.decode()
    assert "郾城区第一实验小学 2026年度台账档案册（PDF）" in page
    assert 'role="progressbar"' in page and "js/jobs.js" in page and "<script>" not in page
    state = status(browser, job)
    assert state["status"] == "queued" and state["status_label"] == "排队中" and not state["download_url"]
    assert browser.get(reverse("reports:job_file", args=[job.pk])).status_code == 404  # nothing yet

    run_jobs()
    state = status(browser, job)
    assert state["status"] == "done" and state["percent"] == 100 and state["status_label"] == "已完成"
    assert state["download_url"] == reverse("reports:job_file", args=[job.pk])
    response = browser.get(state["download_url"])
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "学雷锋志愿服务进社区" in text and "开学典礼文明礼仪教育" in text and "敬老院慰问演出" not in text
    job.refresh_from_db()
    assert job.expires_at - job.finished_at > timedelta(days=6, hours=23)


def test_a_get_of_an_export_url_only_offers_the_button(client_for, liaison, school_a, archives):
    page = client_for(liaison).get(reverse("reports:binder_zip"), {"unit": school_a.pk})
    assert page.status_code == 200 and "开始生成" in page.content.decode()
    assert not Job.objects.exists()


def test_starting_the_same_export_twice_while_it_runs_joins_the_running_job(client_for, liaison, school_a,
                                                                             archives, run_jobs):
    browser = client_for(liaison)
    url = reverse("reports:binder_zip")
    first, _ = start(browser, url, f"?unit={school_a.pk}")
    again, response = start(browser, url, f"?unit={school_a.pk}&year=2026&period=year")  # the same export
    assert again.pk == first.pk and Job.objects.count() == 1
    assert "同样的导出正在生成中" in browser.get(response["Location"]).content.decode()
    Job.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING)
    assert start(browser, url, f"?unit={school_a.pk}")[0].pk == first.pk
    Job.objects.filter(pk=first.pk).update(status=JobStatus.QUEUED)
    run_jobs()
    # Once it is done, the same click makes a new file (the data may have changed).
    assert start(browser, url, f"?unit={school_a.pk}")[0].pk != first.pk
    # Another period is another export.
    assert start(browser, url, f"?unit={school_a.pk}&period=spring")[0].pk not in (first.pk,)


def test_two_users_asking_for_the_same_export_get_a_job_each(client_for, admin_user, inspector, school_a, archives):
    a, _ = start(client_for(admin_user), reverse("reports:binder_pdf"), f"?unit={school_a.pk}")
    b, _ = start(client_for(inspector), reverse("reports:binder_pdf"), f"?unit={school_a.pk}")
    assert a.pk != b.pk


# --- access -----------------------------------------------------------------------------------------

def test_only_the_user_who_started_a_job_sees_it(client_for, liaison, inspector, admin_user, school_a, archives,
                                                 run_jobs):
    job, _ = start(client_for(inspector), reverse("reports:binder_pdf"), f"?unit={school_a.pk}")
    run_jobs()
    for other in (admin_user, liaison):  # even the bureau admin, even the unit's own liaison
        browser = client_for(other)
        for name in ("job_detail", "job_status", "job_file"):
            assert browser.get(reverse(f"reports:{name}", args=[job.pk])).status_code == 404, name
        assert browser.post(reverse("reports:job_retry", args=[job.pk])).status_code == 404
        assert job.title not in browser.get(reverse("reports:downloads")).content.decode()
    assert client_for(inspector).get(reverse("reports:job_file", args=[job.pk])).status_code == 200


def test_a_liaison_moved_to_another_unit_loses_the_file(client_for, liaison, school_a, school_b, archives, run_jobs):
    browser = client_for(liaison)
    job, _ = start(browser, reverse("reports:binder_zip"), f"?unit={school_a.pk}")
    run_jobs()
    assert browser.get(reverse("reports:job_file", args=[job.pk])).status_code == 200
    liaison.unit = school_b
    liaison.save()
    assert browser.get(reverse("reports:job_file", args=[job.pk])).status_code == 404
    state = status(browser, job)
    assert state["download_url"] == "" and state["expired"]
    assert "无权查看该单位的数据" in browser.get(reverse("reports:downloads")).content.decode()


def test_a_liaison_cannot_start_another_units_binder(client_for, liaison, school_b, archives):
    browser = client_for(liaison)
    for name in ("binder_pdf", "binder_zip"):
        assert browser.post(reverse(f"reports:{name}") + f"?unit={school_b.pk}").status_code == 404
        assert browser.get(reverse(f"reports:{name}"), {"unit": school_b.pk}).status_code == 404
    assert browser.post(reverse("reports:bureau_binder")).status_code == 403
    assert browser.post(reverse("reports:letter_year_pdf")).status_code == 403
    assert not Job.objects.exists()


def test_the_worker_builds_only_what_the_user_may_still_see(client_for, liaison, school_a, school_b, archives,
                                                            run_jobs):
    """Moved to another unit between the click and the run: the job fails, nothing is built."""
    job, _ = start(client_for(liaison), reverse("reports:binder_pdf"), f"?unit={school_a.pk}")
    liaison.unit = school_b
    liaison.save()
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file
    assert job.error == "您已无权查看这些数据（账号的单位或角色已变更），没有生成文件。"


# --- failures and retry --------------------------------------------------------------------------

def test_a_failed_job_says_why_in_chinese_and_can_be_retried(client_for, liaison, school_a, archives, run_jobs,
                                                              monkeypatch):
    browser = client_for(liaison)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(binder, "binder_pdf", broken)
    job, _ = start(browser, reverse("reports:binder_pdf"), f"?unit={school_a.pk}")
    run_jobs()
    state = status(browser, job)
    assert state["status"] == "failed" and state["status_label"] == "失败"
    assert "生成失败：程序内部错误（RuntimeError）" in state["error"] and "重试" in state["error"]
    assert state["retry_url"] and not state["download_url"]
    listing = browser.get(reverse("reports:downloads")).content.decode()
    assert "程序内部错误" in listing and "重试" in listing
    assert browser.get(reverse("reports:job_file", args=[job.pk])).status_code == 404

    monkeypatch.undo()
    response = browser.post(state["retry_url"])
    retried = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("reports:job_detail", args=[retried.pk])
    run_jobs()
    assert "学雷锋志愿服务进社区" in pdf_text(file_of(browser, retried))


def test_a_job_whose_worker_stopped_beating_is_requeued_then_failed(client_for, liaison, school_a, archives,
                                                                    settings, run_jobs):
    from django_tasks_db.models import DBTaskResult

    settings.JOBS_MAX_ATTEMPTS = 2
    browser = client_for(liaison)
    job, _ = start(browser, reverse("reports:binder_pdf"), f"?unit={school_a.pk}")
    long_ago = timezone.now() - timedelta(seconds=settings.JOBS_LEASE_SECONDS + 5)
    # As if a worker had claimed it and been killed: both rows left RUNNING, no more heartbeats.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=long_ago, percent=40)
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")
    state = status(browser, job)  # looking at it is enough to notice
    assert state["status"] == "queued" and "已重新排队（第 2 次尝试）" in state["stage"] and not state["download_url"]
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    job.refresh_from_db()
    assert job.attempt == 2

    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=long_ago)
    state = status(browser, job)
    assert state["status"] == "failed"
    assert "后台进程意外中断（已尝试 2 次），没有生成文件" in state["error"]
    run_jobs()  # the re-queued task finds its job already failed and leaves it so
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file


def test_a_stalled_attempt_cannot_overwrite_the_next_one(client_for, liaison, school_a, archives, run_jobs):
    job, _ = start(client_for(liaison), reverse("reports:binder_pdf"), f"?unit={school_a.pk}")
    jobs.run_job.call(job.pk, 99)  # an attempt that is not the job's current one
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and not job.file


# --- the documents ---------------------------------------------------------------------------------

def test_bureau_binder_has_a_folder_per_unit_with_contents_photos_and_pdf(client_for, inspector, school_a,
                                                                          school_b, archives, run_jobs):
    browser = client_for(inspector)
    page = browser.get(reverse("reports:bureau_binder")).content.decode()
    assert "全部单位台账档案册" in page and "春季学期" in page
    job, data = export_through_job(browser, reverse("reports:bureau_binder"), {"year": 2026, "period": "spring"})
    assert job.title == "漯河市郾城区教育局 全部单位 2026年春季学期台账档案册（ZIP）" and job.unit is None
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    a, b = school_a.name, school_b.name
    assert f"{a}/目录.xlsx" in names and f"{b}/目录.xlsx" in names
    assert f"{a}/{a}-2026年春季学期台账档案册.pdf" in names
    assert f"{a}/未关联指标/2026-04-03 学雷锋志愿服务进社区/01 学雷锋志愿服务进社区 照片1.jpg" in names
    assert not any("开学典礼" in name for name in names)  # September is in the autumn semester
    text = pdf_text(archive.read(f"{b}/{b}-2026年春季学期台账档案册.pdf"))
    assert "敬老院慰问演出" in text and "学雷锋志愿服务进社区" not in text
    rows = list(load_workbook(io.BytesIO(archive.read(f"{a}/目录.xlsx"))).active.iter_rows(values_only=True))
    assert rows[0][0] == f"{a} 2026年春季学期台账档案册 照片目录"
    assert [r[1] for r in rows[2:]] == ["学雷锋志愿服务进社区"] * 2


def test_problem_year_export_is_a_job_with_the_same_cells(client_for, inspector, school_a, run_jobs, template,  # noqa: F811
                                                          monkeypatch):
    from reports.views import documents as views_documents
    from tests.ledgers.checks.factories import make_problem

    for n in range(3):
        make_problem(inspector, school_a, description=f"走廊有垃圾{n}")
    monkeypatch.setattr(views_documents, "PROBLEM_EXPORT_INLINE_ROWS", 2)
    browser = client_for(inspector)
    page = browser.get(reverse("reports:problem_export"))
    assert page.status_code == 200 and "共 3 条问题" in page.content.decode()
    job, data = export_through_job(browser, reverse("reports:problem_export"))
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("漯河市郾城区教育局问题整改台账") and rows[1][:2] == ("序号", "单位")
    assert sorted(r[6] for r in rows[2:]) == ["走廊有垃圾0", "走廊有垃圾1", "走廊有垃圾2"]
    assert {r[1] for r in rows[2:]} == {school_a.name}


def test_all_letters_of_a_year_in_one_pdf(client_for, admin_user, leader, year, school_a, school_b, run_jobs):
    LetterTarget.objects.create(year=year, order=1, text="成立文明创建领导小组", points=10)
    letters_generate(year=year, user=admin_user)
    _job, data = export_through_job(client_for(leader), reverse("reports:letter_year_pdf"))
    text = pdf_text(data)
    assert school_a.name in text and school_b.name in text and "成立文明创建领导小组" in text


def test_no_letters_yet_says_so_instead_of_starting(client_for, leader, year):
    response = client_for(leader).post(reverse("reports:letter_year_pdf"))
    assert response.status_code == 302 and not Job.objects.exists()


def test_publishing_a_bulletin_freezes_its_pdf(client_for, admin_user, inspector, school_a, template, run_jobs):  # noqa: F811
    make_check(inspector, school_a, template, [20, 15, 14])
    iso_year, iso_week = timezone.localdate().isocalendar()[:2]
    bulletin = bulletin_service.bulletin_create(user=inspector, iso_year=iso_year, iso_week=iso_week)
    browser = client_for(admin_user)
    job, _ = start(browser, reverse("reports:bulletin_publish", args=[bulletin.pk]))
    run_jobs()
    state = status(browser, job)
    assert state["status"] == "done" and state["result_url"] == bulletin.get_absolute_url()
    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    assert bulletin.number == 1
    frozen = PublishedReport.objects.get(kind=ReportKind.BULLETIN)
    assert "第1期" in pdf_text(frozen.pdf.read())
    assert "第1期" in pdf_text(browser.get(reverse("reports:bulletin_pdf", args=[bulletin.pk])).content)


def test_publishing_a_monthly_summary_is_a_job(client_for, admin_user, school_a, year, run_jobs):
    browser = client_for(admin_user)
    job, _ = start(browser, reverse("reports:monthly_publish", args=["2026-11"]))
    run_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result_url == reverse("reports:monthly", args=["2026-11"])
    report = PublishedReport.objects.get(kind=ReportKind.MONTHLY)
    assert report.period == "2026-11" and report.pdf and report.xlsx


# --- 我的下载 -------------------------------------------------------------------------------------

def test_downloads_lists_running_done_and_failed_jobs(client_for, liaison, school_a, archives, run_jobs,
                                                      django_assert_max_num_queries):
    browser = client_for(liaison)
    done, _ = start(browser, reverse("reports:binder_zip"), f"?unit={school_a.pk}")
    run_jobs()
    running, _ = start(browser, reverse("reports:binder_pdf"), f"?unit={school_a.pk}")
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING, stage="正在生成郾城区第一实验小学的档案册 PDF…",
                                             percent=40, heartbeat_at=timezone.now())
    Job.objects.create(user=liaison, kind="binder_pdf", key="x", title="失败的档案册", status=JobStatus.FAILED,
                       error="生成失败：程序内部错误（RuntimeError）。", unit=school_a)
    for n in range(10):
        Job.objects.create(user=liaison, kind="binder_zip", key=f"k{n}", title=f"旧文件{n}", status=JobStatus.DONE,
                           unit=school_a)
    with django_assert_max_num_queries(12):  # whatever the number of jobs
        page = browser.get(reverse("reports:downloads")).content.decode()
    assert "生成中" in page and "40%" in page and "正在生成郾城区第一实验小学的档案册 PDF…" in page
    assert "已完成" in page and reverse("reports:job_file", args=[done.pk]) in page
    assert "失败" in page and "程序内部错误" in page
    assert "我的下载" in browser.get(reverse("home")).content.decode()  # in the menu


def test_the_menu_offers_downloads_to_every_role(client_for, admin_user, inspector, leader, liaison):
    for user in (admin_user, inspector, leader, liaison):
        assert reverse("reports:downloads") in client_for(user).get(reverse("reports:downloads")).content.decode()


# --- layering ---------------------------------------------------------------------------------------

def test_ledgers_never_import_reports():
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in (Path(settings.BASE_DIR) / "ledgers").rglob("*.py"):
        if path.name == "imports.py":  # its template building moves out in the imports issue
            continue
        for line in path.read_text().splitlines():
            if line.strip().startswith(("from reports", "import reports")):
                offenders.append(f"{path}: {line.strip()}")
    assert not offenders


def test_old_url_names_still_reverse_to_the_same_paths():
    for name in ("binder_pdf", "binder_zip", "letter_year_pdf", "problem_export"):
        assert reverse(f"ledgers:{name}") == reverse(f"reports:{name}")
    assert reverse("reports:binder_pdf") == "/activities/binder.pdf"
    assert reverse("reports:letter_pdf", args=[3]) == "/letters/3/letter.pdf"
    assert reverse("reports:bulletin_pdf", args=[3]) == "/bulletins/3/pdf/"


@pytest.mark.parametrize("role", [Role.LIAISON])
def test_moved_record_urls_keep_liaisons_to_their_own_unit(client_for, admin_user, liaison, year, school_a,
                                                           school_b, role):
    LetterTarget.objects.create(year=year, order=1, text="成立文明创建领导小组", points=10)
    letters_generate(year=year, user=admin_user)
    other = make_user("liaison3", role, school_b)
    letter_a = school_a.letters.get()
    letter_move(letter=letter_a, to="issued", user=admin_user)  # drafts are the bureau's only
    assert client_for(other).get(reverse("reports:letter_pdf", args=[letter_a.pk])).status_code == 404
    assert client_for(liaison).get(reverse("reports:letter_pdf", args=[letter_a.pk])).status_code == 200


def test_files_are_stored_under_jobs_and_only_done_rows_name_them(client_for, liaison, school_a, archives, run_jobs):
    job, _ = start(client_for(liaison), reverse("reports:binder_zip"), f"?unit={school_a.pk}")
    run_jobs()
    job.refresh_from_db()
    assert job.file.name.startswith(f"jobs/{liaison.pk}/") and default_storage.exists(job.file.name)
    assert job.file_size == default_storage.size(job.file.name) and job.file_name.endswith(".zip")


def test_the_bureau_monthly_pdf_at_city_scale_is_a_job(client_for, inspector, liaison, school_a, school_b, year,
                                                       run_jobs, monkeypatch):
    from reports.views import monthly as report_views

    monkeypatch.setattr(report_views, "MONTHLY_PDF_INLINE_UNITS", 1)
    browser = client_for(inspector)
    url = reverse("reports:monthly_pdf", args=["2026-11"])
    page = browser.get(url)
    assert page.status_code == 200 and "开始生成" in page.content.decode()
    job, data = export_through_job(browser, url)
    assert job.file_name == "2026年11月分析小结.pdf" and "2026年11月文明创建工作分析小结" in pdf_text(data)
    # One unit's PDF stays immediate.
    response = client_for(liaison).get(url)
    assert response["Content-Type"] == "application/pdf"


def test_the_superuser_sees_jobs_in_the_admin(client_for, superuser, admin_user, liaison, school_a, archives):
    start(client_for(liaison), reverse("reports:binder_pdf"), f"?unit={school_a.pk}")
    page = client_for(superuser).get(reverse("admin:reports_job_changelist"))
    assert page.status_code == 200 and "郾城区第一实验小学 2026年度台账档案册（PDF）" in page.content.decode()
    # /admin/ is the superuser's: a bureau admin is sent to the app's pages.
    sent = client_for(admin_user).get(reverse("admin:reports_job_changelist"), follow=True)
    assert sent.status_code == 200 and "/admin/" not in sent.redirect_chain[-1][0]
    assert client_for(liaison).get(reverse("admin:reports_job_changelist")).status_code in (302, 403)
