"""Benchmark (not a test): photo ingest time and the peak memory of a 300-photo archive binder.

    DEBUG=1 .venv/bin/python manage.py bench_photos [--photos 300]

Runs in a temporary directory with its own SQLite database and MEDIA_ROOT, in child processes
(`--child ...`) so that each peak resident memory (ru_maxrss, which counts WeasyPrint's and
Pillow's C allocations) belongs to one step only. Prints plain lines.
"""
import io
import os
import resource
import subprocess
import sys
import tempfile
import time

from benchmarks.scratch import BenchmarkCommand

UNIT = "基准测试学校"


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def camera_jpeg(size=(4000, 3000), seed=1):
    """A 12-megapixel JPEG that compresses like a real photo: shapes plus sensor-like noise."""
    from PIL import Image, ImageDraw

    base = Image.new("RGB", size, (90 + seed % 100, 120, 150))
    draw = ImageDraw.Draw(base)
    for i in range(40):
        x, y = (i * 397 * seed) % size[0], (i * 211) % size[1]
        draw.ellipse([x, y, x + 600, y + 400], fill=((i * 37) % 255, (i * 91) % 255, (i * 53) % 255))
    noise = Image.merge("RGB", [Image.effect_noise(size, 40).convert("L") for _ in range(3)])
    photo = Image.blend(base, noise, 0.18)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    return out.getvalue()


class Command(BenchmarkCommand):
    help = "基准：12 MP 照片入库耗时；300 张照片档案册（PDF + ZIP）的峰值内存。"

    def add_arguments(self, parser):
        parser.add_argument("--photos", type=int, default=300)
        parser.add_argument("--child", choices=["ingest", "setup", "baseline", "pdf", "zip"])

    def handle(self, *args, photos, child, **options):
        if child:
            return getattr(self, f"child_{child}")(photos)
        with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "MEDIA_ROOT": f"{tmp}/media",
                   "DJANGO_DEBUG": "1"}
            run = [sys.executable, "manage.py"]
            subprocess.run(run + ["migrate", "-v0"], env=env, check=True)
            for step in ["ingest", "setup", "baseline", "pdf", "zip"]:
                result = subprocess.run(run + ["bench_photos", "--child", step, "--photos", str(photos)], env=env,
                                        check=True, capture_output=True, text=True)
                self.stdout.write(result.stdout.rstrip())

    def child_ingest(self, photos):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from ledgers.models import ActivityPhoto, User

        user = User.objects.create(username="bench", name="bench")
        data = camera_jpeg()
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            ActivityPhoto.build(SimpleUploadedFile("IMG_12MP.jpg", data), uploaded_by=user)
            timings.append(time.perf_counter() - start)
        self.stdout.write(f"ingest 12MP JPEG ({len(data) / 1024 / 1024:.1f} MB, 4000x3000) incl. display + thumbnail: "
                          f"best {min(timings):.2f} s, mean {sum(timings) / len(timings):.2f} s; "
                          f"peak RSS {peak_rss_mb():.0f} MB")

    def child_setup(self, photos):
        from datetime import date

        from django.core.files.uploadedfile import SimpleUploadedFile

        from ledgers.models import Activity, ActivityCategory, ActivityPhoto, CampaignYear, Indicator, Unit, User

        year = CampaignYear.objects.create(year=2026, is_current=True)
        unit = Unit.objects.create(name=UNIT, kind="school", code="bench")
        user = User.objects.get(username="bench")
        category = ActivityCategory.objects.ensure_defaults().first()
        indicators = [Indicator.objects.create(year=year, code=f"3.{i}.1", title=f"基准指标{i}") for i in range(1, 6)]
        start = time.perf_counter()
        per_activity = 4
        sources = [camera_jpeg((2000, 1500), seed=i + 1) for i in range(12)]  # noise is slow to make
        for n in range(0, photos, per_activity):
            activity = Activity.objects.create(year=year, unit=unit, title=f"基准活动{n // per_activity + 1}",
                                               category=category, date=date(2026, 1 + n % 12, 1 + n % 28),
                                               status="approved", created_by=user, summary="基准测试" * 30)
            activity.indicators.add(indicators[n % len(indicators)])
            for k in range(min(per_activity, photos - n)):
                data = sources[(n + k) % len(sources)]
                ActivityPhoto.build(SimpleUploadedFile(f"P{n + k}.jpg", data), uploaded_by=user, activity=activity,
                                    caption=f"第 {n + k + 1} 张照片的说明：时间、地点、人物、事件").save()
        self.stdout.write(f"setup: {photos} photos (2000x1500) in {Activity.objects.count()} activities, "
                          f"{time.perf_counter() - start:.1f} s")

    def _unit_year(self):
        from ledgers.models import CampaignYear, Unit

        import reports.binder  # noqa: F401  (imports WeasyPrint, so the baseline includes it)

        return Unit.objects.get(name=UNIT), CampaignYear.objects.current()

    def child_baseline(self, photos):
        self._unit_year()
        self.stdout.write(f"baseline (Django + WeasyPrint imported): peak RSS {peak_rss_mb():.0f} MB")

    def child_pdf(self, photos):
        from reports import binder

        unit, year = self._unit_year()
        start = time.perf_counter()
        handle = binder.binder_pdf(unit, year)
        size = handle.seek(0, 2)
        self.stdout.write(f"binder PDF, {photos} photos: {time.perf_counter() - start:.1f} s, "
                          f"{size / 1024 / 1024:.1f} MB, peak RSS {peak_rss_mb():.0f} MB")

    def child_zip(self, photos):
        from reports import binder

        unit, year = self._unit_year()
        start = time.perf_counter()
        handle = binder.binder_zip(unit, year)
        size = handle.seek(0, 2)
        self.stdout.write(f"binder ZIP, {photos} originals: {time.perf_counter() - start:.1f} s, "
                          f"{size / 1024 / 1024:.1f} MB, peak RSS {peak_rss_mb():.0f} MB")
