"""The suite really runs on the database DATABASE_URL names (bin/test runs it twice)."""
import os

from django.db import connection

from ledgers.models import Unit


def test_it_runs_on_the_configured_database(db):
    url = os.environ.get("DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_chinese_text_round_trips_through_this_database(db):
    # Chinese text round-trips unchanged through the database's encoding.
    Unit.objects.create(name="郾城区第三实验小学（𠮷堃喆）", kind="school", code="school03")
    assert Unit.objects.get(code="school03").name == "郾城区第三实验小学（𠮷堃喆）"
