"""Benchmark (not a test): a school assembly answering a 问卷调查 round on their phones, under gunicorn.

    DEBUG=1 .venv/bin/python manage.py bench_survey [--respondents 1000] [--within 60] [--workers 2]
    DEBUG=1 .venv/bin/python manage.py bench_survey --within 0 --concurrency 32   # all at once
    bin/with-postgres --scratch env DEBUG=1 .venv/bin/python manage.py bench_survey   # on PostgreSQL

Loads the demo data into its own database (a temporary SQLite file, or `--database-url`) and collects the
static files, as `bench_pages` does; the demo's round of 郾城区 is open and its first school's link is the
one everybody scanned. With DEBUG=0 and the production settings behind one proxy (AXES_PROXY_COUNT=1),
gunicorn (`--workers`) serves, in two parts:

1. the assembly: `--concurrency` threads play `--respondents` phones, each new (no cookies), arriving
   evenly over `--within` seconds (default 60; 0: all at once, as fast as the threads go): open the link's
   student sheet (`/s/<token>/?who=student`: the form and its CSRF cookie), post the answers (most right,
   some wrong), follow the 303 to the result page. Phones reach the server from their own mobile
   addresses (X-Forwarded-For), and a tenth of them through the school's one Wi-Fi address, which stays
   under SURVEY_LIMIT_PER_ADDRESS. Prints answers/s, p50/p99 of the answer POST and of every request,
   the statuses, and whether every accepted answer is in the database (the unit's responses after
   minus before = the 303s);
2. the capacity: `wrk` posts answers for `--wrk-seconds` (10) over `--wrk-connections` (16), each request
   a new phone from its own address, to the round's links in turn; prints the accepted answers/s, p50/p99
   and the answers stored (wrk's count, plus at most one per connection in flight when it stopped).

A last line `errors: N`. The goal (issue 32): 1,000 respondents within a minute with p99 < 300 ms, ≥ 200
answers/s, every accepted answer stored.
"""
import json
import random
import re
import shutil
import subprocess
import tempfile
import threading
from urllib.parse import urlencode
from pathlib import Path
import time
from collections import Counter

from django.core.management.base import CommandError

from benchmarks.harness import add_database_url, database_label, load_demo, print_json, production_env, run_child, served
from benchmarks.http_client import Browser
from benchmarks.management.commands.bench_pages import parse_wrk
from benchmarks.scratch import BenchmarkCommand

WIFI = "10.20.30.40"  # the school's one Wi-Fi address, as the proxy sees it

# wrk's Lua (LuaJIT): each thread numbers its requests; request k comes from mobile address 100.128+…
# (none of the assembly's) to link k mod n.
WRK_SCRIPT = """
local paths = {%(paths)s}
local body = %(body)s
local cookie = %(cookie)s
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  n = 0
end
function request()
  n = n + 1
  local k = n * 16 + id
  local address = string.format("100.%%d.%%d.%%d", 128 + math.floor(k / 65536) %% 64, math.floor(k / 256) %% 256, k %% 256)
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie,
                   ["X-Forwarded-For"] = address, ["User-Agent"] = "Mozilla/5.0 (iPhone) MicroMessenger/8.0"}
  return wrk.format("POST", paths[(k %% #paths) + 1], headers, body)
end
"""


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


def open_sheet(base, link, headers):
    """A new phone (no cookies) opening the link's student sheet: (phone, the answer, its CSRF token or None)."""
    phone = Browser(base, "")
    phone.cookies.pop("sessionid")
    sheet = phone.request("GET", f"{link['path']}?who=student", headers=headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', sheet.text)
    return phone, sheet, token and token.group(1)


def answer_fields(link, token, wrong=lambda: False):
    """The posted form: the token, 学生, and each question's right answer (its wrong one when `wrong()`)."""
    fields = [("csrfmiddlewaretoken", token), ("who", "student")]
    for question in link["questions"]:
        value = question["wrong"] if wrong() else question["right"]
        fields += [(question["name"], v) for v in (value if isinstance(value, list) else [value])]
    return fields


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
        headers = {"X-Forwarded-For": address, "User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0"}
        phone, sheet, token = open_sheet(self.base, self.link, headers)
        self.record("sheet", sheet)
        if sheet.status != 200 or not token:
            raise RuntimeError(f"sheet {sheet.status}")
        fields = answer_fields(self.link, token, wrong=lambda: rng.random() >= 0.85)  # most right
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
        parser.add_argument("--within", type=float, default=60,
                            help="seconds over which the phones arrive, evenly spread (default 60; 0: all at "
                                 "once, as fast as --concurrency allows)")
        parser.add_argument("--wrk-seconds", type=int, default=10,
                            help="then seconds of wrk posting answers to every link of the round as fast as the "
                                 "server takes them, each from a new phone (default 10; 0: none)")
        parser.add_argument("--wrk-connections", type=int, default=16)
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
                between = run_child("bench_survey", ["--child", "count"], env)
                capacity = self.capacity(base, link, tmp, **options) if options["wrk_seconds"] else None
            after = run_child("bench_survey", ["--child", "count"], env)
            log = (Path(tmp) / "gunicorn-wenming.wsgi.log").read_text(errors="replace")
        errors = self.report(database_label(env), link, assembly, seconds, between, log, **options)
        if capacity:
            errors += self.report_capacity(capacity, after["every_response"] - between["every_response"], **options)
        self.stdout.write(f"errors: {errors}")

    def capacity(self, base, link, tmp, *, wrk_seconds, wrk_connections, **options):
        """wrk posting the right answers to the round's links in turn, each request a new phone (no
        one-answer cookie; its own mobile address), with one CSRF cookie and token as a phone's page has."""
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (bin/setup installs it: apt-get install wrk)")
        phone, _sheet, token = open_sheet(base, link, {"X-Forwarded-For": "198.51.100.1"})
        fields = answer_fields(link, token)
        script = Path(tmp) / "answers.lua"
        script.write_text(WRK_SCRIPT % {
            "paths": ", ".join(json.dumps(p) for p in link["every_path"]), "body": json.dumps(urlencode(fields)),
            "cookie": json.dumps(f"csrftoken={phone.cookies['csrftoken']}")})
        out = subprocess.run(["wrk", "-t2", f"-c{wrk_connections}", f"-d{wrk_seconds}s", "--timeout", "30s",
                              "--latency", "-s", str(script), base], check=True, stdout=subprocess.PIPE, text=True).stdout
        figures = parse_wrk(out)
        figures["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
        figures["refused"] = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
        return figures

    def report_capacity(self, figures, stored, *, wrk_seconds, wrk_connections, **options):
        w = self.stdout.write
        accepted = figures["requests"] - figures["refused"]
        w(f"capacity (wrk, {wrk_connections} connections, {wrk_seconds} s, the answer POST alone, every link of "
          f"the round in turn): {accepted} answers accepted, {accepted / wrk_seconds:.0f} answers/s; "
          f"p50 {figures['p50']:.0f} ms, p99 {figures['p99']:.0f} ms; refused or failed {figures['errors']}")
        # wrk counts the answers it read; up to one per connection may still be in flight when it stops.
        w(f"answers stored: {stored} (wrk read {accepted} answers; up to {wrk_connections} more in flight at its end)")
        in_flight_ok = accepted <= stored <= accepted + wrk_connections
        return figures["errors"] + (0 if in_flight_ok else 1)

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
        return len(assembly.unexpected) + statuses[500] + abs(stored - accepted)

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
                "responses": SurveyResponse.objects.filter(survey=survey, unit=link.unit_id).count(),
                "every_path": [su.path for su in survey.survey_units.order_by("pk")],
                "every_response": SurveyResponse.objects.filter(survey=survey).count()}

    def child_count(self):
        from ledgers.models import Survey, SurveyResponse

        survey = Survey.objects.filter(bureau__name__contains="郾城").order_by("pk").first()
        link = survey.survey_units.order_by("unit__sort_order", "unit__name").first()
        return {"responses": SurveyResponse.objects.filter(survey=survey, unit=link.unit_id).count(),
                "every_response": SurveyResponse.objects.filter(survey=survey).count()}
