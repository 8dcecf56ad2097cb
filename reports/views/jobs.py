"""我的下载: the user's background jobs, one job's progress page, its JSON status (polled by
static/js/jobs.js), the file download and retry. Every job is its starter's only: anyone else
gets 404, and the file is served only while `visible_to` still allows its data.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ledgers.files import serve_file

from .. import jobs
from ..models import ACTIVE_STATUSES, Job, JobStatus

LIST_SIZE = 50


def _own_job(request, pk):
    return get_object_or_404(Job.objects.select_related("unit"), pk=pk, user=request.user)


def job_state(job, user, visible_units=None):
    """What the page and the poller show for a job (plain data, JSON-ready)."""
    if visible_units is None:
        visible_units = jobs.visible_unit_ids(user, [job])
    may_download = jobs.may_download(user, job, visible_units)
    expired = job.status == JobStatus.DONE and not may_download and not job.result_url
    data = {
        "id": job.pk, "title": job.title, "status": job.status, "status_label": job.get_status_display(),
        "stage": job.stage, "percent": job.percent if job.status != JobStatus.DONE else 100,
        "error": job.error, "active": job.is_active, "expired": expired,
        "download_url": "", "file_name": job.file_name, "size": "", "result_url": job.result_url,
        "retry_url": reverse("reports:job_retry", args=[job.pk]) if job.status == JobStatus.FAILED else "",
    }
    if job.status == JobStatus.DONE and not job.result_url and may_download:
        data.update(download_url=reverse("reports:job_file", args=[job.pk]), size=filesizeformat(job.file_size))
    if expired:
        data["stage"] = "文件已过期或您已无权查看该单位的数据" if job.file else "文件已超过保留期限，已清理"
    return data


@require_safe
@login_required
def downloads(request):
    mine = Job.objects.filter(user=request.user)
    active_ids = list(mine.filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
    if active_ids:
        jobs.recover_stale_jobs(job_ids=active_ids)
    listed = list(mine[:LIST_SIZE])
    visible = jobs.visible_unit_ids(request.user, listed)
    rows = [(job, job_state(job, request.user, visible)) for job in listed]
    from django.conf import settings

    return render(request, "reports/jobs/downloads.html", {"rows": rows, "keep_days": settings.JOBS_KEEP_DAYS})


@require_safe
@login_required
def job_detail(request, pk):
    job = _own_job(request, pk)
    if job.is_active:
        jobs.recover_stale_jobs(job_ids=[job.pk])
        job.refresh_from_db()
    return render(request, "reports/jobs/detail.html", {"job": job, "state": job_state(job, request.user)})


@require_safe
@login_required
def job_status(request, pk):
    job = _own_job(request, pk)
    if job.is_active:
        jobs.recover_stale_jobs(job_ids=[job.pk])
        job.refresh_from_db()
    response = JsonResponse(job_state(job, request.user), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@login_required
def job_file(request, pk):
    job = _own_job(request, pk)
    if not jobs.may_download(request.user, job):
        raise Http404("文件不存在或已过期")
    return serve_file(request, job.file, download_name=job.file_name, as_attachment=True)


@require_POST
@login_required
def job_retry(request, pk):
    job = _own_job(request, pk)
    if job.status != JobStatus.FAILED:
        messages.info(request, "只有失败的任务可以重试。")
        return redirect("reports:job_detail", job.pk)
    try:
        new = jobs.retry_job(job=job, user=request.user)
    except jobs.JobRefused as refused:
        messages.error(request, refused.message)
        return redirect("reports:downloads")
    messages.success(request, f"已重新开始生成《{new.title}》。")
    return redirect("reports:job_detail", new.pk)


def start_and_follow(request, kind, params, *, back):
    """POST handler of every export button: start (or join) the job, open its progress page."""
    try:
        job, joined = jobs.start_job(user=request.user, kind=kind, params=params)
    except jobs.JobRefused as refused:
        messages.error(request, refused.message)
        return redirect(back)
    if joined:
        messages.info(request, "同样的导出正在生成中，已为您打开它的进度。")
    else:
        messages.success(request, "已开始在后台生成，可以离开此页面，完成后在“我的下载”中下载。")
    return redirect("reports:job_detail", job.pk)


def start_page(request, kind, params, *, description="", back=None, status=200):
    """GET on an export URL: what will be made, and a button that starts it (no side effect)."""
    try:
        spec = jobs.KINDS[kind].prepare(request.user, dict(params))
    except jobs.JobRefused as refused:
        messages.error(request, refused.message)
        return redirect(back or "reports:downloads")
    running = Job.objects.filter(user=request.user, key=jobs.job_key(kind, spec.params),
                                 status__in=ACTIVE_STATUSES).first()
    return render(request, "reports/jobs/start.html", {
        "title": spec.title, "description": description, "running": running, "back": back,
        "action": request.get_full_path(), "now": timezone.now(),
    }, status=status)
