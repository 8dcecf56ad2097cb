"""`{% url_once %}` and `{% static_once %}` give what `{% url %}` and `{% static %}` give."""
from django.template import Context, Template
from django.templatetags.static import static
from django.urls import reverse, set_script_prefix


def test_url_once_and_static_once_are_url_and_static():
    names = ["home", "manifest", "service_worker", "ledgers:activity_photo_upload", "ledgers:notification_list",
             "ledgers:notification_settings", "password_change", "logout"]
    page = Template("{% load wenming_tags %}" + "|".join(f"{{% url_once '{n}' %}}" for n in names)
                    + "|{% static_once 'css/app.css' %}")
    assert page.render(Context()).split("|") == [reverse(n) for n in names] + [static("css/app.css")]


def test_url_once_follows_the_script_prefix():
    page = Template("{% load wenming_tags %}{% url_once 'home' %}")
    try:
        set_script_prefix("/wenming/")
        assert page.render(Context()) == "/wenming/"
    finally:
        set_script_prefix("/")
    assert page.render(Context()) == "/"
