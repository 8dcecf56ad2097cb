"""Benchmark (not a test): the object store against the local disk, side by side in one run.

    DEBUG=1 .venv/bin/python manage.py bench_storage [--photos 300] [--repeat 3]

Starts SeaweedFS on loopback through bin/with-seaweedfs (unless STORAGE_BACKEND=s3 is already
set, e.g. `bin/with-seaweedfs .venv/bin/python manage.py bench_storage`), then measures, for
local files and for the S3 store, each step in its own child process (`--child ...`, own SQLite
database) so that each peak resident memory belongs to one step only:

- ingest: a 12-megapixel camera JPEG stored with its display copy and thumbnail (best of
  `--repeat`), the same code path as an upload;
- binder PDF and binder ZIP of one unit's year with `--photos` photos read from the store.

The steps alternate between the two backends so that a noisy shared machine weighs on both
alike. Prints seconds and peak RSS per backend and the ratio s3 / local (goals: ingest and
binder ≤ 1.5× local).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings

from benchmarks.scratch import BenchmarkCommand


from .bench_photos import UNIT, camera_jpeg

GOAL = 1.5


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BenchmarkCommand):
    help = "基准：照片入库与 300 张照片档案册，对象存储（SeaweedFS）与本地磁盘同场对比。"

    def add_arguments(self, parser):
        parser.add_argument("--photos", type=int, default=300)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--child", choices=["ingest", "setup", "pdf", "zip"])

    def handle(self, *args, photos, repeat, child, **options):
        if child:
            return getattr(self, f"child_{child}")(photos, repeat)
        if os.environ.get("STORAGE_BACKEND") != "s3" or not os.environ.get("AWS_S3_ENDPOINT_URL"):
            wrapper = Path(settings.BASE_DIR) / "bin" / "with-seaweedfs"
            command = [str(wrapper), sys.executable, "manage.py", "bench_storage", "--photos", str(photos),
                       "--repeat", str(repeat)]
            sys.exit(subprocess.run(command, cwd=settings.BASE_DIR).returncode)
        self.compare(photos, repeat)

    def compare(self, photos, repeat):
        results = {"local": {}, "s3": {}}
        with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
            envs = {}
            for backend in results:
                envs[backend] = {
                    **os.environ, "STORAGE_BACKEND": backend, "DJANGO_DEBUG": "1",
                    "DATABASE_URL": f"sqlite:///{tmp}/{backend}.sqlite3", "MEDIA_ROOT": f"{tmp}/media",
                    "AWS_LOCATION": f"bench-{os.getpid()}",
                }
            run = [sys.executable, "manage.py"]
            for backend, env in envs.items():
                subprocess.run(run + ["migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
            for step in ["ingest", "setup", "pdf", "zip"]:
                for backend, env in envs.items():
                    out = subprocess.run(run + ["bench_storage", "--child", step, "--photos", str(photos),
                                                "--repeat", str(repeat)],
                                         env=env, check=True, capture_output=True, text=True, cwd=settings.BASE_DIR)
                    results[backend][step] = json.loads(out.stdout.strip().splitlines()[-1])
        local, s3 = results["local"], results["s3"]
        self.stdout.write(f"bench_storage: SeaweedFS S3 gateway {os.environ['AWS_S3_ENDPOINT_URL']} vs local disk, "
                          f"{photos} photos in the binder")
        self.stdout.write(f"{'step':<44}{'local':>16}{'s3':>16}{'s3/local':>10}")
        for step, label in [("ingest", f"ingest 12 MP JPEG ({local['ingest']['mb']:.1f} MB), best of {repeat}"),
                            ("setup", f"store {photos} photos (2000x1500), total"),
                            ("pdf", f"binder PDF, {photos} photos"), ("zip", f"binder ZIP, {photos} originals")]:
            a, b = local[step], s3[step]
            self.stdout.write(f"{label + ' time':<44}{a['seconds']:>14.2f} s{b['seconds']:>14.2f} s"
                              f"{b['seconds'] / a['seconds']:>9.2f}x")
            self.stdout.write(f"{'  peak RSS':<44}{a['rss']:>13.0f} MB{b['rss']:>13.0f} MB"
                              f"{b['rss'] / a['rss']:>9.2f}x")
        for step, name in [("ingest", "ingest"), ("pdf", "binder PDF"), ("zip", "binder ZIP")]:
            ratio = s3[step]["seconds"] / local[step]["seconds"]
            verdict = "meets" if ratio <= GOAL else "MISSES"
            self.stdout.write(f"goal {name} ≤ {GOAL}x local: {ratio:.2f}x ({verdict})")

    def emit(self, **figures):
        figures["rss"] = peak_rss_mb()
        self.stdout.write(json.dumps(figures))

    def child_ingest(self, photos, repeat):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from ledgers.models import ActivityPhoto, User

        user = User.objects.create(username="bench", name="bench")
        data = camera_jpeg()
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            ActivityPhoto.build(SimpleUploadedFile("IMG_12MP.jpg", data), uploaded_by=user).save()
            timings.append(time.perf_counter() - start)
        self.emit(seconds=min(timings), mb=len(data) / 1024 / 1024)

    def child_setup(self, photos, repeat):
        from benchmarks.management.commands.bench_photos import Command as BenchPhotos

        start = time.perf_counter()
        BenchPhotos(stdout=open(os.devnull, "w")).child_setup(photos)
        self.emit(seconds=time.perf_counter() - start)

    def _unit_year(self):
        from ledgers.models import CampaignYear, Unit

        import reports.binder  # noqa: F401  (WeasyPrint imported before the step, as in a worker)

        return Unit.objects.get(name=UNIT), CampaignYear.objects.current()

    def child_pdf(self, photos, repeat):
        from reports import binder

        unit, year = self._unit_year()
        start = time.perf_counter()
        handle = binder.binder_pdf(unit, year)
        handle.seek(0, 2)
        self.emit(seconds=time.perf_counter() - start)

    def child_zip(self, photos, repeat):
        from reports import binder

        unit, year = self._unit_year()
        start = time.perf_counter()
        handle = binder.binder_zip(unit, year)
        handle.seek(0, 2)
        self.emit(seconds=time.perf_counter() - start)
