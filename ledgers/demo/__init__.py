"""Demo data: a realistic district bureau, loaded by `manage.py load_demo`.

Each area of the product adds one step (a function taking `out`, a callable that prints a
line); steps run in order, each in its own transaction, and each must be idempotent:
running the command twice gives the same data.
"""
from django.db import transaction

from . import activities, assessment, checks, core, tasks

PASSWORD = "wenming2026"

STEPS = [
    core.load,
    # tasks first: it loads the year's indicators that checks and activities link to.
    tasks.load,
    checks.load,
    activities.load,
    # last: the assessment scheme scores what the other steps loaded.
    assessment.load,
]


def load(out=print):
    for step in STEPS:
        with transaction.atomic():
            step(out)
