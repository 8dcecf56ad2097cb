"""Benchmark (not a test): the monthly summary and the year's problem export at city scale.

    DEBUG=1 .venv/bin/python manage.py bench_reports [--units 330] [--districts 10] [--database-url postgres://…]

Builds, in its own database (a temporary SQLite file unless --database-url names an empty
PostgreSQL database) and a temporary MEDIA_ROOT, one city-scale year: 330 units, 52 weeks of
checks (17,160), about 85,000 problems, 33,000 activities with five tiny photos each, tasks
and letters (on PostgreSQL followed by VACUUM ANALYZE of those tables, which autovacuum would do
on a live database). Then measures, each step in its own child process so that peak memory
(VmHWM: the process's peak resident set, C allocations included) belongs to that step only:

- month summary data: `monthly_summary()` — time and query count;
- with `--districts N` (a city shape: the units spread over N district bureaus under a city
  bureau, e.g. 10 × 33): the city's month summary with its district ranking
  (`monthly_summary(bureau=city)`) and one district's summary — time and query count, which
  must not grow with districts or units;
- month PDF / Excel: data + rendering, as the views do it — beside each, the floor for the
  same output: the same HTML handed straight to WeasyPrint, and the same cells written with no
  database work by the same writer (XlsxWriter constant-memory; the ratio is against this
  floor) and by openpyxl's write-only mode. Each of these runs twice in its process: the
  measured call is the second (warm, as in a long-running server; the floors' processes are
  warm from preparing their input too), and the first, cold call is printed beside it;
- year problem export: the rectification ledger of the whole year (reports.problems_excel),
  beside the same two floors. `--skip-year-export` leaves it out (quicker iterations).

`--keep DIR` keeps the built data (the SQLite file unless --database-url, the media, and the
build's figures in DIR/build.json) and reuses it when run again with the same DIR and shape, so
a change can be measured again in seconds; `--only summary,city_summary` runs only those steps;
`--repeat N` runs each month-summary step N times in its process and prints the best call beside
the first (cold) one, and runs the warm call of the month PDF and Excel and of their floors N times,
comparing the best of each (one pair of calls moved by ±30 % from run to run on a shared machine).
Times are wall clock and this process's CPU (not the database server's).

Prints plain lines.
"""
import contextlib
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from django.core.management.base import CommandError

from benchmarks.scratch import BenchmarkCommand, scratch_url

STEPS = ["summary", "city_summary", "district_summary", "pdf", "pdf_floor", "excel", "excel_floor", "excel_floor_xlsxwriter",
         "year", "year_floor", "year_floor_xlsxwriter"]
YEAR_STEPS = {"year", "year_floor", "year_floor_xlsxwriter"}
CITY_STEPS = {"city_summary", "district_summary"}
SUMMARY_STEPS = {"summary", "city_summary", "district_summary"}
DOCUMENT_STEPS = {"pdf", "pdf_floor", "excel", "excel_floor", "excel_floor_xlsxwriter"}


from benchmarks.harness import measure
from benchmarks.harness import print_json
from benchmarks.harness import run_child


class Command(BenchmarkCommand):
    help = "基准：城市规模一年数据下，月度分析小结（数据、PDF、Excel）与全年整改台账导出的耗时、查询数和峰值内存。"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=330)
        parser.add_argument("--districts", type=int, default=1,
                            help="spread the units over this many districts under a city bureau (city shape)")
        parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), type=scratch_url,
                            help="an empty PostgreSQL database to use instead of a temporary SQLite file "
                                 "(default: $BENCH_DATABASE_URL, which bin/with-postgres --scratch sets)")
        parser.add_argument("--skip-year-export", action="store_true", help="leave out the year's problem export")
        parser.add_argument("--keep", metavar="DIR",
                            help="keep the built data in DIR (the SQLite file, unless --database-url, and the media) "
                                 "and reuse it on the next run with the same DIR: iterate without rebuilding")
        parser.add_argument("--only", metavar="STEP,…", help=f"run only these steps (of: {', '.join(STEPS)})")
        parser.add_argument("--repeat", type=int, default=1,
                            help="run each month-summary step this many times in its process and print the best "
                                 "beside the first (cold) call; the month PDF and Excel and their floors run their "
                                 "warm call this many times, and the best of each are compared")
        parser.add_argument("--child", choices=["build", *STEPS])

    def handle(self, *args, units, districts, database_url, child, skip_year_export, keep, only, repeat, **options):
        self.districts = max(1, districts)
        if child:
            return self.child(child, units, repeat)
        wanted = [step for step in STEPS
                  if not (skip_year_export and step in YEAR_STEPS or step in CITY_STEPS and self.districts < 2)
                  and (not only or step in only.split(","))]
        with contextlib.ExitStack() as stack:
            if keep:
                tmp = os.path.abspath(keep)
                os.makedirs(tmp, exist_ok=True)
            else:
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-reports-"))
            env = {**os.environ, "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.sqlite3",
                   "MEDIA_ROOT": f"{tmp}/media", "DJANGO_DEBUG": "1"}
            run = [sys.executable, "manage.py"]
            subprocess.run(run + ["migrate", "-v0"], env=env, check=True)
            shape = {"units": units, "districts": self.districts, "database": database_url or "sqlite"}
            saved = os.path.join(tmp, "build.json")
            results = {}
            if keep and os.path.exists(saved):
                with open(saved) as f:
                    kept = json.load(f)
                if kept["shape"] != shape:
                    raise CommandError(f"{tmp} holds data built for {kept['shape']}, not {shape}: "
                                       "give another --keep directory (or delete this one).")
                results["build"] = {**kept["build"], "kept": True}
            else:
                results["build"] = self.run_step("build", units, env, 1)
                if keep:
                    with open(saved, "w") as f:
                        json.dump({"shape": shape, "build": results["build"]}, f)
            for step in wanted:
                results[step] = self.run_step(step, units, env, repeat if step in SUMMARY_STEPS | DOCUMENT_STEPS else 1)
            self.report(results, repeat)

    def run_step(self, step, units, env, repeat):
        return run_child("bench_reports", ["--child", step, "--units", str(units), "--districts", str(self.districts),
                                           "--repeat", str(repeat)], env)

    # --- the parent prints ------------------------------------------------------------------

    def report(self, r, repeat=1):
        b = r["build"]
        self.stdout.write(f"data: {b['units']} units, {b['checks']} checks, {b['problems']} problems, "
                          f"{b['activities']} activities, {b['photos']} photos, {b['assignments']} task assignments "
                          f"(built in {b['seconds']:.1f} s{', kept from an earlier run' if b.get('kept') else ''})")
        def timing(m):
            text = f"{m['seconds']:.2f} s (CPU {m['cpu']:.2f} s)"
            if m["best_seconds"] != m["seconds"] or m["best_cpu"] != m["cpu"]:
                text += f", best {m['best_seconds']:.2f} s (CPU {m['best_cpu']:.2f} s)"
            return text

        if s := r.get("summary"):
            self.stdout.write(f"month summary data: {timing(s)}, {s['queries']} queries, peak {s['peak']:.0f} MB")
        if c := r.get("city_summary"):
            self.stdout.write(f"city month summary data with district ranking ({c['districts']} districts, "
                              f"{c['units']} units): {timing(c)}, {c['queries']} queries, "
                              f"peak {c['peak']:.0f} MB; best district {c['best']}")
        if d := r.get("district_summary"):
            self.stdout.write(f"one district's month summary ({d['units']} units): {timing(d)}, "
                              f"{d['queries']} queries")

        def best(d):
            return d.get("best_seconds", d["seconds"])

        for label, step, floor, what in [
            ("month PDF", "pdf", "pdf_floor", "WeasyPrint on the same HTML"),
            ("month Excel", "excel", "excel_floor", None),
            ("year problem export (Excel)", "year", "year_floor", None),
        ]:
            if step not in r or floor not in r or not what and f"{floor}_xlsxwriter" not in r:
                continue
            m, f = r[step], r[floor]
            extra = f", {m['rows']} rows" if "rows" in m else ""
            x = f if what else r[f"{floor}_xlsxwriter"]  # the ratio's floor: the same writer for Excel
            # With --repeat N the warm calls of a document and of its floor run N times each: the best
            # of each is compared (a single pair of calls moved by ±30 % from run to run).
            if what:
                floors = f"floor {best(f):.2f} s: {what}; ratio {best(m) / best(f):.2f}"
                floor_peak = f"floor peak {f['peak']:.0f} MB"
            else:  # Excel: against the same writer's floor, and openpyxl write-only beside it
                floors = (f"floor {best(x):.2f} s: XlsxWriter constant-memory, same cells; "
                          f"ratio {best(m) / best(x):.2f}; openpyxl write-only floor {best(f):.2f} s")
                floor_peak = f"floor peaks {x['peak']:.0f} / {f['peak']:.0f} MB"
            warm = ("warm, " + (f"best of {repeat}, " if repeat > 1 and step in DOCUMENT_STEPS else "")
                    if "cold" in m else "")
            self.stdout.write(f"{label}: {warm}{best(m):.2f} s ({floors}), "
                              f"{m['queries']} queries, peak {m['peak']:.0f} MB ({floor_peak}){extra}")
            if "cold" in m and "cold" in x:
                self.stdout.write(f"  {label}, first call in a fresh process: {m['cold']:.2f} s "
                                  f"(floor {x['cold']:.2f} s; ratio {m['cold'] / x['cold']:.2f})")

    # --- children ---------------------------------------------------------------------------

    def child(self, step, units, repeat=1):
        work = (lambda units, prepare=False, prepared=None: None if prepare else self.build(units)) \
            if step == "build" else getattr(self, f"step_{step}")
        import openpyxl  # noqa: F401  (imports are not what is measured)
        import weasyprint  # noqa: F401
        import xlsxwriter  # noqa: F401
        print_json(self.stdout, measure(work, units, repeat=repeat))

    def _month(self):
        from reports.summaries import Month

        from ledgers.models import CampaignYear

        year = CampaignYear.objects.current().year
        return Month(year, 11), datetime.date(year, 12, 5)

    def _summary(self):
        from reports.summaries import monthly_summary

        month, today = self._month()
        return monthly_summary(month, today=today)

    def step_summary(self, units, prepare=False, prepared=None):
        if not prepare:
            self._summary()

    def step_city_summary(self, units, prepare=False, prepared=None):
        from reports.summaries import monthly_summary

        from ledgers.models import Bureau

        if prepare:
            return Bureau.objects.city()
        month, today = self._month()
        summary = monthly_summary(month, bureau=prepared, today=today)
        ranked = [d for d in summary.districts if d.rank]
        return {"districts": len(summary.districts) - 1, "units": len(summary.rows),
                "best": f"{ranked[0].bureau} {ranked[0].totals.score_rate}%" if ranked else "—"}

    def step_district_summary(self, units, prepare=False, prepared=None):
        from reports.summaries import monthly_summary

        from ledgers.models import Bureau

        if prepare:
            return Bureau.objects.districts().order_by("pk").first()
        month, today = self._month()
        return {"units": len(monthly_summary(month, bureau=prepared, today=today).rows)}

    # The month's PDF and Excel and their floors are each run twice in their process: the first,
    # cold call (imports, templates, fonts, the ORM's and the database's caches) is timed as "cold",
    # the second is the measured one — warm on both sides, as a long-running server is.

    def step_pdf(self, units, prepare=False, prepared=None):
        from reports.monthly import monthly_pdf

        if prepare:
            return _timed(lambda: monthly_pdf(self._summary()))[0]
        return {"bytes": len(monthly_pdf(self._summary())), "cold": prepared}

    def step_pdf_floor(self, units, prepare=False, prepared=None):
        from django.template.loader import render_to_string

        from reports.monthly import document_context
        from reports.pdf import render_html_to_pdf

        if prepare:
            html = render_to_string("reports/pdf/monthly.html", document_context(self._summary()))
            return html, _timed(lambda: render_html_to_pdf(html))[0]
        render_html_to_pdf(prepared[0])
        return {"cold": prepared[1]}

    def step_excel(self, units, prepare=False, prepared=None):
        from reports.monthly_excel import monthly_workbook

        if prepare:
            return _timed(lambda: monthly_workbook(self._summary()))[0]
        return {"bytes": len(monthly_workbook(self._summary())), "cold": prepared}

    def step_excel_floor(self, units, prepare=False, prepared=None):
        if prepare:
            cells = self._month_cells()
            return cells, _timed(lambda: _plain_workbook(cells))[0]
        _plain_workbook(prepared[0])
        return {"cold": prepared[1]}

    def step_excel_floor_xlsxwriter(self, units, prepare=False, prepared=None):
        if prepare:
            cells = self._month_cells()
            return cells, _timed(lambda: _plain_xlsxwriter(cells))[0]
        _plain_xlsxwriter(prepared[0])
        return {"cold": prepared[1]}

    def _month_cells(self):
        from reports import monthly_excel as m
        from reports.excel import cell_value
        from reports.summaries import archived_activities

        summary = self._summary()

        def plain(rows):
            return [[cell_value(c.value if isinstance(c, m.Formatted) else c) for c in row] for row in rows]

        return [plain(m.summary_rows(summary)), plain(m.unit_rows(summary)), plain(m.problem_rows(summary)),
                plain(archived_activities(summary.month))]

    def _year_problems(self):
        from ledgers.models import CampaignYear, Problem

        return Problem.objects.filter(year=CampaignYear.objects.current()).with_related().order_by("-found_on", "-pk")

    def step_year(self, units, prepare=False, prepared=None):
        from reports.problems_excel import problems_workbook

        if not prepare:
            return {"bytes": len(problems_workbook(self._year_problems())), "rows": self._year_problems().count()}

    def _year_cells(self):
        from reports.excel import cell_value
        from reports.problems_excel import problem_rows

        return [[[cell_value(v) for v in row] for row in problem_rows(self._year_problems())]]

    def step_year_floor(self, units, prepare=False, prepared=None):
        if prepare:
            return self._year_cells()
        _plain_workbook(prepared)

    def step_year_floor_xlsxwriter(self, units, prepare=False, prepared=None):
        if prepare:
            return self._year_cells()
        _plain_xlsxwriter(prepared)

    # --- the city-scale year ----------------------------------------------------------------

    def build(self, units_wanted):
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        from django.utils import timezone
        from PIL import Image

        from ledgers.models import (
            Activity, ActivityCategory, ActivityPhoto, Bureau, BureauKind, CampaignYear, Check, CheckTemplate,
            LetterStatus, Problem, ResponsibilityLetter, Role, Task, TaskAssignment, Unit, UnitKind, User,
        )

        started = time.perf_counter()
        rnd = random.Random(2026)
        this_year = timezone.localdate().year
        year = CampaignYear.objects.create(year=this_year, title=f"{this_year}年度", is_current=True)
        # The bureaus: one district (the classic shape), or --districts N under a city bureau.
        district = Bureau.objects.default_district()
        bureaus = [district] + [
            Bureau.objects.create(name=f"第{n + 1}区教育局", short_name=f"第{n + 1}区", code=f"d{n + 1}",
                                  kind=BureauKind.DISTRICT, parent=district.parent, sort_order=n)
            for n in range(1, self.districts)]
        sections = min(30, units_wanted // 10)
        Unit.objects.bulk_create(
            [Unit(name=f"教育局第{n + 1}股室", kind=UnitKind.SECTION, code=f"s{n}", sort_order=n,
                  bureau=bureaus[n % len(bureaus)]) for n in range(sections)]
            + [Unit(name=f"第{n + 1}实验学校（{['东城', '西城', '南湖', '北山'][n % 4]}校区）", kind=UnitKind.SCHOOL,
                    code=f"x{n}", sort_order=100 + n, bureau=bureaus[(sections + n) % len(bureaus)])
               for n in range(units_wanted - sections)])
        units = list(Unit.objects.all())
        admin = User.objects.create(username="bench-admin", role=Role.ADMIN, name="王建华", unit=units[0])
        inspector = User.objects.create(username="bench-inspector", role=Role.INSPECTOR, name="孙丽娟",
                                        unit=units[0])
        liaison = User.objects.create(username="bench-liaison", role=Role.LIAISON, unit=units[-1], name="马晓丽")
        tz = timezone.get_current_timezone()

        def moment(day, hour=10):
            return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

        # Tasks: 60 rows of the breakdown table, each for every unit.
        tasks = Task.objects.bulk_create([
            Task(year=year, bureau=district, title=f"测评任务{n + 1}：文明校园创建工作落实", deadline=datetime.date(this_year, 1 + n % 12, 1 + n % 27))
            for n in range(60)])
        assignments = []
        for task in tasks:
            for unit in units:
                done = rnd.random() < 0.7
                assignments.append(TaskAssignment(
                    task=task, unit=unit, status="done" if done else rnd.choice(["not_started", "in_progress"]),
                    completed_at=moment(task.deadline - datetime.timedelta(days=rnd.randint(0, 5))) if done else None))
        TaskAssignment.objects.bulk_create(assignments, batch_size=5000)
        ResponsibilityLetter.objects.bulk_create([
            ResponsibilityLetter(year=year, unit=u, status=rnd.choice([LetterStatus.SIGNED, LetterStatus.ARCHIVED,
                                                                       LetterStatus.ISSUED])) for u in units])
        # Checks: one per unit and week, 52 weeks.
        template = CheckTemplate.objects.create(year=year, name="校园环境卫生检查表")
        checks = []
        for week in range(1, 53):
            monday = datetime.date.fromisocalendar(this_year, week, 1)
            for unit in units:
                day = monday + datetime.timedelta(days=rnd.randint(0, 4))
                iso = day.isocalendar()
                checks.append(Check(year=year, unit=unit, date=day, iso_year=iso[0], iso_week=iso[1], template=template,
                                    total=rnd.randint(600, 1000) / 10, max_total=100, status="submitted",
                                    created_by=inspector, submitted_by=inspector, submitted_at=moment(day, 17)))
        Check.objects.bulk_create(checks, batch_size=5000)
        checks = list(Check.objects.values_list("pk", "unit_id", "date"))
        # Problems: about five per check; most closed within days, some still open, some overdue.
        texts = ["楼道有垃圾未及时清理", "宣传栏内容过期未更新", "公益广告破损", "校门口车辆乱停乱放", "厕所卫生不达标",
                 "=SUM(A1) 食堂卫生死角", "垃圾分类桶标识不清", "文明用语标识缺失"]
        problems = []
        for pk, unit_id, day in checks:
            for _ in range(rnd.choice([4, 5, 5, 6])):
                deadline = day + datetime.timedelta(days=rnd.choice([1, 1, 2, 3, 7]))
                closed = rnd.random() < 0.93
                iso = day.isocalendar()
                problems.append(Problem(
                    year=year, unit_id=unit_id, check_record_id=pk, description=rnd.choice(texts), found_on=day,
                    iso_year=iso[0], iso_week=iso[1], deadline=deadline,
                    status="closed" if closed else rnd.choice(["open", "rectifying", "review"]), raised_by=inspector,
                    rectification="已整改完毕，照片附后。" if closed else "", rectified_by=liaison if closed else None,
                    closed_by=inspector if closed else None,
                    closed_at=moment(day + datetime.timedelta(days=rnd.randint(0, 10)), 16) if closed else None))
        Problem.objects.bulk_create(problems, batch_size=5000)
        # Activities: about 100 per unit; five tiny photos each sharing one stored file.
        thumb = default_storage.save("bench/thumb.jpg", ContentFile(_tiny_jpeg(Image)))
        categories = ActivityCategory.objects.ensure_defaults()
        categories = list(categories)
        activities = []
        for unit in units:
            for n in range(100):
                day = datetime.date(this_year, 1, 1) + datetime.timedelta(days=rnd.randint(0, 363))
                activities.append(Activity(
                    year=year, unit=unit, title=f"{rnd.choice(['重阳节敬老', '学雷锋志愿服务', '文明礼仪主题班会', '垃圾分类宣传'])}活动",
                    category=rnd.choice(categories), date=day, place="学校操场", participants="全体师生",
                    status=rnd.choice(["submitted", "approved", "approved", "draft"]), created_by=liaison))
        Activity.objects.bulk_create(activities, batch_size=5000)
        photos = [ActivityPhoto(activity_id=pk, original=thumb, display=thumb, thumbnail=thumb,
                                original_name=f"{n}.jpg", sha256=f"{pk:08d}{n}", uploaded_by=liaison, sort_order=n)
                  for pk in Activity.objects.values_list("pk", flat=True) for n in range(5)]
        ActivityPhoto.objects.bulk_create(photos, batch_size=10000)
        del admin
        from django.db import connection

        if connection.vendor == "postgresql":
            # What autovacuum does to a live database after bulk writes (statistics for the planner,
            # the visibility map for index-only scans); right after the build it has not run yet.
            tables = [m._meta.db_table for m in (Activity, ActivityPhoto, Check, Problem, Task, TaskAssignment,
                                                 ResponsibilityLetter, Unit)]
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        return {"units": len(units), "checks": len(checks), "problems": len(problems), "activities": len(activities),
                "photos": len(photos), "assignments": len(assignments), "seconds": time.perf_counter() - started}


def _timed(work):
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def _tiny_jpeg(Image):
    import io

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 60, 50)).save(out, "JPEG")
    return out.getvalue()


def _plain_workbook(sheets):
    """The floor: the same cells through openpyxl's write-only mode, nothing else."""
    import io

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for n, rows in enumerate(sheets):
        ws = wb.create_sheet(f"s{n}")
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _plain_xlsxwriter(sheets):
    """The floor for the same writer: the same cells through XlsxWriter's constant-memory mode,
    one type dispatch per cell and one date format, nothing else."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    for n, rows in enumerate(sheets):
        ws = wb.add_worksheet(f"s{n}")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, datetime.date):
                    if not isinstance(value, datetime.datetime):
                        value = datetime.datetime.combine(value, datetime.time())
                    ws.write_datetime(r, c, value, day)
                else:
                    ws.write_number(r, c, value)
    wb.close()
    return out.getvalue()
