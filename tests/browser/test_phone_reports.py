"""Reports that read on a phone: every report page at 390×844 for each role that may open it.

A page fails when the document is wider than the phone (the page scrolls sideways) or when any
visible text — HTML or SVG — renders smaller than 11 CSS px (tests/browser/phone_audit.py). The
same page at 1366 px must carry the same content: the same unit names and percentages, counting
what sits one tap away in a closed <details> as present. Screenshots of every page at both widths
are kept in test-output/screenshots/phone-*.png and desktop-*.png.

To cover a new page, add one line to PAGES: (name, URL name, URL arguments, roles). An argument
is a key of the `demo` dict built in `demo_pages` (e.g. "month", "published_bulletin"); a key
starting with "?" becomes a query parameter ("?unit" -> ?unit=<demo["?unit"]>). Roles are demo
logins; the city's (city_inspector, city_leader) see the city's views of the same URLs.
"""
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ledgers.models import Bulletin, CampaignYear, Unit, User
from ledgers.services import bulletins as bulletin_service
from reports.summaries import Month, monthly_summary
from tests.browser.conftest import PHONE, login_as, screenshot
from tests.browser.phone_audit import MIN_TEXT_PX, audit

BUREAU = ("leader", "inspector")
EVERYONE = ("leader", "inspector", "liaison")
CITY = ("city_inspector", "city_leader")
DESKTOP_WIDE = {"width": 1366, "height": 900}

PAGES = [
    # name               URL name                       arguments               roles
    ("home",             "home",                        (),                     EVERYONE),
    ("dashboard",        "reports:dashboard",           (),                     BUREAU),
    ("monthly-index",    "reports:monthly_index",       (),                     EVERYONE),
    ("monthly",          "reports:monthly",             ("month",),             EVERYONE),
    ("bulletin-list",    "ledgers:bulletin_list",       (),                     BUREAU),
    ("bulletin",         "ledgers:bulletin_detail",     ("published_bulletin",), BUREAU),
    ("bulletin-preview", "ledgers:bulletin_detail",     ("draft_bulletin",),    BUREAU),
    ("task-matrix",      "ledgers:task_matrix",         (),                     BUREAU),
    ("activity-stats",   "ledgers:activity_stats",      (),                     BUREAU),
    ("my-units",         "reports:my_units",            (),                     ("leader",)),
    ("accountability",   "ledgers:case_list",           (),                     EVERYONE),
    ("assessment",       "reports:assessment",          ("year",),              BUREAU),
    ("assessment-sheet", "reports:assessment",          ("year", "?unit"),      EVERYONE),
    ("city-home",        "home",                        (),                     CITY),
    ("city-dashboard",   "reports:dashboard",           (),                     CITY),
    ("city-monthly",     "reports:monthly",             ("month",),             CITY),
]

PERCENT = re.compile(r"\d+(?:\.\d+)?%")

# Text one tap away: what closed <details> hold, read without opening them.
TAP_AWAY_JS = """() => Array.from(document.querySelectorAll("main details:not([open])"))
  .filter(d => d.getClientRects().length).map(d => d.textContent).join(" ")"""


@pytest.fixture
def demo_pages(transactional_db):
    """The demo bureau, plus a draft bulletin for the preview page; returns the URL arguments."""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    inspector = User.objects.get(username="inspector")
    bulletins = Bulletin.objects.visible_to(inspector)  # 郾城区's, not another district's
    published = bulletins.published().order_by("-published_at").first()
    draft = bulletins.exclude(pk__in=Bulletin.objects.published()).first()
    if draft is None:
        taken = set(bulletins.values_list("iso_year", "iso_week"))
        iso_year, iso_week = timezone.localdate().isocalendar()[:2]
        while (iso_year, iso_week) in taken:
            iso_week -= 1
        draft = bulletin_service.bulletin_create(user=inspector,
                                                 iso_year=iso_year, iso_week=iso_week)
    # "?unit": the liaison's own unit, so the liaison (who only ever gets their own) and the
    # bureau's roles open the same sheet.
    return {"month": str(Month.containing(timezone.localdate())),
            "published_bulletin": published.pk, "draft_bulletin": draft.pk,
            "year": CampaignYear.objects.current().year,
            "?unit": User.objects.get(username="liaison").unit_id}


def url_of(url_name, arg_keys, demo):
    query = "&".join(f"{key[1:]}={demo[key]}" for key in arg_keys if key.startswith("?"))
    url = reverse(url_name, args=[demo[key] for key in arg_keys if not key.startswith("?")])
    return f"{url}?{query}" if query else url


def content_of(page, texts, units):
    """The unit names and percentages a reader finds on the page (seen, or one tap away)."""
    text = " ".join(texts) + " " + page.evaluate(TAP_AWAY_JS)
    return {name for name in units if name in text}, set(PERCENT.findall(text))


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, f"{url}: HTTP {response.status}"
    page.wait_for_load_state("load")
    return audit(page)


def test_report_pages_read_on_a_phone_and_keep_their_content_on_a_desktop(new_page, demo_pages):
    units = list(Unit.objects.values_list("name", flat=True))
    failures, counts = [], []
    for role in dict.fromkeys(role for *_, roles in PAGES for role in roles):
        phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        desktop = new_page(viewport=DESKTOP_WIDE)
        login_as(phone, role)
        login_as(desktop, role)
        for name, url_name, arg_keys, roles in PAGES:
            if role not in roles:
                continue
            url = url_of(url_name, arg_keys, demo_pages)
            where = f"{role} {name} ({url})"

            seen = visit(phone, url)
            # CSS pixels: a quarter of the phone's device pixels to encode, for the same layout.
            screenshot(phone, f"phone-{role}-{name}", scale="css")
            counts.append(f"{where}: {len(seen['small'])} texts < {MIN_TEXT_PX}px, width {seen['docWidth']}")
            if seen["docWidth"] > PHONE["width"]:
                failures.append(f"{where}: the page is {seen['docWidth']}px wide on a {PHONE['width']}px phone")
            if seen["small"]:
                failures.append(f"{where}: {len(seen['small'])} texts under {MIN_TEXT_PX}px, e.g. {seen['small'][:5]}")
            phone_content = content_of(phone, seen["texts"], units)

            wide = visit(desktop, url)
            screenshot(desktop, f"desktop-{role}-{name}")
            desktop_content = content_of(desktop, wide["texts"], units)
            for label, on_phone, on_desktop in zip(("units", "figures"), phone_content, desktop_content):
                if on_phone != on_desktop:
                    failures.append(f"{where}: {label} differ between phone and desktop: only on the phone "
                                    f"{sorted(on_phone - on_desktop)[:5]}, only on the desktop "
                                    f"{sorted(on_desktop - on_phone)[:5]}")
            if role == "leader" and name == "home":
                failures += leader_screen_problems(phone)
    print("\n".join(counts))
    assert not failures, "\n".join(failures)


def leader_screen_problems(page):
    """The leader's home shows the units they 包抓 on the first screen (the demo leader has eight:
    issue 30), then the month's overview on one screen of its own, each part linking on. (A leader
    without 包抓 units has the overview first.)"""
    problems = []
    mine = page.get_by_test_id("panel-my-units").bounding_box()
    if mine is None or mine["y"] + mine["height"] > PHONE["height"]:
        problems.append(f"leader home: 我包抓的单位 does not fit the first screen ({mine})")
    panel = page.get_by_test_id("panel-leader")
    box = panel.bounding_box()
    if box is None or box["height"] > PHONE["height"] or (mine and box["y"] > mine["y"] + mine["height"] + 40):
        problems.append(f"leader home: the overview does not fit one screen right below 我包抓的单位 ({box})")
    for part in ("leader-figures", "leader-lowest", "leader-overdue", "leader-bulletin"):
        if panel.get_by_test_id(part).locator("a[href]").count() == 0:
            problems.append(f"leader home: {part} has no link")
    # The five lowest of the leader's district (fewer early in a month, before five units were checked).
    leader = User.objects.get(username="leader")
    ranked = len(monthly_summary(Month.containing(timezone.localdate()), bureau=leader.bureau, lists=False).ranking)
    shown = panel.get_by_test_id("leader-lowest").locator("a[href*='unit=']").count()
    if shown != min(5, ranked):
        problems.append(f"leader home: {shown} lowest-ranked units shown of the district's {ranked} ranked")
    return problems
