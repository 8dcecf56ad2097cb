"""Benchmarks are not part of the product: production's manage.py lists none of them, and each
refuses a database that is not a scratch one."""
from pathlib import Path

import pytest

from benchmarks.scratch import is_scratch, scratch_url
from tests.ops.test_production import manage, production_env


def test_production_settings_install_no_benchmark(tmp_path):
    result = manage(production_env(tmp_path), "help")
    assert result.returncode == 0, result.stderr
    assert "migrate" in result.stdout and "bench_" not in result.stdout and "[benchmarks]" not in result.stdout
    developer = manage(production_env(tmp_path, DEBUG="1"), "help")
    assert "bench_pages" in developer.stdout and "bench_versions" in developer.stdout


def test_a_benchmark_refuses_the_bureaus_database(tmp_path):
    # Where an install keeps it (never opened: the refusal comes first). Not under the checkout, which
    # may itself be in the temporary directory (a fresh clone in /tmp), where SQLite files are scratch.
    live = Path("/var/lib/wenming/db.sqlite3")
    result = manage(production_env(tmp_path, DEBUG="1", DATABASE_URL=f"sqlite:///{live}"), "bench_versions", "--rows", "5")
    assert result.returncode != 0 and "不是临时库" in result.stderr
    result = manage(production_env(tmp_path, DEBUG="1"), "bench_pages", "--no-wrk",
                    "--database-url", "postgres://wenming@127.0.0.1/wenming")
    assert result.returncode != 0 and "不是临时库" in result.stderr


@pytest.mark.parametrize("settings_dict, scratch", [
    ({"ENGINE": "django.db.backends.postgresql", "NAME": "wenming_bench"}, True),
    ({"ENGINE": "django.db.backends.postgresql", "NAME": "test_wenming_test"}, True),
    ({"ENGINE": "django.db.backends.postgresql", "NAME": "wenming"}, False),
    ({"ENGINE": "django.db.backends.sqlite3", "NAME": "/var/lib/wenming/db.sqlite3"}, False),
    ({"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}, True),
])
def test_which_databases_are_scratch(settings_dict, scratch):
    assert is_scratch(settings_dict) is scratch


def test_a_temporary_sqlite_file_is_scratch(tmp_path):
    assert scratch_url(f"sqlite:///{tmp_path}/bench.sqlite3")
