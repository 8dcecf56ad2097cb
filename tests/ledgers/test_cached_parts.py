"""The page cache's contract, checked part by part (ledgers.versions):

- every cached part of every page — each `{% versioned %}` block in the templates, each home panel
  that declares `cached=`, each `versions.cached(...)` in the code — is made again after a write to
  *any* tracked table (a raw no-op UPDATE, past the ORM) of a row its viewer sees, and only then;
- a part that reads a table no version follows is refused;
- documents (PDF, Excel) never come from the cache.
A new cached part that no page below shows fails `test_every_cached_part_is_on_a_page_here`.
"""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ledgers import versions
from ledgers.models import Notification, Role
from ledgers.views.core import HOME_PANELS
from tests.conftest import make_user
from tests.ledgers.test_versions import UNIT_PATH, city, model_of  # noqa: F401 -- the `city` fixture

ROOT = Path(settings.BASE_DIR)
APPS = ("ledgers", "reports", "wenming")


def found(pattern, where, suffix, prefix=""):
    """Every name `pattern` matches in the files under ROOT/where ending in `suffix`."""
    return {prefix + name for folder in where for path in (ROOT / folder).rglob(f"*{suffix}")
            for name in re.findall(pattern, path.read_text())}


def template_parts():
    return found(r'{%\s*versioned\s+"([^"]+)"', ["templates"], ".html", "fragment:")


def every_unit_parts():
    return found(r'{%\s*versioned\s+"([^"]+)"\s+every_unit', ["templates"], ".html", "fragment:")


def code_parts():
    """Names passed to versions.cached(...) / cached_copy(...) in the app's code."""
    return found(r'versions\.cached(?:_copy)?\(\s*"([^"]+)"', APPS, ".py")


def shared_only_parts():
    return found(r'versions\.cached_copy\(\s*"([^"]+)"', APPS, ".py")


def panel_parts():
    return {f"panel:{p.__module__}.{p.__name__}" for p in HOME_PANELS if p.cached}


def pages(city):
    month = timezone.localdate().strftime("%Y-%m")
    leader = make_user("leader", Role.LEADER, city["section"])
    return [
        (city["liaison2"], url) for url in ("/", "/tasks/mine/", "/problems/", "/activities/", f"/reports/monthly/{month}/")
    ] + [
        (city["inspector"], url) for url in ("/", "/tasks/", "/checks/", "/reports/dashboard/", f"/reports/monthly/{month}/")
    ] + [(leader, "/")]


def visit(client_for, pages_):
    """{(user, url): names of the parts made on this visit}."""
    made = {}
    for user, url in pages_:
        versions.computed_parts().clear()
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        made[user.username, url] = set(versions.computed_parts())
    return made


def shared_row(table, city):
    model = model_of(table)
    row = model.objects.order_by("pk").first()
    if row is None and table == "ledgers_taskdeadline":  # the fixture's tasks are one-off
        from ledgers.models import Task, TaskDeadline

        row = TaskDeadline.objects.create(task=Task.objects.first(), label="12月", starts=timezone.localdate(),
                                          due=timezone.localdate())
    if row is None and table == "ledgers_accountabilityrule":  # the defaults are not rows until set
        from ledgers.models import AccountabilityRule

        row = AccountabilityRule.objects.create(bureau=city["school_b"].bureau, kind="problem_overdue", threshold=7)
    assert row is not None, f"no row of {table} to write to: make one in shared_row()"
    return row.pk


@pytest.fixture
def seen(city, client_for):
    """The pages, every part on them made once (cold), and a second visit made nothing (warm)."""
    pages_ = pages(city)
    cold = visit(client_for, pages_)
    assert all(cold.values()), {page: parts for page, parts in cold.items() if not parts}
    assert not any(visit(client_for, pages_).values())  # from the cache: the test can fail
    return pages_, cold


def test_every_cached_part_is_on_a_page_here(seen):
    _pages, cold = seen
    shown = set().union(*cold.values())
    expected = template_parts() | code_parts() | panel_parts()
    assert expected - shown == set(), "a cached part no page of this test shows: add its page to pages()"


def test_a_write_to_any_tracked_table_makes_every_part_of_its_viewers_again(city, client_for, seen):
    pages_, cold = seen
    school = city["school_b"]  # every viewer here sees school_b's records (liaison2 is its liaison)
    stale = []
    for table in [*versions.UNIT_OF, *versions.SHARED_TABLES]:
        if table in versions.UNIT_OF:
            pks = list(model_of(table).objects.filter(**{UNIT_PATH[table]: school}).values_list("pk", flat=True)[:1])
            assert pks, f"school_b has no row of {table}"
        else:
            pks = [shared_row(table, city)]
        column = "name" if table == "ledgers_user" else "id"  # a user's row counts real changes only
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {column} = {column}{' || 1' if column == 'name' else ''}"
                           f" WHERE id = %s", pks)
        made = visit(client_for, pages_)
        # What reads shared tables only (cached_copy: the current year) stays through a unit's write.
        keep = shared_only_parts() if table in versions.UNIT_OF else set()
        stale += [(table, page, sorted(cold[page] - keep - parts)) for page, parts in made.items()
                  if cold[page] - keep - parts]
    assert stale == []


def test_a_write_to_another_district_makes_nothing_again(city, client_for, seen):
    from ledgers.models import Bureau, BureauKind, Unit, UnitAlias

    district = city["school_a"].bureau
    other = Bureau.objects.create(name="源汇区教育局", short_name="源汇区", kind=BureauKind.DISTRICT, parent=district.parent)
    far = Unit.objects.create(name="源汇区实验小学", kind="school", code="yh01", bureau=other)
    pages_, _cold = seen
    visit(client_for, pages_)  # the new district and unit (shared tables) made every part again
    UnitAlias.objects.create(unit=far, name="源汇一小")
    # Only parts that declare they read every unit's records (reused photos) are made again.
    assert set().union(*visit(client_for, pages_).values()) == every_unit_parts()


def test_a_part_that_reads_an_untracked_table_is_refused(rf, liaison, settings):
    from django.template import RequestContext, Template

    from ledgers import page_view

    page = Template('{% load versioned %}{% versioned "messages" %}{{ count }}{% endversioned %}')
    request = rf.get("/")
    request.user = liaison
    token = page_view._memo.set({})  # a page view
    try:
        context = RequestContext(request, {"count": lambda: Notification.objects.filter(recipient=liaison).count()})
        with pytest.raises(versions.UntrackedRead, match="ledgers_notification"):
            page.render(context)
        settings.VERSIONED_STRICT = False  # production: logged, shown, not cached
        assert page.render(context) == "0"
        Notification.objects.create(recipient=liaison, kind=Notification._meta.get_field("kind").choices[0][0], title="新消息", dedupe_key="t1")
        assert page.render(context) == "1"
    finally:
        page_view._memo.reset(token)


def test_a_panel_declares_what_it_is_cached_under_or_is_made_afresh():
    from ledgers.views.core import register_home_panel

    assert all(panel.cached in (None, "units", "district") for panel in HOME_PANELS)
    with pytest.raises(ValueError):
        register_home_panel(cached="everything")


def test_documents_are_made_from_fresh_data_not_from_the_cache(city, client_for, monkeypatch):
    names = []
    real = versions.cached

    def spy(name, *args, **kwargs):
        names.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(versions, "cached", spy)
    client = client_for(city["inspector"])
    month = timezone.localdate().strftime("%Y-%m")
    for url in (f"/reports/monthly/{month}.xlsx", f"/reports/monthly/{month}.pdf"):
        names.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        b"".join(response.streaming_content) if response.streaming else response.content
        assert "monthly_summary" not in names, url
