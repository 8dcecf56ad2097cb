"""A surface that shows a published figure joins the cross-surface test, or says why not.

Every template, and every Python renderer of the reports (reports/*.py), of the ledger pages
(ledgers/views/, ledgers/templatetags/) and of the messages (ledgers/services/notifications.py),
whose text shows one of the figures' labels (tests/rules/surfaces.py LABELS: 逾期, 待复查, 得分率 …)
must be covered by a registered surface (`Surface.covers`) or listed below with the reason it shows
no figure of its own. A new page or document that prints 逾期 fails here until it joins.
"""
from pathlib import Path

from django.conf import settings

from tests.rules.surfaces import LABELS, SURFACES

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
RENDERERS = ["reports/*.py", "ledgers/views/*.py", "ledgers/templatetags/*.py", "ledgers/services/notifications.py"]

# file -> why it shows no figure of its own (its labels are words in a message, a legend, a choice …)
NOT_FIGURES = {
    # 通报批评 here names what the bureau did about a 问责提示 (提醒谈话 / 约谈 / 通报批评 / 问责) and the
    # rule 被督查通报批评 N 次, never the bulletin's criticism list.
    "ledgers/accountability/list.html": "an action taken, a rule's name",
    "reports/pdf/accountability.html": "an action taken, a rule's name",
}


def files_with_labels():
    paths = [p for p in TEMPLATES.rglob("*.html")]
    for pattern in RENDERERS:
        paths += [p for p in ROOT.glob(pattern) if "management" not in p.parts]
    for path in sorted(paths):
        text = path.read_text(encoding="utf-8")
        found = [label for label in LABELS if label in text]
        if found:
            yield str(path.relative_to(TEMPLATES if path.is_relative_to(TEMPLATES) else ROOT)), found


def test_every_template_and_renderer_showing_a_figure_joins_the_cross_surface_test():
    covered = {c for surface in SURFACES for c in surface.covers}
    exempt = {name.removeprefix("templates/") for name in NOT_FIGURES}
    unregistered = [f"{name} ({'、'.join(labels)})" for name, labels in files_with_labels()
                    if name not in covered and name not in exempt]
    assert not unregistered, (
        "these show a published figure but no surface in tests/rules/surfaces.py covers them: add them to a "
        "surface (and its figures to tests/rules/test_cross_surface.py) or say why in NOT_FIGURES:\n"
        + "\n".join(unregistered))


def test_every_exemption_is_still_needed():
    """An exemption whose file no longer shows a label (or is covered now) is dropped from NOT_FIGURES."""
    showing = dict(files_with_labels())
    covered = {c for surface in SURFACES for c in surface.covers}
    stale = [n for n in NOT_FIGURES if n.removeprefix("templates/") not in showing
             or n.removeprefix("templates/") in covered]
    assert not stale, stale


def test_the_registry_names_only_files_that_exist():
    names = {c for surface in SURFACES for c in surface.covers} | {n.removeprefix("templates/") for n in NOT_FIGURES}
    missing = [n for n in names if not (TEMPLATES / n).exists() and not (ROOT / n).exists()]
    assert not missing, missing
