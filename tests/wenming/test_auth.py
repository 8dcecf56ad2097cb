from django.urls import reverse

from tests.conftest import PASSWORD


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_logs_in_and_lands_on_home(client, liaison):
    response = login(client, "liaison", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "郾城区第一实验小学" in home.content.decode()


def test_wrong_password_gets_chinese_error_without_hint(client, liaison):
    wrong = login(client, "liaison", "not-the-password").content.decode()
    unknown = login(client, "nobody", "not-the-password").content.decode()
    assert "用户名或密码不正确" in wrong
    assert "用户名或密码不正确" in unknown
    # Same message whether or not the user exists; the typed user name is kept.
    assert 'value="liaison"' in wrong
    assert "不存在" not in wrong + unknown


def test_inactive_user_cannot_log_in(client, liaison):
    liaison.is_active = False
    liaison.save()
    response = login(client, "liaison", PASSWORD)
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, liaison):
    client.force_login(liaison)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_takes_the_new_password(client, liaison):
    client.force_login(liaison)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!",
    })
    assert response.status_code == 302
    liaison.refresh_from_db()
    assert liaison.check_password("Xin-mima-2026!")


def test_password_change_with_wrong_old_password_is_refused_in_chinese(client, liaison):
    client.force_login(liaison)
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!",
    })
    assert response.status_code == 200
    assert "旧密码" in response.content.decode()
    liaison.refresh_from_db()
    assert liaison.check_password(PASSWORD)
