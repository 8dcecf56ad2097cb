"""群机器人 settings (the app's own pages): a district's admin sets its own bureau's and units' robots only."""
from django.urls import reverse

from ledgers.models import Flavour, Webhook


def test_admin_sets_a_unit_robot_and_one_bureau_robot(client_for, admin_user, school_a, district):
    browser = client_for(admin_user)
    add = reverse("ledgers:robot_create")
    assert "钉钉自定义机器人" in browser.get(add).content.decode()
    response = browser.post(add, {"unit": school_a.pk, "flavour": Flavour.DINGTALK,
                                  "url": "https://oapi.dingtalk.com/robot/send?access_token=abc", "is_active": "on"})
    assert response.status_code == 302
    hook = Webhook.objects.get(unit=school_a)
    assert hook.bureau == district and hook.flavour == Flavour.DINGTALK
    assert hook.history.get().history_user == admin_user  # audited
    response = browser.post(add, {"unit": "", "flavour": Flavour.WECOM,
                                  "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "is_active": "on"})
    assert response.status_code == 302
    assert Webhook.objects.get(unit__isnull=True).bureau == district
    again = browser.post(add, {"unit": "", "flavour": Flavour.WECOM, "url": "https://example.com/x", "is_active": "on"})
    assert again.status_code == 400 and "本局工作群的机器人已经设置过了" in again.content.decode()
    assert 'value="https://example.com/x"' in again.content.decode()  # what was typed is kept
    bad = browser.post(add, {"unit": "", "flavour": Flavour.WECOM, "url": "不是网址", "is_active": "on"})
    assert bad.status_code == 400 and "Webhook 地址格式不正确" in bad.content.decode() and Webhook.objects.count() == 2


def test_another_district_neither_sees_nor_picks_them(client_for, admin_user, district2_admin, school_a, school_c,
                                                     district):
    hook = Webhook.objects.create(bureau=district, unit=school_a, url="https://example.com/a")
    other = client_for(district2_admin)
    assert other.get(reverse("ledgers:robot_edit", args=[hook.pk])).status_code == 404
    assert "郾城区第一实验小学" not in other.get(reverse("ledgers:robot_list")).content.decode()
    form = other.get(reverse("ledgers:robot_create")).content.decode()
    assert "郾城区第一实验小学" not in form and "源汇区第一实验小学" in form
    other.post(reverse("ledgers:robot_create"), {"unit": school_a.pk, "flavour": Flavour.WECOM,
                                                 "url": "https://example.com/b", "is_active": "on"})
    assert Webhook.objects.count() == 1


def test_liaison_has_no_robot_pages(client_for, liaison):
    for name in ("ledgers:robot_list", "ledgers:delivery_list"):
        assert client_for(liaison).get(reverse(name)).status_code == 403
    response = client_for(liaison).get(reverse("admin:ledgers_webhook_changelist"))
    assert response.status_code in (302, 403)


def test_test_send_posts_to_the_robot_now_and_says_what_it_answered(client_for, admin_user, school_a, robot,
                                                                     robot_down, district2_admin):
    from ledgers.models import Delivery, DeliveryStatus

    hook = Webhook.objects.create(bureau=school_a.bureau, unit=school_a, flavour=Flavour.WECOM, url=robot.url + "/send")
    browser = client_for(admin_user)
    page = browser.post(reverse("reports:robot_test", args=[hook.pk]), follow=True).content.decode()
    assert "测试消息已发送到" in page
    [(path, content_type, body)] = robot.posts
    assert path == "/send" and content_type.startswith("application/json")
    assert "测试消息" in body["markdown"]["content"] and admin_user.display_name in body["markdown"]["content"]
    sent = Delivery.objects.get(webhook=hook)
    assert sent.status == DeliveryStatus.SENT and sent.subject == "测试消息"
    assert "已发送" in browser.get(reverse("ledgers:delivery_list")).content.decode()  # in the 发送记录
    # A robot that does not answer: the page says so, the 发送记录 keeps the failure.
    hook.url = robot_down.url + "/send"
    hook.save()
    page = browser.post(reverse("reports:robot_test", args=[hook.pk]), follow=True).content.decode()
    assert "测试发送失败" in page and "请检查 Webhook 地址" in page
    assert Delivery.objects.filter(webhook=hook, status=DeliveryStatus.FAILED).count() == 1
    # Another district's admin cannot test-send it.
    assert client_for(district2_admin).post(reverse("reports:robot_test", args=[hook.pk])).status_code == 404
    assert len(robot.posts) == 1
