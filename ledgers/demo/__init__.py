"""Demo data: a city (漯河市教育局) with a realistic district (郾城区) and two smaller ones,
loaded by `manage.py load_demo`.

Each area of the product adds one step (a function taking `out`, a callable that prints a
line); steps run in order, each in its own transaction, and each must be idempotent:
running the command twice gives the same data.
"""
from django.db import transaction

from . import activities, assessment, checks, core, districts, oversight, surveys, tasks
from .core import PASSWORD  # noqa: F401  (load_demo prints it)

STEPS = [
    core.load,
    # tasks first: it loads the year's indicators that checks and activities link to.
    tasks.load,
    checks.load,
    activities.load,
    # the city's own units and logins, and two more districts with smaller ledgers
    districts.load,
    # 领导包抓 · 督导组包督查 over every bureau's units, and the 问责 rules run once over the ledgers
    oversight.load,
    # the city's starter 应知应会 bank and a 问卷调查 round of 郾城区's schools with answers
    surveys.load,
    # last: the assessment scheme scores what the other steps loaded.
    assessment.load,
]


def load(out=print):
    for step in STEPS:
        with transaction.atomic():
            step(out)
