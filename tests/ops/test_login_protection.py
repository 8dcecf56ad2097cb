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


def test_behind_the_proxy_the_lockout_is_per_client_address_from_x_forwarded_for(liaison, settings):
    """Every request comes from the proxy (127.0.0.1); X-Forwarded-For names the client. The attacker's
    address is locked out, the real user logs in from theirs, and the log records the client addresses."""
    from axes.models import AccessAttempt, AccessLog
    from django.test import Client

    settings.CLIENT_IP_PROXY_COUNT = 1
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for attempt in range(5):
        login(attacker, "liaison", f"wrong-{attempt}")
    assert login(attacker, "liaison", PASSWORD).status_code == 429
    # A forged entry to the left of the one our proxy appended changes nothing for the attacker.
    forged = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.66")
    assert login(forged, "liaison", PASSWORD).status_code == 429

    user = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = login(user, "liaison", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.66"]
    assert AccessLog.objects.filter(username="liaison").latest("attempt_time").ip_address == "198.51.100.7"
    assert not AccessLog.objects.filter(ip_address="127.0.0.1").exists()


def test_without_a_proxy_x_forwarded_for_is_ignored(client, liaison, settings):
    """With no proxy configured the header is the client's own words: lockout uses the socket address."""
    from axes.models import AccessAttempt
    from django.test import Client

    settings.CLIENT_IP_PROXY_COUNT = 0
    for attempt in range(5):
        login(Client(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}"), "liaison", "wrong")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    assert login(Client(REMOTE_ADDR="192.0.2.10"), "liaison", PASSWORD).status_code == 429
