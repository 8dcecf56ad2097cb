"""The error pages are the product's own, in Chinese: 404, 403, 500, and the 405 that a GET of a
button's POST-only address used to answer with an empty page (wenming.middleware)."""
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def test_get_of_a_post_only_address_is_a_chinese_page_that_leads_back(client_for, liaison):
    browser = client_for(liaison)
    url = reverse("ledgers:bulletin_create")  # the 新建通报 button's address
    response = browser.get(url, HTTP_REFERER="http://testserver/bulletins/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    page = response.content.decode()
    assert "此地址不能直接打开" in page and "本次没有进行任何操作" in page
    assert 'href="http://testserver/bulletins/"' in page and "返回上一页" in page
    # Typed into the address bar, or from another site: no way back but home.
    for referer in ({}, {"HTTP_REFERER": "https://evil.example/"}, {"HTTP_REFERER": f"http://testserver{url}"}):
        page = browser.get(url, **referer).content.decode()
        assert "返回上一页" not in page and "evil.example" not in page and "返回首页" in page


def test_a_head_request_gets_its_405_without_a_body(client_for, liaison):
    browser = client_for(liaison)
    response = browser.head(reverse("ledgers:bulletin_create"))
    assert response.status_code == 405 and response.content == b""


def test_missing_and_forbidden_pages_are_chinese(client_for, liaison):
    browser = client_for(liaison)
    missing = browser.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    forbidden = browser.get(reverse("ledgers:activity_stats"))
    assert forbidden.status_code == 403 and "无权访问" in forbidden.content.decode()


def test_the_500_page_is_chinese_and_needs_nothing_that_could_fail_again():
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500 and "服务器出现错误" in page and 'href="/"' in page
    assert "{%" not in page and "/static/" not in page


def test_the_favicon_is_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/pwa/favicon.ico"
    # (served by whitenoise under its hashed name: tests/browser/test_user_guide.py)
