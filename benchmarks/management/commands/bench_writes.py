"""Benchmark (not a test): mixed writes from many people at once under gunicorn, counting failures.

    DJANGO_DEBUG=1 .venv/bin/python manage.py bench_writes [--duration 180] [--workers 4] [--liaisons 16]
    bin/with-postgres --scratch env DJANGO_DEBUG=1 .venv/bin/python manage.py bench_writes   # on PostgreSQL

Loads the demo data into its own database (a temporary SQLite file, or `--database-url`, default
$BENCH_DATABASE_URL: the empty PostgreSQL database `bin/with-postgres --scratch` hands over) and collects
the static files, as `bench_pages` does. A child process signs the people in and puts problems of their
units up for re-checking (the inspector's work). Then, with DEBUG=0 and the production settings, it
starts gunicorn (`--workers`) and a `manage.py db_worker` beside it, and for `--duration` seconds drives
real HTTP from one thread per person, each fetching a form before posting it (its CSRF token and
fields, as a browser does) and following the redirect after a save:

- `--liaisons` school liaisons (郾城区), each on the phone capture: the new-activity form, a photo sent
  with the form's batch token to /activities/photos/upload/, then the form saved;
- an admin editing tasks (/tasks/<pk>/edit/), adding the liaisons' units to the responsible units
  and removing them again;
- an admin importing a small task table naming the liaisons' units (upload → 核对列对应 → 预览 → 确认导入);
- an inspector recording a check with a problem, and re-checking a problem waiting for it (复查).

Prints a table per kind of request (count, answers by status, 500s, p50 and p99 latency), the
deadlocks PostgreSQL reported in the gunicorn and worker logs, whether every write the server accepted is
in the database afterwards (activities with their photo, each task's last saved units, imported tasks,
checks, problems, re-checks), the background jobs run meanwhile, and a last line `errors: N`.
"""
import io
import json
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError

from benchmarks.scratch import BenchmarkCommand

from benchmarks.http_client import Browser
from benchmarks.http_client import forms_of
from benchmarks.harness import (
    ROOT, add_database_url, database_label, load_demo, print_json, production_env, run_child, served)

PEOPLE = ["liaison", "admin", "import", "inspector"]  # the order of the table's rows
# (what, label) of the accepted writes looked for afterwards (child_verify)
WRITES = [("activities", "activities"), ("activity_photos", "their photos attached"), ("photos", "photos uploaded"),
          ("tasks", "tasks with their last saved units"), ("imports", "imported tasks"), ("checks", "checks submitted"),
          ("problems", "problems raised"), ("rechecks", "re-checks")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Interrupted(Exception):
    """An answer the flow did not expect: recorded; the person starts over."""


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def form_of(answer, wanted):
    """The page's form that has the control `wanted` (a name), or whose action contains `wanted` (a path part)."""
    for form in forms_of(answer.text):
        if wanted in form.attrs or (wanted.startswith("/") and wanted in form.action):
            return form
    raise LookupError(f"no form with {wanted} on {answer.url}")  # shown among the unexpected answers


def photo_bytes(seed):
    """A photo as a phone sends it after shrinking: an 800 × 600 JPEG of 230–280 KB (noise: it compresses
    as badly as a photo does); `seed` gives a different one."""
    from PIL import Image

    image = Image.effect_noise((800, 600), 40 + seed % 30).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def table_row(label, times, statuses):
    return (f"{label:46} {len(times):6d} {statistics.median(times) if times else 0:6.0f} ms "
            f"{percentile(times, 0.99) if times else 0:6.0f} ms {statuses[500]:5d}  ")


def task_table(rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "测评内容", "责任单位", "完成时限"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@contextmanager
def db_worker(env, log_path):
    """`manage.py db_worker` running beside the servers, as in production; stopped on leaving."""
    with open(log_path, "wb") as log:
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                                   "--interval", "0.5"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield
        finally:
            worker.terminate()
            worker.wait(timeout=60)


class Load:
    """The people's threads, what they were answered, and the writes the server accepted."""

    def __init__(self, base, people, duration):
        self.base, self.people = base, people
        self.tag = secrets.token_hex(2)  # in every title and description this run writes
        self.photos = [photo_bytes(i) for i in range(8)]
        self.lock = threading.Lock()
        self.answers = defaultdict(list)  # kind -> [(status, ms)]
        self.unexpected = []  # (kind, status, what the page said)
        self.accepted = {"activities": [], "photos": [], "tasks": {}, "imports": [], "checks": [],
                         "problems": [], "rechecks": []}
        self.rechecked, self.first_units = set(), {}  # the inspector's and the task editor's own
        self.deadline = time.monotonic() + duration

    # --- requests ---------------------------------------------------------------------------------

    def record(self, kind, answer, expected):
        with self.lock:
            self.answers[kind].append((answer.status, answer.ms))
            if answer.status != expected:
                self.unexpected.append((kind, answer.status, page_message(answer)))
        if answer.status != expected:
            raise Interrupted(kind)
        return answer

    def get(self, browser, kind, path):
        return self.record(kind, browser.get(path), 200)

    def post(self, browser, kind, page, form, *, button=None, files=(), expected=302):
        return self.record(kind, browser.submit(page, form, button=button, files=files), expected)

    def accept(self, what, value):
        with self.lock:
            self.accepted[what].append(value)

    def run(self, flow, browser, person):
        round_ = 0
        while time.monotonic() < self.deadline:
            try:
                flow(browser, round_, person)
            except Interrupted:
                time.sleep(0.5)
            except Exception:  # noqa: BLE001 -- a fault of the benchmark itself: shown, and the person goes on
                with self.lock:
                    self.unexpected.append(("benchmark", "fault", traceback.format_exc(limit=3)[-300:]))
                time.sleep(0.5)
            round_ += 1

    def start(self):
        p = self.people
        threads = [threading.Thread(target=self.run, args=(self.phone, Browser(self.base, who["session"]), who))
                   for who in p["liaisons"]]
        threads += [threading.Thread(target=self.run, args=(flow, Browser(self.base, session), None))
                    for flow, session in ((self.edit_task, p["task_admin"]), (self.import_tasks, p["import_admin"]),
                                          (self.inspect, p["inspector"]))]
        for thread in threads:
            thread.start()
        return threads

    # --- what each person does ----------------------------------------------------------------------

    def phone(self, b, n, who):
        page = self.get(b, "liaison GET /activities/new/", "/activities/new/")
        form = form_of(page, "capture_batch")
        user_id = re.search(r'data-user-id="(\d+)"', page.text)[1]
        photo = self.send_photo(b, form, user_id, self.photos[(who["index"] + n) % len(self.photos)])
        title = f"第{n + 1}次升旗仪式（{who['unit_name']}·{self.tag}）"
        form.set("title", title)
        form.set("category", next(v for v in form.choices["category"] if v))
        for name, value in (("place", "学校操场"), ("participants", "全体师生"), ("organizer", "少先队大队部"),
                            ("summary", "周一升旗仪式，国旗下讲话主题为文明礼仪。")):
            form.set(name, value)
        saved = self.post(b, "liaison POST /activities/new/", page, form, button=("save", "1"))
        self.accept("activities", [int(re.search(r"/activities/(\d+)/", saved.location)[1]), title, photo])
        self.get(b, "liaison GET /activities/<pk>/", saved.location)

    def send_photo(self, b, form, user_id, jpeg):
        """What the phone's upload queue (static/js/capture.js) sends for one photo, with the form's batch token."""
        upload = b.request("POST", "/activities/photos/upload/", multipart=True,
                           headers={"X-CSRFToken": form.get("csrfmiddlewaretoken")}, fields=[
                               ("key", secrets.token_hex(12)), ("user", user_id), ("activity", ""),
                               ("batch", form.get("capture_batch")), ("sha256", ""), ("taken_at", ""),
                               ("caption", "升旗仪式现场"), ("photo", ("IMG_0001.jpg", jpeg, "image/jpeg"))])
        photo = json.loads(self.record("liaison POST /activities/photos/upload/", upload, 201).body)["id"]
        self.accept("photos", photo)
        return photo

    def edit_task(self, b, n, _who):
        tasks = self.people["tasks"]
        task = tasks[n % len(tasks)]
        page = self.get(b, "admin GET /tasks/<pk>/edit/", f"/tasks/{task}/edit/")
        form = form_of(page, "units")
        first = self.first_units.setdefault(task, form.getlist("units"))
        adding = (n // len(tasks)) % 2 == 0  # the liaisons' units added on one visit, removed on the next
        units = sorted({*first, *(self.people["liaison_units"] if adding else [])}, key=int)
        form.set("units", *units)
        saved = self.post(b, "admin POST /tasks/<pk>/edit/", page, form)
        with self.lock:
            self.accepted["tasks"][task] = units
        self.get(b, "admin GET /tasks/<pk>/", saved.location)

    def import_tasks(self, b, n, _who):
        names = self.people["liaison_unit_names"]
        rows = [[i + 1, f"第{n + 1}批第{i + 1}项：文明校园创建工作（{self.tag}）",
                 "、".join(names[(n * 3 + i + k) % len(names)] for k in range(2)), "6月底"] for i in range(3)]
        page = self.get(b, "import GET /tasks/import/", "/tasks/import/")
        uploaded = self.post(b, "import POST /tasks/import/", page, form_of(page, "file"),
                             files=[("file", f"任务分解表{n + 1}.xlsx", task_table(rows), XLSX)])
        mapping = self.get(b, "import GET /imports/<pk>/", uploaded.location)
        mapped = self.post(b, "import POST /imports/<pk>/", mapping, form_of(mapping, "header_first"),
                           button=("preview", "1"))
        preview = self.get(b, "import GET /imports/<pk>/preview/", mapped.location)
        done = self.post(b, "import POST /imports/<pk>/run/", preview, form_of(preview, "/run/"))
        for row in rows:
            self.accept("imports", row[1])
        self.get(b, "import GET /imports/<pk>/done/", done.location)

    def inspect(self, b, n, _who):
        units = self.people["liaison_units"]
        page = self.get(b, "inspector GET /checks/new/", f"/checks/new/?template={self.people['template']}")
        form = form_of(page, "unit")
        form.set("unit", units[n % len(units)])
        for name, attrs in form.attrs.items():
            if name.startswith("score_"):
                form.set(name, attrs.get("max", "0"))
        form.set("remarks", "校园整体整洁，个别楼道有杂物。")
        saved = self.post(b, "inspector POST /checks/new/", page, form, button=("submit", ""))
        self.accept("checks", int(re.search(r"/checks/(\d+)/", saved.location)[1]))
        check = self.get(b, "inspector GET /checks/<pk>/", saved.location)
        raise_form = form_of(check, "/problems/new/")
        description = f"第{n + 1}次督查发现：二楼楼道堆放杂物（{self.tag}）"
        raise_form.set("description", description)
        raised = self.post(b, "inspector POST /problems/new/?check=<pk>", check, raise_form)
        self.accept("problems", description)
        self.get(b, "inspector GET /checks/<pk>/", raised.location)
        self.recheck(b, n)

    def recheck(self, b, n):
        listing = self.get(b, "inspector GET /problems/?status=review", "/problems/?status=review")
        waiting = [int(pk) for pk in re.findall(r'href="/problems/(\d+)/"', listing.text)]
        waiting = [pk for pk in waiting if pk not in self.rechecked]
        if not waiting:
            return
        pk, close = waiting[0], n % 2 == 0
        self.rechecked.add(pk)
        page = self.get(b, "inspector GET /problems/<pk>/", f"/problems/{pk}/")
        form = form_of(page, "note")
        form.set("note", "复查合格，同意销号。" if close else "杂物未清理干净，请重新整改。")
        done = self.post(b, "inspector POST /problems/<pk>/ (re-check)", page, form,
                         button=("action", "close" if close else "reject"))
        self.accept("rechecks", [pk, "closed" if close else "rectifying"])
        self.get(b, "inspector GET /problems/<pk>/", done.location)


def page_message(answer):
    """What a page said instead of the expected answer: its error messages, else the start of its text."""
    found = re.findall(r'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)</(?:div|ul|p|span)>',
                       answer.text, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", " ".join(found) or answer.text).split())[:200]


class Command(BenchmarkCommand):
    help = "基准：多人同时写入（联络员手机上传活动、局文明办编辑和导入任务、督导组检查和复查），统计 500、死锁和丢失的写入。"

    def add_arguments(self, parser):
        add_database_url(parser)
        parser.add_argument("--duration", type=int, default=180, help="seconds of load (180)")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
        parser.add_argument("--liaisons", type=int, default=16, help="school liaisons on their phones (16)")
        parser.add_argument("--child", choices=["people", "jobs", "verify"])
        parser.add_argument("--accepted", help=CHILD_ONLY)

    def handle(self, *args, database_url, child, **options):
        if child:
            return print_json(self.stdout, getattr(self, f"child_{child}")(**options))
        with tempfile.TemporaryDirectory(prefix="bench-writes-") as tmp:
            env = production_env(tmp, database_url)
            database = database_label(env)
            self.stdout.write(f"demo data on {database} loaded in {load_demo(env):.0f} s")
            people = run_child("bench_writes", ["--child", "people", "--liaisons", str(options["liaisons"]),
                                                "--duration", str(options["duration"])], env)
            with db_worker(env, Path(tmp) / "db_worker.log"):
                before = run_child("bench_writes", ["--child", "jobs"], env)  # the set-up's jobs done first
                with served(env, tmp, "wenming.wsgi", options["workers"]) as base:
                    load, seconds = self.load(base, people, options["duration"])
                found = self.verify(env, tmp, load)
            logs = {"gunicorn": (Path(tmp) / "gunicorn-wenming.wsgi.log").read_text(errors="replace"),
                    "worker": (Path(tmp) / "db_worker.log").read_text(errors="replace")}
            self.report(database, load, seconds, people, found, before, logs, **options)

    def load(self, base, people, duration):
        load = Load(base, people, duration)
        started = time.monotonic()
        for thread in load.start():
            thread.join()
        return load, time.monotonic() - started

    def verify(self, env, tmp, load):
        path = Path(tmp) / "accepted.json"
        path.write_text(json.dumps(load.accepted))
        return run_child("bench_writes", ["--child", "verify", "--accepted", str(path)], env)

    # --- the parent prints --------------------------------------------------------------------------

    def report(self, database, load, seconds, people, found, before, logs, *, workers, liaisons, **options):
        w = self.stdout.write
        w(f"mixed writes on {database} (demo data): {seconds:.0f} s, gunicorn {workers} workers + a db_worker, "
          f"DEBUG=0; {liaisons} liaisons on the phone capture, an admin editing tasks, an admin importing, "
          "an inspector")
        w(f"{'request':46} {'count':>6} {'p50':>9} {'p99':>9} {'500s':>5}  answers")
        every = {"times": [], "statuses": Counter()}
        for kind, answers in sorted(load.answers.items(), key=lambda item: PEOPLE.index(item[0].split()[0])):
            statuses = Counter(status for status, _ms in answers)
            every["times"] += [ms for _status, ms in answers]
            every["statuses"].update(statuses)
            w(table_row(kind, [ms for _status, ms in answers], statuses)
              + " ".join(f"{s or 'none'}×{c}" for s, c in sorted(statuses.items())))
        w(table_row("all", every["times"], every["statuses"]) + f"{len(every['times']) / seconds:.1f} requests/s")
        # PostgreSQL's error, once per traceback (Django's OperationalError wrapping it says it again)
        deadlocks = {name: len(re.findall(r"^\S*DeadlockDetected: deadlock detected", text, re.M))
                     for name, text in logs.items()}
        line = (f"deadlocks (\"deadlock detected\" in the logs): gunicorn {deadlocks['gunicorn']}, "
                f"db_worker {deadlocks['worker']}")
        if database == "SQLite":
            locked = {name: text.count("database is locked") for name, text in logs.items()}
            line += f"; \"database is locked\": gunicorn {locked['gunicorn']}, db_worker {locked['worker']}"
        w(line)
        missing = sum(found[what][1] - found[what][0] for what, _label in WRITES)
        w("accepted writes found in the database: "
          + ", ".join(f"{label} {found[what][0]}/{found[what][1]}" for what, label in WRITES))
        jobs = {status: count - before.get(status, 0) for status, count in found["jobs"].items()}
        w("background jobs during the load: " + (", ".join(f"{s.lower()} {c}" for s, c in sorted(jobs.items()) if c)
                                                 or "none")
          + f" (problems waiting for a re-check at the start: {people['review']})")
        for kind, status, message in load.unexpected[:10]:
            w(f"  unexpected: {kind} → {status or 'no answer'}: {message}")
        if len(load.unexpected) > 10:
            w(f"  … and {len(load.unexpected) - 10} more unexpected answers")
        failed = jobs.get("FAILED", 0)
        w(f"errors: {len(load.unexpected) + deadlocks['worker'] + missing + failed} (unexpected answers "
          f"{len(load.unexpected)}, of them 500s {every['statuses'][500]}; deadlocks in the worker "
          f"{deadlocks['worker']}; accepted writes missing {missing}; failed jobs {failed})")

    # --- children ---------------------------------------------------------------------------------

    def child_people(self, *, liaisons, duration, **options):
        """Sessions for everyone, the tasks to edit, the check template, and problems put up for re-checking."""
        from django.test import Client

        from ledgers.models import CampaignYear, CheckTemplate, Role, Task, UnitKind, User

        admin, inspector = User.objects.get(username="admin"), User.objects.get(username="inspector")
        bureau, year = admin.owning_bureau(), CampaignYear.objects.current()
        chosen = list(User.objects.filter(role=Role.LIAISON, is_active=True, unit__bureau=bureau, unit__is_active=True,
                                          unit__kind=UnitKind.SCHOOL).select_related("unit").order_by("username"))
        if len(chosen) < liaisons:
            raise CommandError(f"the demo has {len(chosen)} school liaisons in {bureau}, not {liaisons}")
        chosen = chosen[:liaisons]

        def session(user):
            client = Client()
            client.force_login(user)
            return client.cookies["sessionid"].value

        templates = CheckTemplate.objects.active().for_year(year).for_bureau(inspector.owning_bureau())
        tasks = Task.objects.filter(bureau=bureau, year=year, parent__isnull=True).order_by("pk")
        return {
            "liaisons": [{"index": i, "session": session(u), "unit_name": u.unit.name} for i, u in enumerate(chosen)],
            "liaison_units": [str(u.unit_id) for u in chosen],
            "liaison_unit_names": [u.unit.name for u in chosen],
            "task_admin": session(admin), "import_admin": session(admin), "inspector": session(inspector),
            "tasks": list(tasks.values_list("pk", flat=True)[:3]), "template": templates.order_by("pk").first().pk,
            "review": put_up_for_recheck(inspector, chosen, max(10, duration // 2)),
        }

    def child_jobs(self, **options):
        """Waits (up to two minutes) until the worker has run every job due; the jobs by status."""
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).exists():
            time.sleep(1)
        return dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).order_by())

    def child_verify(self, *, accepted, **options):
        """[found, accepted] for each kind of write the server answered as saved."""
        from ledgers.models import Activity, ActivityPhoto, Check, CheckStatus, Problem, Task, TaskAssignment

        data = json.loads(Path(accepted).read_text())
        activities = data["activities"]
        titles = dict(Activity.objects.filter(pk__in=[a[0] for a in activities]).values_list("pk", "title"))
        photos = ActivityPhoto.objects.filter(pk__in=[a[2] for a in activities])
        attached = set(photos.values_list("pk", "activity_id"))
        units = defaultdict(set)
        for task, unit in TaskAssignment.objects.filter(task__in=list(data["tasks"])).values_list("task", "unit"):
            units[str(task)].add(str(unit))
        statuses = dict(Problem.objects.filter(pk__in=[r[0] for r in data["rechecks"]]).values_list("pk", "status"))
        return {
            "activities": [sum(titles.get(pk) == title for pk, title, _photo in activities), len(activities)],
            "activity_photos": [sum((photo, pk) in attached for pk, _title, photo in activities), len(activities)],
            "photos": [ActivityPhoto.objects.filter(pk__in=data["photos"]).count(), len(data["photos"])],
            "tasks": [sum(units[task] == set(wanted) for task, wanted in data["tasks"].items()), len(data["tasks"])],
            "imports": [Task.objects.filter(title__in=data["imports"]).values("title").distinct().count(),
                        len(set(data["imports"]))],
            "checks": [Check.objects.filter(pk__in=data["checks"], status=CheckStatus.SUBMITTED).count(),
                       len(data["checks"])],
            "problems": [Problem.objects.filter(description__in=data["problems"]).count(), len(data["problems"])],
            "rechecks": [sum(statuses.get(pk) == status for pk, status in data["rechecks"]), len(data["rechecks"])],
            "jobs": self.child_jobs(),
        }


CHILD_ONLY = "(used by the command's own child processes)"


def put_up_for_recheck(inspector, liaisons, count):
    """`count` problems raised for the liaisons' units and rectified by them (待复查), so the inspector
    has re-checks to do all along; the number now waiting."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ledgers.models import Problem, ProblemStatus
    from ledgers.services.problems import problem_raise, problem_start, problem_submit_rectification

    for i in range(count):
        liaison = liaisons[i % len(liaisons)]
        problem = problem_raise(user=inspector, unit=liaison.unit, description=f"操场东侧卫生死角（{i + 1}）")
        problem_start(problem=problem, user=liaison)
        photo = SimpleUploadedFile("after.jpg", photo_bytes(i), content_type="image/jpeg")
        problem_submit_rectification(problem=problem, user=liaison, note="已清理干净。", photos=[photo])
    return Problem.objects.filter(unit__in=[u.unit_id for u in liaisons], status=ProblemStatus.REVIEW).count()
