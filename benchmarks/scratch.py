"""Benchmarks write, drop triggers and load thousands of rows: they run only on a scratch database.

A scratch database is a SQLite file in the system's temporary folder (each command makes its own)
or an in-memory one, or a PostgreSQL database named `wenming_bench…` (what `bin/with-postgres
--scratch` makes and drops again) or `test_…` (a test database pytest-django makes and drops).
"""
import argparse
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

SCRATCH_PREFIXES = ("wenming_bench", "test_")


def is_scratch(settings_dict):
    name = str(settings_dict.get("NAME") or "")
    if settings_dict.get("ENGINE", "").endswith("sqlite3"):
        if name in ("", ":memory:") or name.startswith("file:memorydb"):
            return True
        temp = Path(tempfile.gettempdir()).resolve()
        return temp in Path(name).resolve().parents
    return name.startswith(SCRATCH_PREFIXES)


def why_not(settings_dict):
    return (f"数据库 {settings_dict.get('NAME')} 不是临时库：基准测试只在临时数据库上运行"
            f"（系统临时目录中的 SQLite 文件，或名为 wenming_bench… / test_… 的 PostgreSQL 库，"
            f"见 bin/with-postgres --scratch）。")


def scratch_url(url):
    """argparse `type` of --database-url: the URL, if it names a scratch database."""
    if url and not is_scratch(dj_database_url.parse(url)):
        raise argparse.ArgumentTypeError(why_not(dj_database_url.parse(url)))
    return url


class BenchmarkCommand(BaseCommand):
    """A benchmark. `uses_configured_database`: it reads or writes the database of the settings
    (not only databases it makes itself), which must then be a scratch one; a `--child` step always
    does. Its children find this app installed (WENMING_BENCHMARKS=1)."""

    uses_configured_database = False

    def execute(self, *args, **options):
        if self.uses_configured_database or options.get("child"):
            if not is_scratch(connection.settings_dict):
                raise CommandError(why_not(connection.settings_dict))
        before = os.environ.get("WENMING_BENCHMARKS")
        os.environ["WENMING_BENCHMARKS"] = "1"  # for the child processes it starts, while it runs
        try:
            return super().execute(*args, **options)
        finally:
            if before is None:
                del os.environ["WENMING_BENCHMARKS"]
            else:
                os.environ["WENMING_BENCHMARKS"] = before
