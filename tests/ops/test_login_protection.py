"""Login protection: lockout after repeated failures (django-axes) and idle session expiry."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, liaison):
    for attempt in range(4):
        response = login(client, "liaison", f"wrong-{attempt}")
        assert "用户名或密码不正确" in response.content.decode()
    fifth = login(client, "liaison", "wrong-5")
    assert fifth.status_code == 429
    assert "登录失败次数过多，账号已暂时锁定" in fifth.content.decode()

    sixth = login(client, "liaison", PASSWORD)
    page = sixth.content.decode()
    assert sixth.status_code == 429
    assert "账号已暂时锁定" in page and "30 分钟后再试" in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_lockout_is_per_user_name_so_colleagues_can_still_log_in(client, liaison, liaison2):
    for attempt in range(5):
        login(client, "liaison", f"wrong-{attempt}")
    response = login(client, "liaison2", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_successful_login_resets_the_failure_count(client, liaison):
    for attempt in range(4):
        login(client, "liaison", f"wrong-{attempt}")
    assert login(client, "liaison", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for attempt in range(4):
        login(client, "liaison", f"wrong-again-{attempt}")
    # Four more failures after a success are not five in a row.
    assert login(client, "liaison", PASSWORD).status_code == 302


def test_lockout_ends_after_the_cool_off_time(client, liaison, settings):
    from axes.models import AccessAttempt

    for attempt in range(5):
        login(client, "liaison", f"wrong-{attempt}")
    assert login(client, "liaison", PASSWORD).status_code == 429
    # 31 minutes later (attempts carry their time; move it back instead of sleeping).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert login(client, "liaison", PASSWORD).status_code == 302


def test_an_idle_session_expires_and_sends_the_user_to_login(client, liaison, settings):
    from django.contrib.sessions.models import Session

    assert login(client, "liaison", PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    # Idle for longer than SESSION_IDLE_MINUTES: the stored session has expired.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_each_request_pushes_the_expiry_forward(client, liaison, settings):
    from django.contrib.sessions.models import Session

    login(client, "liaison", PASSWORD)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get(reverse("home"))
    expiry = Session.objects.get().expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
