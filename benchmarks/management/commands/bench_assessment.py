"""Benchmark (not a test): the year-end assessment at city scale.

    DEBUG=1 .venv/bin/python manage.py bench_assessment [--units 330] [--database-url postgres://…]

Builds bench_reports' city-scale year (330 units, 17,160 checks, ~85,000 problems, 33,000
activities, 19,800 task assignments) in its own temporary database, then links it to the demo
indicator tree (40 indicators): tasks, problems and activities get indicators, every check gets
item scores (5 items, ~86,000 scores), and the year gets a scheme with every rule kind, manual
scores and 加分/扣分 items. Each step runs in its own child process (time, query count, peak
memory):

- scores: `assessment()` — the whole bureau's scores as of a day (goal < 1 s; the query count
  must not grow with units or indicators);
- sheet: one unit's score sheet with its evidence;
- ranking PDF / Excel, beside their floors: the same HTML handed straight to WeasyPrint, and the
  same cells written by XlsxWriter constant-memory with no database work.
Prints plain lines.
"""
import datetime
import os
import subprocess
import sys
import tempfile
import time

from benchmarks.scratch import BenchmarkCommand, scratch_url

from .bench_reports import Command as ReportsBench
from benchmarks.harness import measure
from benchmarks.harness import print_json
from benchmarks.harness import run_child

from .bench_reports import _plain_xlsxwriter

STEPS = ["scores", "sheet", "pdf", "pdf_floor", "excel", "excel_floor"]


class Command(BenchmarkCommand):
    help = "基准：城市规模一年数据下，全局考核得分（数据、排名 PDF、Excel）的耗时、查询数和峰值内存。"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=330)
        parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), type=scratch_url,
                            help="an empty PostgreSQL database to use instead of a temporary SQLite file "
                                 "(default: $BENCH_DATABASE_URL, which bin/with-postgres --scratch sets)")
        parser.add_argument("--child", choices=["build", *STEPS])

    def handle(self, *args, units, database_url, child, **options):
        if child:
            return self.child(child, units)
        with tempfile.TemporaryDirectory(prefix="bench-assessment-") as tmp:
            env = {**os.environ, "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.sqlite3",
                   "MEDIA_ROOT": f"{tmp}/media", "DJANGO_DEBUG": "1"}
            run = [sys.executable, "manage.py"]
            subprocess.run(run + ["migrate", "-v0"], env=env, check=True)
            results = {}
            for step in ["build", *STEPS]:
                results[step] = run_child("bench_assessment", ["--child", step, "--units", str(units)], env)
            self.report(results)

    def report(self, r):
        b = r["build"]
        self.stdout.write(f"data: {b['units']} units, {b['indicators']} indicators ({b['rules']} with rules), "
                          f"{b['checks']} checks with {b['scores']} item scores, {b['problems']} problems, "
                          f"{b['activities']} activities, {b['assignments']} task assignments (built in {b['seconds']:.1f} s)")
        s = r["scores"]
        self.stdout.write(f"bureau scores as of a day: {s['seconds']:.2f} s, {s['queries']} queries, "
                          f"{s['rows']} units ranked, peak {s['peak']:.0f} MB (goal < 1 s)")
        s = r["sheet"]
        self.stdout.write(f"one unit's score sheet with evidence: {s['seconds']:.2f} s, {s['queries']} queries, "
                          f"{s['evidence']} records")
        m, f = r["pdf"], r["pdf_floor"]
        self.stdout.write(f"ranking PDF: {m['seconds']:.2f} s (floor {f['seconds']:.2f} s: WeasyPrint on the same HTML; "
                          f"ratio {m['seconds'] / f['seconds']:.2f}), {m['queries']} queries, peak {m['peak']:.0f} MB")
        m, f = r["excel"], r["excel_floor"]
        self.stdout.write(f"ranking Excel: {m['seconds']:.2f} s (floor {f['seconds']:.2f} s: XlsxWriter constant-memory, "
                          f"same cells; ratio {m['seconds'] / f['seconds']:.2f}), {m['queries']} queries, "
                          f"peak {m['peak']:.0f} MB")

    # --- children ---------------------------------------------------------------------------------

    def child(self, step, units):
        import openpyxl  # noqa: F401  (imports are not what is measured)
        import weasyprint  # noqa: F401
        import xlsxwriter  # noqa: F401

        print_json(self.stdout, measure(getattr(self, f"step_{step}"), units))

    def _as_of(self):
        from ledgers.models import CampaignYear

        year = CampaignYear.objects.current()
        return year, datetime.date(year.year, 11, 30)

    def _result(self):
        from ledgers.models import Unit
        from reports.assessment import assessment

        year, as_of = self._as_of()
        return assessment(year, as_of=as_of, units=Unit.objects.all())

    def step_scores(self, units, prepare=False, prepared=None):
        if not prepare:
            return {"rows": sum(1 for r in self._result().rows if r.rank)}

    def step_sheet(self, units, prepare=False, prepared=None):
        from ledgers.models import Unit
        from reports.assessment import unit_sheet

        if prepare:
            return Unit.objects.filter(kind="school").order_by("pk").first()
        year, as_of = self._as_of()
        sheet = unit_sheet(year, prepared, as_of=as_of)
        return {"evidence": sum(len(v) for v in sheet.evidence.values())}

    def step_pdf(self, units, prepare=False, prepared=None):
        from reports.assessment.documents import ranking_pdf

        if not prepare:
            return {"bytes": len(ranking_pdf(self._result()))}

    def step_pdf_floor(self, units, prepare=False, prepared=None):
        from django.conf import settings
        from django.template.loader import render_to_string

        from reports.pdf import render_html_to_pdf

        if prepare:
            return render_to_string("reports/pdf/assessment_ranking.html",
                                    {"result": self._result(), "BUREAU_NAME": settings.BUREAU_NAME})
        render_html_to_pdf(prepared)

    def step_excel(self, units, prepare=False, prepared=None):
        from reports.assessment.documents import ranking_workbook

        if not prepare:
            return {"bytes": len(ranking_workbook(self._result()))}

    def step_excel_floor(self, units, prepare=False, prepared=None):
        from reports.assessment.documents import matrix, ranking_rows

        if prepare:
            result = self._result()
            return [list(ranking_rows(result)), list(matrix(result)[1])]
        _plain_xlsxwriter(prepared)

    # --- the data ---------------------------------------------------------------------------------

    def step_build(self, units, prepare=False, prepared=None):
        if not prepare:
            return self.build(units)

    def build(self, units_wanted):
        import random
        from decimal import Decimal

        from ledgers.demo.tasks import INDICATORS
        from ledgers.models import (
            Activity, Adjustment, AssessmentScheme, Check, CheckItem, CheckScore, CheckTemplate, Indicator,
            IndicatorRule, ManualScore, Problem, Task, Unit, User,
        )

        started = time.perf_counter()
        reports_bench = ReportsBench()
        reports_bench.districts = 1  # bench_reports' classic shape: one district
        figures = reports_bench.build(units_wanted)
        from ledgers.models import CampaignYear

        year = CampaignYear.objects.current()
        rnd = random.Random(14)
        by_code = {}
        for code, title, points, method, photos, caption, standard in INDICATORS:
            by_code[code] = Indicator.objects.create(
                year=year, code=code, title=title, points=Decimal(points), method=method, min_photos=min(photos, 3),
                caption_required=False, standard=standard, parent=by_code.get(code.rpartition(".")[0]))
        parents = {i.parent_id for i in by_code.values() if i.parent_id}
        leaves = [i for i in by_code.values() if i.pk not in parents]
        # Rules: a spread of every kind over the 30 leaves.
        kinds = ["tasks", "checks", "problems", "activities", "activities", "tasks"]
        scheme = AssessmentScheme.objects.create(year=year)
        rules = []
        for n, ind in enumerate(leaves):
            kind = "letter" if ind.code == "1.2" else "manual" if ind.code.startswith("8.") else kinds[n % len(kinds)]
            rules.append(IndicatorRule(scheme=scheme, indicator=ind, kind=kind, required=2,
                                       period="month" if n % 3 == 0 else "semester",
                                       unit_kinds=["school"] if ind.code.startswith("3.") else ["school", "section",
                                                                                                 "affiliate"]))
        IndicatorRule.objects.bulk_create(rules)
        by_kind = {}
        for rule in rules:
            by_kind.setdefault(rule.kind, []).append(rule.indicator)
        # Links: tasks, problems, activities and check items to indicators of their rule kind.
        for n, task in enumerate(Task.objects.filter(year=year).order_by("pk")):
            Task.objects.filter(pk=task.pk).update(indicator=by_kind["tasks"][n % len(by_kind["tasks"])])
        problem_indicators = by_kind["problems"]
        ids = list(Problem.objects.values_list("pk", flat=True))
        for n, indicator in enumerate(problem_indicators):
            Problem.objects.filter(pk__in=ids[n::len(problem_indicators)]).update(indicator=indicator)
        through = Activity.indicators.through
        activity_indicators = by_kind["activities"]
        links = [through(activity_id=pk, indicator_id=activity_indicators[pk % len(activity_indicators)].pk)
                 for pk in Activity.objects.values_list("pk", flat=True)]
        through.objects.bulk_create(links, batch_size=10000)
        template = CheckTemplate.objects.get(year=year)
        items = [CheckItem.objects.create(template=template, title=f"检查项目{n + 1}", max_points=20,
                                          indicator=by_kind["checks"][n % len(by_kind["checks"])]) for n in range(5)]
        scores = [CheckScore(check_record_id=pk, item=item, score=rnd.randint(10, 20), applicable=item.max_points)
                  for pk in Check.objects.values_list("pk", flat=True) for item in items]
        CheckScore.objects.bulk_create(scores, batch_size=10000)
        admin = User.objects.get(username="bench-admin")
        all_units = list(Unit.objects.all())
        manual = [r for r in rules if r.kind == "manual"]
        ManualScore.objects.bulk_create([
            ManualScore(rule=rule, unit=u, score=rule.indicator.points * Decimal("0.8"), date=datetime.date(year.year, 6, 1),
                        reason="问卷调查", entered_by=admin) for rule in manual for u in all_units[::2]])
        Adjustment.objects.bulk_create([
            Adjustment(scheme=scheme, unit=u, kind=rnd.choice(["bonus", "penalty"]), points=1,
                       date=datetime.date(year.year, 5, 1), reason="表彰或通报", entered_by=admin)
            for u in all_units[::10]])
        figures.update(indicators=len(by_code), rules=len(rules), scores=len(scores),
                       seconds=time.perf_counter() - started)
        return figures
