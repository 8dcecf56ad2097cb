"""Benchmark (not a test): the busiest pages under gunicorn, beside a hello-world floor in the same run.

    DJANGO_DEBUG=1 .venv/bin/python manage.py bench_pages [--duration 10] [--database-url postgres://…/empty_db]

Loads the demo data (`load_demo --if-empty`) into its own database (a temporary SQLite file, or the
database given — empty, or already holding the demo data to save the minutes of loading it;
`bin/with-postgres --scratch` hands over an empty PostgreSQL one) and collects the static
files into a temporary STATIC_ROOT. Then, with DEBUG=0 and the production settings:

- starts gunicorn (`--workers`, 2) serving the site, and a second gunicorn serving a one-view
  "hello world" under the same settings and middleware (`benchmarks.hello`): the ceiling;
- signs in as `liaison` and `inspector` (session cookies) and runs `wrk -t2 -c16 -d10s --latency`
  on each page in PAGES, then on the floor, each after one second of the same load that is not
  counted (every worker has compiled the page's templates and filled its caches: the table is of
  warm pages);
- in a child process, times each page warm through Django's test client (median of `--repeat`
  requests, no network) and counts its queries.

Prints one table: req/s, p50 and p99 latency, the share of the floor's req/s, the warm in-process
time (wall clock, and the process's CPU time, which other work on a shared machine disturbs less) and
the query count. `--no-wrk` prints the in-process columns only (no gunicorn; quick).
`--page-weight` adds what a phone transfers for the liaison's pages (first load and reload;
`benchmarks/page_weight.py`, Debian's Chromium).
"""
import datetime
import re
import shutil
import statistics
import subprocess
import tempfile
import time

from django.core.management.base import CommandError

from benchmarks.scratch import BenchmarkCommand

from benchmarks.harness import (
    add_database_url, database_label, load_demo, print_json, production_env, run_child, served)

# (label, who signs in (None: anonymous), URL; "{month}" is this month in the campaign year)
PAGES = [
    ("login (anonymous)", None, "/accounts/login/"),
    ("liaison /", "liaison", "/"),
    ("liaison /activities/", "liaison", "/activities/"),
    ("liaison /problems/", "liaison", "/problems/"),
    ("liaison /tasks/mine/", "liaison", "/tasks/mine/"),
    ("inspector /reports/dashboard/", "inspector", "/reports/dashboard/"),
    ("inspector monthly summary", "inspector", "/reports/monthly/{month}/"),
    ("inspector task matrix /tasks/", "inspector", "/tasks/"),
    ("inspector check list /checks/", "inspector", "/checks/"),
]
USERS = ("liaison", "inspector")


def parse_wrk(text):
    """{"rps", "p50", "p99" (ms), "errors"} from `wrk --latency` output."""
    def ms(value):
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", text))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


def this_month():
    from ledgers.models import CampaignYear

    year = CampaignYear.objects.current().year
    today = datetime.date.today()
    return f"{year}-{today.month if today.year == year else 12:02d}"


class Command(BenchmarkCommand):
    help = "基准：gunicorn 下主要页面的吞吐、延迟（与同设置的 hello world 对比）、进程内耗时和查询数。"

    def add_arguments(self, parser):
        add_database_url(parser)
        parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page (10)")
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
        parser.add_argument("--repeat", type=int, default=30, help="warm in-process requests per page (30)")
        parser.add_argument("--no-wrk", action="store_true", help="in-process figures only (no gunicorn, no wrk)")
        parser.add_argument("--page-weight", action="store_true",
                            help="also the bytes a phone transfers for the liaison's pages (Chromium)")
        parser.add_argument("--child", choices=["sessions", "inprocess"])

    def handle(self, *args, database_url, child, **options):
        if child:
            return print_json(self.stdout, getattr(self, f"child_{child}")(**options))
        if not options["no_wrk"] and not shutil.which("wrk"):
            raise CommandError("wrk is not installed (bin/setup installs it: apt-get install wrk)")
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
            env = production_env(tmp, database_url)
            database = database_label(env)
            self.stdout.write(f"demo data on {database} loaded in {load_demo(env):.0f} s")
            sessions = run_child("bench_pages", ["--child", "sessions"], env)
            warm = run_child("bench_pages", ["--child", "inprocess", "--repeat", str(options["repeat"])], env)
            loaded = {}
            if not options["no_wrk"]:
                loaded = self.under_load(env, sessions, tmp, **options)
            self.report(database, sessions["month"], warm, loaded, **options)
            if options["page_weight"]:
                from benchmarks.page_weight import measure_site
                with served(env, tmp, "wenming.wsgi", 1) as base:
                    for line in measure_site(base, sessions["liaison"]):
                        self.stdout.write(line)

    # --- load with wrk ----------------------------------------------------------------------------

    def wrk(self, url, cookie=None, *, duration, connections, threads, **options):
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
                   "--latency", url]
        if cookie:
            command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
        out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
        return parse_wrk(out)

    def under_load(self, env, sessions, tmp, **options):
        results = {}
        with served(env, tmp, "wenming.wsgi", options["workers"]) as base:
            for label, who, url in PAGES:
                page, cookie = base + url.format(month=sessions["month"]), sessions[who] if who else None
                self.wrk(page, cookie, **{**options, "duration": 1})  # every worker warm first (not counted)
                results[label] = self.wrk(page, cookie, **options)
        with served(env, tmp, "benchmarks.hello", options["workers"]) as base:
            self.wrk(base + "/", **{**options, "duration": 1})
            results["hello world"] = self.wrk(base + "/", **options)
        return results

    # --- the parent prints ------------------------------------------------------------------------

    def report(self, database, month, warm, loaded, *, duration, connections, threads, workers, **options):
        if loaded:
            self.stdout.write(f"pages on {database} (demo data, month {month}): gunicorn {workers} workers, DEBUG=0, "
                              f"wrk -t{threads} -c{connections} -d{duration}s")
        else:
            self.stdout.write(f"pages on {database} (demo data, month {month}): in-process only")
        self.stdout.write("warm: the same page again (its cached parts hit); after a write: a write in the district "
                          "before each request (they are made again). wrk measures the warm page.")
        floor = loaded.get("hello world")
        header = (f"{'page':34} {'req/s':>7} {'p50':>8} {'p99':>8} {'share':>6} {'warm':>8} {'cpu':>8} {'queries':>7}"
                  f" {'after a write: cpu':>18} {'queries':>7}")
        self.stdout.write(header)
        for label, _who, _url in [("hello world", None, None), *PAGES]:
            w = loaded.get(label)
            cells = (f"{w['rps']:7.0f} {w['p50']:5.1f} ms {w['p99']:5.1f} ms {w['rps'] / floor['rps']:6.1%}"
                     if w else f"{'':7} {'':8} {'':8} {'':6}")
            inproc = warm.get(label)
            cells += f" {inproc['ms']:5.1f} ms {inproc['cpu']:5.1f} ms {inproc['queries']:7d}" if inproc else ""
            if inproc and "after_write" in inproc:
                cold = inproc["after_write"]
                cells += f" {cold['cpu']:15.1f} ms {cold['queries']:7d}"
            errors = f"  ({w['errors']} errors)" if w and w["errors"] else ""
            if w or inproc:
                self.stdout.write(f"{label:34} {cells}{errors}")

    # --- children ---------------------------------------------------------------------------------

    def _clients(self):
        from django.test import Client

        from ledgers.models import User

        clients = {None: Client()}
        for username in USERS:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        return clients

    def child_sessions(self, **options):
        clients = self._clients()
        return {"month": this_month(), **{who: clients[who].cookies["sessionid"].value for who in USERS}}

    def child_inprocess(self, *, repeat, **options):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from ledgers.models import Activity, User

        clients, month, results = self._clients(), this_month(), {}
        activity = Activity.objects.filter(unit=User.objects.get(username="liaison").unit_id).first()

        def write():  # one archive of the liaison's unit saved again (not timed): every page's
            # cached parts are out of date (ledgers.versions), as after any write in the district
            Activity.objects.filter(pk=activity.pk).update(title=activity.title)

        def measure(client, url, before):
            times, cpu = [], []
            for _ in range(repeat):
                before()
                start, start_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            before()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            return {"ms": statistics.median(times) * 1000, "cpu": statistics.median(cpu) * 1000,
                    "queries": len(queries)}

        for label, who, url in PAGES:
            client, url = clients[who], url.format(month=month)
            for _ in range(3):  # warm: templates compiled, caches filled, session refreshed
                response = client.get(url)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
            results[label] = {**measure(client, url, lambda: None), "after_write": measure(client, url, write)}
        return results

