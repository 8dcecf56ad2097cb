"""Benchmark (not a test): the whole bureau's binder as a background job.

    DEBUG=1 .venv/bin/python manage.py bench_jobs [--units 30] [--photos-per-unit 100]

Runs in a temporary directory with its own SQLite database and MEDIA_ROOT, each step in its
own child process (`--child ...`) so that peak resident memory belongs to one step. Prints:

- setup: units × photos (each 1600×1200 JPEG original with its display copy and thumbnail;
  twelve distinct images are processed once and their stored files shared by all rows, so the
  set-up takes seconds while the binder reads and copies every photo as usual);
- inline: `reports.binder.bureau_binder_zip` called directly — time, ZIP size, peak RSS;
- job: the same export started with `reports.jobs.start_job` and run by a real
  `manage.py db_worker --batch` process — the job's own time (started → finished, progress
  writes, heartbeat and storing the file included), the queue wait (enqueue → started, mostly
  the worker process starting), the worker's peak RSS (goal < 400 MB), and the overhead
  against inline (goal < 5 %);
- web: every export URL as the browser calls it (Django's test client, the whole middleware
  stack): the POSTs that start jobs and the documents still answered at once (one letter, a
  bulletin, a problem export at its inline limit) — the longest must stay under 1 s.
"""
import io
import os
import resource
import subprocess
import sys
import tempfile
import time

from benchmarks.scratch import BenchmarkCommand

PASSWORD = "bench-2026"


def peak_rss_mb(who=resource.RUSAGE_SELF):
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_seconds(who=resource.RUSAGE_SELF):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def record(name, value):
    with open(os.path.join(os.environ["TMPDIR"], name), "a") as f:
        f.write(f"{value}\n")


def recorded(name):
    with open(os.path.join(os.environ["TMPDIR"], name)) as f:
        return [float(line) for line in f if line.strip()]


def photo_jpeg(seed, size=(1600, 1200)):
    from PIL import Image, ImageDraw

    base = Image.new("RGB", size, (90 + seed * 13 % 100, 120, 150))
    draw = ImageDraw.Draw(base)
    for i in range(30):
        x, y = (i * 397 * (seed + 1)) % size[0], (i * 211) % size[1]
        draw.ellipse([x, y, x + 300, y + 200], fill=((i * 37) % 255, (i * 91) % 255, (i * 53) % 255))
    noise = Image.merge("RGB", [Image.effect_noise(size, 40).convert("L") for _ in range(3)])
    out = io.BytesIO()
    Image.blend(base, noise, 0.15).save(out, "JPEG", quality=88)
    return out.getvalue()


class Command(BenchmarkCommand):
    help = "基准：全局档案册（30 个单位 × 100 张照片）作为后台任务的耗时、大小、峰值内存，以及导出请求的最长耗时。"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=30)
        parser.add_argument("--photos-per-unit", type=int, default=100)
        parser.add_argument("--repeat", type=int, default=1,
                            help="run inline and job alternately this many times (best of each); "
                                 "on a busy machine the CPU-time ratio is the steadier figure")
        parser.add_argument("--child", choices=["setup", "inline", "job", "overhead", "web"])

    def handle(self, *args, units, photos_per_unit, child, repeat, **options):
        if child:
            return getattr(self, f"child_{child}")(units, photos_per_unit)
        with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "MEDIA_ROOT": f"{tmp}/media",
                   "DJANGO_DEBUG": "1", "TMPDIR": tmp, "LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"}
            run = [sys.executable, "manage.py"]
            subprocess.run(run + ["migrate", "-v0"], env=env, check=True)
            for step in ["setup", *["inline", "job"] * repeat, "overhead", "web"]:
                result = subprocess.run(run + ["bench_jobs", "--child", step, "--units", str(units),
                                               "--photos-per-unit", str(photos_per_unit)],
                                        env=env, capture_output=True, text=True)
                self.stdout.write(result.stdout.rstrip())
                if result.returncode:
                    self.stderr.write(result.stderr[-3000:])
                    raise SystemExit(result.returncode)

    # --- steps -----------------------------------------------------------------------------

    def child_setup(self, units, per_unit):
        from datetime import date

        from django.core.files.uploadedfile import SimpleUploadedFile

        from ledgers.models import (Activity, ActivityCategory, ActivityPhoto, CampaignYear, Indicator, Role, Unit,
                                    User)

        start = time.perf_counter()
        year = CampaignYear.objects.create(year=2026, title="2026年度", is_current=True)
        office = Unit.objects.create(name="局办公室（文明办）", kind="section", code="bgs")
        admin = User(username="bench-admin", name="基准管理员", role=Role.ADMIN, unit=office)
        admin.set_password(PASSWORD)
        admin.save()
        category = ActivityCategory.objects.ensure_defaults().first()
        indicators = [Indicator.objects.create(year=year, code=f"3.{i}.1", title=f"基准指标{i}") for i in range(1, 6)]
        sources = [ActivityPhoto.build(SimpleUploadedFile(f"IMG_{i:04d}.jpg", photo_jpeg(i)), uploaded_by=admin)
                   for i in range(12)]
        for source in sources:
            source.save()
        per_activity = 4
        for u in range(units):
            unit = Unit.objects.create(name=f"基准学校{u + 1:02d}", kind="school", code=f"bench{u:02d}")
            photos = []
            for n in range(0, per_unit, per_activity):
                activity = Activity.objects.create(
                    year=year, unit=unit, title=f"基准活动{n // per_activity + 1}", category=category,
                    date=date(2026, 1 + n % 12, 1 + n % 28), status="approved", created_by=admin,
                    summary="基准测试" * 30)
                activity.indicators.add(indicators[n % len(indicators)])
                for k in range(min(per_activity, per_unit - n)):
                    src = sources[(n + k) % len(sources)]
                    photos.append(ActivityPhoto(
                        activity=activity, original=src.original.name, display=src.display.name,
                        thumbnail=src.thumbnail.name, original_name=f"P{n + k}.jpg", width=src.width,
                        height=src.height, sha256=f"{u}-{n + k}", uploaded_by=admin, sort_order=k,
                        caption=f"第 {n + k + 1} 张照片的说明：时间、地点、人物、事件"))
            ActivityPhoto.objects.bulk_create(photos)
        original_mb = sum(s.original.size for s in sources) / len(sources) / 1024 / 1024
        self.stdout.write(f"setup: {units} units x {per_unit} photos = {units * per_unit} photos "
                          f"(1600x1200 JPEG originals, {original_mb:.2f} MB each) in "
                          f"{Activity.objects.count()} activities, {time.perf_counter() - start:.1f} s")

    def _targets(self):
        from ledgers.models import CampaignYear, Unit

        import reports.binder  # noqa: F401 (WeasyPrint imported in the baseline)

        return Unit.objects.filter(kind="school").order_by("name"), CampaignYear.objects.current()

    def child_inline(self, units, per_unit):
        from reports import binder

        schools, year = self._targets()
        baseline = peak_rss_mb()
        start, cpu = time.perf_counter(), cpu_seconds()
        handle = binder.bureau_binder_zip(schools, year)
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        size = handle.seek(0, 2)
        self.stdout.write(f"inline bureau binder ZIP: {elapsed:.1f} s ({cpu:.1f} s CPU), {size / 1024 / 1024:.0f} MB, "
                          f"peak RSS {peak_rss_mb():.0f} MB (baseline with Django + WeasyPrint {baseline:.0f} MB)")
        record("inline-seconds", elapsed)
        record("inline-cpu", cpu)

    def child_job(self, units, per_unit):
        from ledgers.models import User
        from reports.jobs import start_job
        from reports.models import Job

        admin = User.objects.get(username="bench-admin")
        worker = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay",
                  "--interval", "0", "-v", "0"]
        subprocess.run(worker, check=True)  # an idle worker: its start-up CPU is not the job's
        idle_cpu = cpu_seconds(resource.RUSAGE_CHILDREN)
        job, _ = start_job(user=admin, kind="bureau_binder", params={"year": 2026, "period": "year"})
        queued = time.time()
        subprocess.run(worker, check=True)
        worker_rss = peak_rss_mb(resource.RUSAGE_CHILDREN)
        job_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - 2 * idle_cpu
        job.refresh_from_db()
        if job.status != "done":
            raise SystemExit(f"job ended {job.status}: {job.error}")
        elapsed = (job.finished_at - job.started_at).total_seconds()
        wait = job.started_at.timestamp() - queued
        record("job-seconds", elapsed)
        record("job-cpu", job_cpu)
        inline, inline_cpu = min(recorded("inline-seconds")), min(recorded("inline-cpu"))
        best, best_cpu = min(recorded("job-seconds")), min(recorded("job-cpu"))
        self.stdout.write(f"job bureau binder ZIP (db_worker process): {elapsed:.1f} s in the job ({job_cpu:.1f} s CPU) "
                          f"(+{max(wait, 0):.1f} s queue wait incl. worker start), {job.file_size / 1024 / 1024:.0f} MB, "
                          f"worker peak RSS {worker_rss:.0f} MB (goal < 400 MB)")
        self.stdout.write(f"  overhead vs inline so far (best of each): time {(best - inline) / inline * 100:+.1f} %, "
                          f"CPU {(best_cpu - inline_cpu) / inline_cpu * 100:+.1f} % (goal < 5 %)")
        self.stdout.write(f"  progress writes seen by the user: last stage {job.stage!r}; attempts {job.attempt}; "
                          f"{Job.objects.count()} job row(s)")

    def child_overhead(self, units, per_unit, rounds=3):
        """Inline and as a job (`run_job`, progress, heartbeat, storing the file) alternately in
        one process, so that both see the same machine: the cost of the job machinery itself."""
        from ledgers.models import User
        from reports import binder
        from reports.jobs import run_job, start_job

        schools, year = self._targets()
        admin = User.objects.get(username="bench-admin")
        inline, job = [], []
        for _ in range(rounds):
            start, cpu = time.perf_counter(), cpu_seconds()
            binder.bureau_binder_zip(schools, year).close()
            inline.append((time.perf_counter() - start, cpu_seconds() - cpu))
            queued, _ = start_job(user=admin, kind="bureau_binder", params={"year": 2026, "period": "spring"})
            queued.params = {"year": 2026, "period": "year"}  # the same export as inline
            queued.save(update_fields=["params"])
            start, cpu = time.perf_counter(), cpu_seconds()
            run_job.call(queued.pk, queued.attempt)
            job.append((time.perf_counter() - start, cpu_seconds() - cpu))
        iw, ic = min(w for w, _ in inline), min(c for _, c in inline)
        jw, jc = min(w for w, _ in job), min(c for _, c in job)
        self.stdout.write(f"overhead of the job machinery, same process, {rounds} rounds alternately (best of each): "
                          f"inline {iw:.1f} s / {ic:.1f} s CPU, job {jw:.1f} s / {jc:.1f} s CPU: "
                          f"time {(jw - iw) / iw * 100:+.1f} %, CPU {(jc - ic) / ic * 100:+.1f} % (goal < 5 %)")

    def child_web(self, units, per_unit):
        from datetime import timedelta

        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from ledgers.models import (Bulletin, CampaignYear, LetterTarget, Problem, ResponsibilityLetter, Unit,
                                    User)
        from ledgers.services.letters import letters_generate
        from reports.views.documents import PROBLEM_EXPORT_INLINE_ROWS

        admin = User.objects.get(username="bench-admin")
        year = CampaignYear.objects.current()
        school = Unit.objects.filter(kind="school").order_by("name").first()
        LetterTarget.objects.create(year=year, order=1, text="成立文明创建领导小组", points=10)
        letters_generate(year=year, user=admin)
        letter = ResponsibilityLetter.objects.filter(unit=school).first()
        today = timezone.localdate()
        schools = list(Unit.objects.filter(kind="school"))
        Problem.objects.bulk_create([
            Problem(year=year, unit=schools[n % len(schools)], description=f"基准问题{n}：走廊有垃圾未清理",
                    found_on=today - timedelta(days=n % 60), iso_year=today.isocalendar()[0],
                    iso_week=today.isocalendar()[1], deadline=today, raised_by=admin)
            for n in range(PROBLEM_EXPORT_INLINE_ROWS)])
        iso_year, iso_week = today.isocalendar()[:2]
        bulletin = Bulletin.objects.create(year=year, iso_year=iso_year, iso_week=iso_week, created_by=admin)

        client = Client()
        client.force_login(admin)
        requests = [
            ("POST", "档案册 PDF（一个单位，开始任务）", reverse("reports:binder_pdf") + f"?unit={school.pk}"),
            ("POST", "原图 ZIP（一个单位，开始任务）", reverse("reports:binder_zip") + f"?unit={school.pk}"),
            ("POST", "全局档案册 ZIP（开始任务）", reverse("reports:bureau_binder") + "?year=2026"),
            ("POST", "全部责任书 PDF（开始任务）", reverse("reports:letter_year_pdf")),
            ("POST", "整改台账 Excel（开始任务）", reverse("reports:problem_export")),
            ("GET", f"整改台账 Excel（{PROBLEM_EXPORT_INLINE_ROWS} 条，当场生成）", reverse("reports:problem_export")),
            ("GET", "一份责任书 PDF（当场生成）", reverse("reports:letter_pdf", args=[letter.pk])),
            ("GET", "督查通报 PDF（当场生成）", reverse("reports:bulletin_pdf", args=[bulletin.pk])),
            ("GET", "我的下载", reverse("reports:downloads")),
        ]
        client.get(reverse("reports:downloads"))  # warm up (imports, templates)
        longest = (0, "")
        for method, label, url in requests:
            timings, cpus = [], []
            for _ in range(3):
                start, cpu = time.perf_counter(), cpu_seconds()
                response = getattr(client, method.lower())(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                timings.append(time.perf_counter() - start)
                cpus.append(cpu_seconds() - cpu)
                assert response.status_code in (200, 302), (label, response.status_code)
            best, best_cpu = min(timings), min(cpus)
            longest = max(longest, (best, best_cpu, label))
            self.stdout.write(f"web {method} {label}: {best * 1000:.0f} ms, {best_cpu * 1000:.0f} ms CPU (best of 3)")
        self.stdout.write(f"longest export request: {longest[0] * 1000:.0f} ms ({longest[1] * 1000:.0f} ms CPU) — "
                          f"{longest[2]} (goal < 1 s)")
