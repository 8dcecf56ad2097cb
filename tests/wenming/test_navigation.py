import re

import pytest
from django.urls import reverse


def nav_labels(client):
    html = client.get(reverse("home")).content.decode()
    nav = html.split('data-testid="nav"', 1)[1].split("</ul>\n      <ul", 1)[0]
    return set(re.findall(r'class="(?:dropdown-item|nav-link)" href="[^"]*">([^<]+)</a>', nav))


def test_bureau_admin_sees_user_and_unit_management(client_for, admin_user):
    labels = nav_labels(client_for(admin_user))
    assert {"首页", "单位管理", "用户管理"} <= labels


@pytest.mark.parametrize("fixture", ["inspector", "leader", "liaison"])
def test_other_roles_do_not_see_management(request, client_for, fixture):
    user = request.getfixturevalue(fixture)
    labels = nav_labels(client_for(user))
    assert "首页" in labels
    assert "单位管理" not in labels
    assert "用户管理" not in labels


def test_nav_lists_only_routed_entries_for_each_role(admin_user, liaison, leader):
    from ledgers.nav import entries_for

    def urls(user):
        return [url for _, items in entries_for(user) for _, url in items]

    assert reverse("admin:ledgers_unit_changelist") in urls(admin_user)
    assert reverse("admin:ledgers_unit_changelist") not in urls(liaison)
    assert reverse("admin:ledgers_unit_changelist") not in urls(leader)


def test_nav_collapses_into_a_menu_button_on_phones(client_for, liaison):
    html = client_for(liaison).get(reverse("home")).content.decode()
    assert 'class="navbar-toggler"' in html
    assert 'name="viewport"' in html
    # Bootstrap is served from our own static files, never a CDN.
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    # (no address on another host; "cdn" alone also turned up inside random CSRF tokens)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


@pytest.mark.parametrize("fixture", ["admin_user", "inspector", "leader", "liaison"])
def test_the_menu_shows_each_roles_entries_in_order_and_in_their_groups(request, client_for, fixture):
    from ledgers.nav import entries_for

    user = request.getfixturevalue(fixture)
    html = client_for(user).get(reverse("home")).content.decode()
    nav = html.split('data-testid="nav">', 1)[1].split("</ul>\n      <ul", 1)[0]
    shown, group = [], None
    for token in re.finditer(r'data-bs-toggle="dropdown" aria-expanded="false">([^<]+)</a>|'
                             r'<li(?: class="nav-item")?><a class="(dropdown-item|nav-link)" href="([^"]*)">([^<]+)</a>', nav):
        if token[1]:
            group = token[1]
        else:
            shown.append((group if token[2] == "dropdown-item" else None, token[4], token[3]))
    assert len(shown) > 1
    assert shown == [(g, label, url) for g, items in entries_for(user) for label, url in items]

