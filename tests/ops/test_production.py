"""Production serving: deploy checks, security headers, gunicorn + whitenoise, private media."""
import json
import os
import re
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.conftest import PASSWORD
from benchmarks import serving

# Each test makes its own SQLite database (production_env): bin/test runs these in the SQLite phase only.
pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() 
           if k not in ("DATABASE_URL", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,wenming.example.edu.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_deploy_check_is_clean_with_debug_off(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_https_only(tmp_path):
    code = ("import json; from django.conf import settings as s; print(json.dumps([s.SESSION_COOKIE_SECURE,"
            " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS,"
            " s.STORAGES['staticfiles']['BACKEND']]))")
    result = manage(production_env(tmp_path), "shell", "--no-imports", "-c", code)
    assert json.loads(result.stdout) == [
        True, True, True, 31536000, "DENY", "whitenoise.storage.CompressedManifestStaticFilesStorage"]
    behind_proxy = manage(production_env(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
                                         SECURE_SSL_REDIRECT="0"),
                          "shell", "--no-imports", "-c", "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT)")
    assert behind_proxy.stdout.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "False"]


def test_object_storage_is_chosen_by_environment_without_importing_it_otherwise(tmp_path):
    code = ("import sys, json; from django.conf import settings as s;"
            " print(json.dumps([s.STORAGES['default'], 'storages' in sys.modules]))")
    # (STORAGE_BACKEND named: bin/test's PostgreSQL + SeaweedFS phase exports s3.)
    local = json.loads(manage(production_env(tmp_path, STORAGE_BACKEND="local"), "shell", "--no-imports", "-c",
                              code).stdout)
    assert local == [{"BACKEND": "django.core.files.storage.FileSystemStorage"}, False]
    s3_env = production_env(tmp_path, STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="wenming-photos",
                            AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000")
    default, imported = json.loads(manage(s3_env, "shell", "--no-imports", "-c", code).stdout)
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "wenming-photos"
    assert default["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    # Photos stay private: no public ACL, signed URLs only.
    assert default["OPTIONS"]["default_acl"] is None and default["OPTIONS"]["querystring_auth"] is True
    assert imported is False


def test_pages_carry_csp_without_inline_script_and_deny_framing(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>\s*[^<\s]", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def test_no_template_has_inline_script_or_event_handler_attributes():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, re.compile(r"javascript:", re.I)):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(ROOT)}: {pattern.pattern}")
    assert offenders == []


def test_the_check_itself_catches_inline_script():
    assert INLINE_SCRIPT.search('<script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js"></script>')
    assert EVENT_HANDLER.search('<button onclick="go()">')


def test_forged_csrf_token_is_refused_in_chinese_and_nothing_changes(liaison):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(liaison)
    browser.get(reverse("password_change"))  # sets the real CSRF cookie
    response = browser.post(reverse("password_change"), {
        "csrfmiddlewaretoken": "x" * 64,
        "old_password": PASSWORD, "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!",
    })
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期，本次提交未保存" in page and "刷新" in page
    liaison.refresh_from_db()
    assert liaison.check_password(PASSWORD)


def test_media_is_never_served_from_a_public_url_even_with_debug(client, settings, admin_user):
    settings.DEBUG = True
    default_storage.save("photos/2026/secret.jpg", ContentFile(b"\xff\xd8\xff not for everyone"))
    client.force_login(admin_user)
    for url in ("/media/photos/2026/secret.jpg", "/media/", "/media/../media/photos/2026/secret.jpg"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"not for everyone" not in response.content


def fetch(url):
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_gunicorn_serves_pages_and_hashed_static_files(tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0")
    for args in (("migrate", "--noinput", "-v0"), ("collectstatic", "--noinput", "-v0")):
        result = manage(env, *args)
        assert result.returncode == 0, result.stderr
    try:
        with serving.gunicorn("wenming.wsgi", env, tmp_path / "gunicorn.log", workers=2, wait=30) as (base, _server):
            status, headers, body = fetch(f"{base}/accounts/login/")
            page = body.decode()
            assert status == 200 and "文明创建工作台账" in page and "用户名" in page
            assert headers["X-Frame-Options"] == "DENY" and "script-src 'self'" in headers["Content-Security-Policy"]
            css = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', page)
            assert css, "static URLs carry a content hash"
            status, headers, body = fetch(f"{base}{css.group(1)}")
            assert status == 200 and b"Bootstrap" in body[:500]
            assert "immutable" in headers["Cache-Control"]
    except serving.ServerDidNotStart as error:
        pytest.fail(str(error))


def test_the_secret_key_can_be_kept_in_a_file_and_is_required_without_debug(tmp_path):
    """bin/serve keeps its generated key in var/secret_key (SECRET_KEY_FILE); without it, or a
    SECRET_KEY, and without DEBUG the app refuses to start, in Chinese."""
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 60 + "\n")
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = production_env(tmp_path, SECRET_KEY_FILE=str(key_file))
    del env["SECRET_KEY"]
    assert manage(env, "shell", "--no-imports", "-c", code).stdout.strip() == "k" * 60
    env["SECRET_KEY_FILE"] = str(tmp_path / "missing")
    result = manage(env, "shell", "--no-imports", "-c", code)
    assert result.returncode != 0 and "请设置环境变量 SECRET_KEY 或 SECRET_KEY_FILE" in result.stderr
