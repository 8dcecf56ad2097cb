"""The installable app: manifest, service worker at the root scope, offline page, no user data cached."""
import json

from django.urls import reverse


def test_the_service_worker_is_served_at_the_root_scope_with_the_shell_to_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    code = response.content.decode()
    precache = json.loads(code.split("var PRECACHE = ", 1)[1].split(";\n", 1)[0])
    assert "/static/vendor/bootstrap/bootstrap.min.css" in precache and "/static/js/capture.js" in precache
    assert 'var OFFLINE_URL = "/offline/"' in code
    # Pages are never put in a cache; only /static/ is.
    assert "cache.put(request" in code and 'url.pathname.indexOf("/static/") === 0' in code


def test_the_manifest_names_the_app_in_chinese_and_its_icons_exist(client):
    response = client.get(reverse("manifest"))
    data = json.loads(response.content)
    assert data["name"] == "文明创建工作台账" and data["start_url"] == "/" and data["display"] == "standalone"
    from django.contrib.staticfiles import finders
    from PIL import Image

    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert Image.open(path).size == tuple(int(n) for n in icon["sizes"].split("x"))


def test_the_offline_page_is_chinese_public_and_holds_no_user_data(client, client_for, liaison):
    anonymous = client.get(reverse("offline"))
    assert anonymous.status_code == 200 and "网络未连接" in anonymous.content.decode()
    logged_in = client_for(liaison).get(reverse("offline")).content.decode()
    assert liaison.display_name not in logged_in and "退出登录" not in logged_in


def test_every_page_links_the_manifest_and_registers_the_worker_under_the_csp(client_for, liaison):
    response = client_for(liaison).get("/")
    page = response.content.decode()
    assert 'rel="manifest"' in page and "js/pwa.js" in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
