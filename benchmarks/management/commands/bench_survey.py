"""Benchmark (not a test): a school assembly answering a 问卷调查 round on their phones, under gunicorn.

    DEBUG=1 .venv/bin/python manage.py bench_survey [--respondents 1000] [--concurrency 32] [--workers 2]
    DEBUG=1 .venv/bin/python manage.py bench_survey --within 60 --concurrency 64   # arriving over a minute
    bin/with-postgres --scratch env DEBUG=1 .venv/bin/python manage.py bench_survey   # on PostgreSQL

Loads the demo data into its own database (a temporary SQLite file, or `--database-url`) and collects the
static files, as `bench_pages` does; the demo's round of 郾城区 is open and its first school's link is the
one everybody scanned. With DEBUG=0 and the production settings behind one proxy (AXES_PROXY_COUNT=1),
gunicorn (`--workers`) serves, and `--concurrency` threads play `--respondents` phones, each new (no
cookies; all at once, or arriving evenly over `--within` seconds): open the link's student sheet
(`/s/<token>/?who=student`: the form and its CSRF cookie), post the answers (most right, some wrong),
follow the 303 to the result page. Phones reach the server from their own mobile addresses
(X-Forwarded-For), and a tenth of them through the school's one Wi-Fi address, which stays under
SURVEY_LIMIT_PER_ADDRESS.

Prints the run's wall time, answers/s (accepted answers ÷ wall time), p50/p99 of the answer POST and of
every request, the answers by status, the 500s, and whether every accepted answer is in the database
(responses of the unit after minus before = the 303s). The goal (issue 32): 1,000 respondents within a
minute, ≥ 200 answers/s, p99 < 300 ms, every accepted answer stored.
"""
import json
import random
import re
import tempfile
import threading
from pathlib import Path
import time
from collections import Counter

from benchmarks.harness import add_database_url, database_label, load_demo, print_json, production_env, run_child, served
from benchmarks.http_client import Browser
from benchmarks.scratch import BenchmarkCommand

WIFI = "10.20.30.40"  # the school's one Wi-Fi address, as the proxy sees it


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


class Assembly:
    """The respondents, shared by the threads; each records (kind, status, ms) per request."""

    def __init__(self, base, link, respondents, within=0):
        self.base, self.link = base, link
        self.queue = list(range(respondents))[::-1]  # popped from the end: phone 0 first
        # --within: phone n arrives at n × within / respondents seconds (evenly spread), else at once
        self.gap, self.started = within / respondents, time.monotonic()
        self.lock = threading.Lock()
        self.records, self.unexpected = [], []

    def next(self):
        with self.lock:
            return self.queue.pop() if self.queue else None

    def record(self, kind, answer):
        with self.lock:
            self.records.append((kind, answer.status, answer.ms))

    def run(self):
        while (n := self.next()) is not None:
            time.sleep(max(0.0, self.started + n * self.gap - time.monotonic()))
            try:
                self.respond(n)
            except Exception as error:  # recorded, the next phone goes on
                with self.lock:
                    self.unexpected.append(f"{type(error).__name__}: {error}")

    def respond(self, n):
        rng = random.Random(n)
        address = WIFI if n % 10 == 0 else f"100.{64 + n // 65536 % 64}.{n // 256 % 256}.{n % 256}"
        phone = Browser(self.base, "")
        phone.cookies.pop("sessionid")
        headers = {"X-Forwarded-For": address, "User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0"}
        sheet = phone.request("GET", f"{self.link['path']}?who=student", headers=headers)
        self.record("sheet", sheet)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', sheet.text)
        if sheet.status != 200 or not token:
            raise RuntimeError(f"sheet {sheet.status}")
        fields = [("csrfmiddlewaretoken", token.group(1)), ("who", "student")]
        for question in self.link["questions"]:
            right = rng.random() < 0.85
            value = question["right"] if right else question["wrong"]
            fields += [(question["name"], v) for v in (value if isinstance(value, list) else [value])]
        answer = phone.request("POST", self.link["path"], fields=fields, headers=headers)
        self.record("answer", answer)
        if answer.status != 303:
            raise RuntimeError(f"answer {answer.status}")
        self.record("result", phone.request("GET", answer.location, headers=headers))


class Command(BenchmarkCommand):
    help = "问卷调查: 1,000 phones answering one school's link under gunicorn; answers/s, p99, every answer stored."

    def add_arguments(self, parser):
        parser.add_argument("--respondents", type=int, default=1000)
        parser.add_argument("--concurrency", type=int, default=32, help="phones answering at the same moment")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--within", type=float, default=0,
                            help="seconds over which the phones arrive, evenly spread (default 0: all at once, "
                                 "as fast as --concurrency allows: the capacity)")
        add_database_url(parser)
        parser.add_argument("--child", choices=["link", "count"], help=None)

    def handle(self, *args, database_url, child, **options):
        if child:
            return print_json(self.stdout, getattr(self, f"child_{child}")())
        with tempfile.TemporaryDirectory(prefix="bench-survey-") as tmp:
            env = production_env(tmp, database_url)
            env.update({"AXES_PROXY_COUNT": "1", "SITE_URL": "http://127.0.0.1"})
            self.stdout.write(f"demo data on {database_label(env)} loaded in {load_demo(env):.0f} s")
            link = run_child("bench_survey", ["--child", "link"], env)
            with served(env, tmp, "wenming.wsgi", options["workers"]) as base:
                assembly = Assembly(base, link, options["respondents"], options["within"])
                threads = [threading.Thread(target=assembly.run) for _ in range(options["concurrency"])]
                started = time.monotonic()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                seconds = time.monotonic() - started
            after = run_child("bench_survey", ["--child", "count"], env)
            log = (Path(tmp) / "gunicorn-wenming.wsgi.log").read_text(errors="replace")
        self.report(database_label(env), link, assembly, seconds, after, log, **options)

    def report(self, database, link, assembly, seconds, after, log, *, respondents, concurrency, workers, within,
               **options):
        w = self.stdout.write
        answers = [(status, ms) for kind, status, ms in assembly.records if kind == "answer"]
        accepted = sum(1 for status, _ms in answers if status == 303)
        every = [ms for _kind, _status, ms in assembly.records]
        statuses = Counter(status for _kind, status, _ms in assembly.records)
        w(f"问卷调查 on {database}: {respondents} phones answering {link['unit']}'s link ({len(link['questions'])} "
          f"questions for 学生), {concurrency} at a time"
          + (f", arriving evenly over {within:.0f} s" if within else ", all at once") + f", gunicorn {workers} workers, DEBUG=0")
        w(f"wall time {seconds:.1f} s; accepted answers {accepted}; {accepted / seconds:.0f} answers/s")
        w(f"answer POST: p50 {percentile([ms for _s, ms in answers], 0.5):.0f} ms, "
          f"p99 {percentile([ms for _s, ms in answers], 0.99):.0f} ms")
        w(f"every request ({len(every)}: sheet, answer, result): p50 {percentile(every, 0.5):.0f} ms, "
          f"p99 {percentile(every, 0.99):.0f} ms, {len(every) / seconds:.0f} requests/s; statuses "
          + " ".join(f"{s or 'none'}×{c}" for s, c in sorted(statuses.items())))
        stored = after["responses"] - link["responses"]
        w(f"answers stored: {stored} of {accepted} accepted; 500s {statuses[500]}; "
          f"\"database is locked\" in the log {log.count('database is locked')}")
        for message in assembly.unexpected[:5]:
            w(f"  unexpected: {message}")
        errors = len(assembly.unexpected) + statuses[500] + abs(stored - accepted)
        w(f"errors: {errors}")

    # --- children ---------------------------------------------------------------------------------

    def child_link(self):
        """The demo round's first school: its path, its student questions with a right and a wrong answer."""
        from ledgers.models import Survey, SurveyResponse
        from ledgers.models.surveys import LETTERS

        survey = Survey.objects.filter(bureau__name__contains="郾城").order_by("pk").first()
        link = survey.survey_units.select_related("unit").order_by("unit__sort_order", "unit__name").first()
        questions = []
        for item in survey.items.filter(audience="student").select_related("question").order_by("order", "pk"):
            q = item.question
            if q.kind == "multiple":
                right, wrong = list(q.answer), list(q.answer[:1])
            elif q.kind == "fill":
                points = [p.split("/")[0] for p in q.answer.split("、")]
                right, wrong = " ".join(reversed(points)), " ".join(points[:3])
            elif q.kind == "truefalse":
                right, wrong = q.answer, "错" if q.answer == "对" else "对"
            elif q.kind == "rating":
                right = wrong = "4"
            else:
                right, wrong = q.answer, next(c for c in LETTERS[:len(q.options)] if c != q.answer)
            questions.append({"name": f"q{q.pk}", "right": right, "wrong": wrong})
        return {"path": link.path, "unit": link.unit.name, "unit_id": link.unit_id, "survey": survey.pk,
                "questions": questions,
                "responses": SurveyResponse.objects.filter(survey=survey, unit=link.unit_id).count()}

    def child_count(self):
        from ledgers.models import Survey, SurveyResponse

        survey = Survey.objects.filter(bureau__name__contains="郾城").order_by("pk").first()
        link = survey.survey_units.order_by("unit__sort_order", "unit__name").first()
        return {"responses": SurveyResponse.objects.filter(survey=survey, unit=link.unit_id).count()}
